"""Exported Python: golden LeNet-5, same outputs as the built model for every template, runs
without Netwright, merges inlined, several inputs/outputs, and titles cannot inject code."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from backend.build import build_model
from backend.codegen import ExportError, class_name, python_module
from backend.export.weights import encode_weights
from backend.importer import import_source
from backend.shapes import analyse
from backend.templates import TEMPLATES, make_template, template_info
from backend.templates.builder import DesignBuilder

GOLDEN = Path(__file__).parent / "golden" / "lenet5_model.py.txt"
HUGE = 10_000_000  # parameters above which a template's code is only compiled

BLOCK_NETWRIGHT = """
import sys

class _NoNetwright:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("backend", "designer"):
            raise ImportError(f"{name} is not installed here")
        return None

sys.meta_path.insert(0, _NoNetwright())
"""


def lenet5_doc():
    """LeNet-5 built here (not from the template) so the golden file only follows codegen."""
    b = DesignBuilder("LeNet-5")
    b.add("Input", "image", after=None, shape=[1, 32, 32])
    b.add("Conv2d", "c1", filters=6, kernel_size=5)
    b.add("Tanh", "tanh1")
    b.add("AvgPool2d", "s2", kernel_size=2)
    b.add("Conv2d", "c3", filters=16, kernel_size=5)
    b.add("Tanh", "tanh2")
    b.add("AvgPool2d", "s4", kernel_size=2)
    b.add("Flatten", "flatten")
    b.add("Dense", "c5", units=120)
    b.add("Tanh", "tanh3")
    b.add("Dense", "f6", units=84)
    b.add("Tanh", "tanh4")
    b.add("Dense", "output", units=10)
    return b.doc


def merges_doc():
    """Two inputs, a three-way Add, a Multiply, a Concatenate and two outputs."""
    b = DesignBuilder("Two heads")
    a = b.add("Input", "a", after=None, shape=[6])
    c = b.add("Input", "b", after=None, row=1, shape=[6])
    da = b.add("Dense", "da", after=a, units=4)
    db = b.add("Dense", "db", after=c, units=4, init="xavier")
    dc = b.add("Dense", "dc", after=c, units=4, init="kaiming")
    s = b.add("Add", "sum", after=[da, db, dc])
    m = b.add("Multiply", "gate", after=[s, da])
    b.add("Dense", "head_one", after=m, units=3)
    cat = b.add("Concatenate", "cat", after=[da, db])
    r = b.add("Reshape", "grid", after=cat, shape=[2, 4])
    b.add("Flatten", "flat", after=r)
    return b.doc


def exec_module(code: str) -> dict:
    namespace = {"__name__": "exported_model"}
    exec(compile(code, "exported_model.py", "exec"), namespace)  # our own generated code
    return namespace


def inputs_for(doc, analysis, batch=3):
    """Random inputs; a Graph input gives features of `batch` nodes and a random adjacency."""
    gen = torch.Generator().manual_seed(0)
    from backend.graph.traverse import model_arguments

    out = []
    for nid, port in model_arguments(doc):
        if port == "adj":
            upper = torch.triu((torch.rand(batch, batch, generator=gen) < 0.5).float(), 1)
            out.append(upper + upper.T)
        else:
            out.append(torch.randn(batch, *analysis.shapes[nid], generator=gen))
    return out


def assert_same_outputs(doc):
    analysis = analyse(doc)
    built = build_model(doc, analysis).eval()
    source = python_module(doc, analysis)
    exported = exec_module(source.code)[source.class_name]().eval()
    exported.load_state_dict(built.state_dict())  # strict: every key and shape matches
    xs = inputs_for(doc, analysis)
    with torch.no_grad():
        want, got = built(*xs), exported(*xs)
    want = want if isinstance(want, tuple) else (want,)
    got = got if isinstance(got, tuple) else (got,)
    assert len(want) == len(got)
    for w, g in zip(want, got, strict=True):
        assert torch.allclose(w, g, atol=1e-6), (w - g).abs().max()
    return source


def test_lenet5_export_matches_golden_file():
    code = python_module(lenet5_doc()).code
    if os.environ.get("NETWRIGHT_UPDATE_GOLDEN"):
        GOLDEN.write_text(code)
    assert code == GOLDEN.read_text(), "exported LeNet-5 changed; set NETWRIGHT_UPDATE_GOLDEN=1 " \
        "to accept the change after reading the diff"


def test_export_is_deterministic_and_readable():
    doc = lenet5_doc()
    first = python_module(doc).code
    assert python_module(doc.copy()).code == first
    assert "        c1 = self.c1(image)  # (B, 6, 28, 28)" in first
    assert "        self.c5 = nn.Linear(400, 120)" in first
    assert "class LeNet5(nn.Module):" in first
    assert "class Reshape" not in first  # helpers only when used


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_exports_code_with_the_built_models_outputs(name):
    # ImageNet-sized templates run at 64×64 here (same layers and weights, a fraction of the
    # time); test_full_size_templates.py runs them at their native size
    small = template_info(name).sized and name not in ("lenet5", "alexnet", "zfnet")
    doc = make_template(name, input_shape=(3, 64, 64)) if small else make_template(name)
    analysis = analyse(doc)
    if analysis.total_params > HUGE:
        source = python_module(doc, analysis)
        compile(source.code, f"{name}.py", "exec")
        return
    source = assert_same_networks(doc) if name in ("gan", "dcgan") else assert_same_outputs(doc)
    lines = node_lines(source)
    inputs = sum(n.type in ("Input", "GraphInput") for n in doc.nodes.values())
    assert len(lines) == len(doc.nodes) - inputs  # one line per node; inputs are arguments
    lead = "N" if inputs and "GraphInput" in {n.type for n in doc.nodes.values()} else "B"
    assert all(f"  # ({lead}, " in line or "  # (N, N)" in line for line in lines)


def assert_same_networks(doc):
    """Each network's class (a GAN's Generator and Discriminator) computes what the built
    network computes, with the built network's weights (keys without the role prefix)."""
    from backend.build import build_networks
    from backend.training.recipes.parts import design_networks

    analysis = analyse(doc)
    source = python_module(doc, analysis)
    assert set(source.classes) == {"generator", "discriminator"}
    ns = exec_module(source.code)
    built = build_networks(design_networks(doc, analysis)).eval()
    for role, cls in source.classes.items():
        net = getattr(built, role)
        exported = ns[cls]().eval()
        exported.load_state_dict(net.state_dict())
        x = torch.randn(3, *analysis.shapes[net.input_ids[0]])
        with torch.no_grad():
            assert torch.allclose(net(x), exported(x), atol=1e-6)
    return source


def node_lines(source) -> list[str]:
    """The lines computing one node each, in every method but __init__ (forward, or encode
    and decode), in every class."""
    lines = source.code.splitlines()
    found = []
    for cls in ast.parse(source.code).body:
        if not isinstance(cls, ast.ClassDef) or cls.name not in source.classes.values():
            continue
        for fn in cls.body:
            if isinstance(fn, ast.FunctionDef) and fn.name != "__init__":
                found += [lines[s.lineno - 1] for s in fn.body if isinstance(s, ast.Assign)
                          and re.search(r"  # \((B|N), ", lines[s.lineno - 1])]
    return found


def test_autoencoders_export_encode_and_decode_like_a_practitioner_writes_them():
    doc = make_template("vae")
    analysis = analyse(doc)
    built = build_model(doc, analysis).eval()
    source = python_module(doc, analysis)
    model = exec_module(source.code)[source.class_name]().eval()
    model.load_state_dict(built.state_dict())
    assert "        mu, log_var = self.encode(digits)" in source.code
    assert "        z = self.z(mu, log_var)  # (B, 2)" in source.code
    assert "        return self.decode(z)" in source.code
    x = torch.rand(4, 1, 8, 8)
    with torch.no_grad():
        mu, log_var = model.encode(x)
        z = torch.randn(4, 2)
        assert torch.allclose(model.decode(z), built.run_from({"z_1": z}), atol=1e-6)
        assert torch.allclose(model(x), model.decode(mu), atol=1e-6)  # evaluation decodes μ
    code = python_module(make_template("autoencoder")).code
    assert "    def encode(self, digits: torch.Tensor) -> torch.Tensor:" in code
    assert "        return code_relu" in code and "def decode(self, code_relu" in code


def forward_lines(source) -> list[str]:
    """The source lines of forward's statements (the return left out)."""
    tree = ast.parse(source.code)
    cls = next(s for s in tree.body if isinstance(s, ast.ClassDef)
               and s.name == source.class_name)
    forward = next(f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "forward")
    lines = source.code.splitlines()
    assert all(s.lineno == s.end_lineno for s in forward.body)
    return [lines[s.lineno - 1] for s in forward.body if not isinstance(s, ast.Return)]


def test_merges_are_inlined_and_several_inputs_and_outputs_work():
    source = assert_same_outputs(merges_doc())
    code = source.code
    assert "def forward(self, a: torch.Tensor, b: torch.Tensor) -> tuple[torch.Tensor, ...]:" \
        in code
    assert "sum = da + db + dc  # (B, 4)" in code
    assert "gate = sum * da  # (B, 4)" in code
    assert "cat = torch.cat([da, db], dim=1)  # (B, 8)" in code
    assert "return head_one, flat" in code
    assert "nn.init.xavier_uniform_(self.db.weight)" in code
    assert code.count("class Reshape(nn.Module):") == 1
    assert "class Add" not in code and "merge_modules" not in code


def test_exported_code_and_weights_run_without_netwright(tmp_path):
    doc = merges_doc()
    analysis = analyse(doc)
    torch.manual_seed(3)
    built = build_model(doc, analysis).eval()
    xs = inputs_for(doc, analysis)
    with torch.no_grad():
        want = built(*xs)
    (tmp_path / "two_heads.py").write_text(python_module(doc, analysis).code)
    (tmp_path / "weights.safetensors").write_bytes(encode_weights(built.state_dict()))
    (tmp_path / "io.safetensors").write_bytes(encode_weights(
        {"a": xs[0], "b": xs[1], "out0": want[0], "out1": want[1]}))
    script = BLOCK_NETWRIGHT + textwrap.dedent("""
        import torch
        from safetensors.torch import load_file
        try:
            import backend
        except ImportError:
            pass
        else:
            raise SystemExit("backend should not be importable here")
        from two_heads import TwoHeads
        model = TwoHeads().eval()
        model.load_state_dict(load_file("weights.safetensors"))
        io = load_file("io.safetensors")
        with torch.no_grad():
            out = model(io["a"], io["b"])
        assert torch.allclose(out[0], io["out0"]) and torch.allclose(out[1], io["out1"])
        print("same outputs")
    """)
    (tmp_path / "check.py").write_text(script)
    result = subprocess.run([sys.executable, "check.py"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={**os.environ, "PYTHONPATH": ""})
    assert result.returncode == 0, result.stderr
    assert "same outputs" in result.stdout


HOSTILE = ['x"); import os; #', '"""; import os; """', "a\\", "line\nbreak", "x\u2028y",
           "'''", "\\N{BULLET}", "__import__('os').system('echo hi')", "class", "self", ""]


@pytest.mark.parametrize("title", HOSTILE)
def test_hostile_titles_cannot_inject_code(title):
    doc = lenet5_doc()
    doc.name = title
    for node in doc.nodes.values():
        node.title = title
    source = python_module(doc)
    tree = ast.parse(source.code)
    kinds = [type(s).__name__ for s in tree.body]
    assert kinds == ["Expr", "Import", "ImportFrom", "ClassDef", "Assign"]
    imported = {a.name for s in tree.body if isinstance(s, ast.Import | ast.ImportFrom)
                for a in s.names}
    assert imported == {"torch", "nn"}
    assert not any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
                   and n.func.id in ("__import__", "eval", "exec") for n in ast.walk(tree))
    assert source.class_name.isidentifier()
    namespace = exec_module(source.code)
    namespace[source.class_name]()
    again, warnings = import_source(source.code, "hostile.py")
    assert again.name == title and warnings == []
    assert [n.title for n in again.nodes.values()] == [title] * len(doc.nodes)


def test_class_names_are_clean_identifiers():
    assert class_name("LeNet-5") == "LeNet5"
    assert class_name("3 layer net") == "Net3LayerNet"
    assert class_name("") == "Network"
    assert class_name("class") == "ClassNet" or class_name("class").isidentifier()
    assert class_name("Reshape") == "ReshapeNet"


def test_a_design_with_errors_is_refused_with_the_problem():
    doc = lenet5_doc()
    doc.nodes["c5_1"].params["units"] = 0
    with pytest.raises(ExportError, match="fix them before exporting"):
        python_module(doc)
