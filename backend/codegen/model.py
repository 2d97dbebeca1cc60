"""Design -> one readable, standalone Python module holding the model's `nn.Module` class(es).

Each network of the design is one class (a GAN's `Generator` and `Discriminator`; otherwise
one class named after the design). A class registers one submodule per layer under the
identifiers from `backend.graph.naming.attribute_names` (the builder uses the same ones, so a
built network's state_dict loads into the exported class), writes one `__init__` line per
layer and one line per node with its output shape as a comment, and walks the design with
the shared traversal (`plan`, in backend/codegen/body.py); an autoencoder's class also gets
`encode` and `decode` (backend/codegen/classes.py). Each block definition becomes a class
of its own, called with arguments (backend/codegen/blocks.py). Helper classes from
`backend.layers.modules` are copied verbatim, only when used. Text from the design (names,
titles) only ever reaches the output through sanitised identifiers, `repr()` literals or
escaped docstrings, so it can never inject code. The output is deterministic: the same design
always gives the same bytes.
"""

from __future__ import annotations

import ast
import functools
import inspect
import keyword
import re
from dataclasses import dataclass, field

from backend.graph.document import GraphDocument
from backend.importer.names import code_block as original_names_code
from backend.shapes import Analysis, analyse

INDENT = "    "
_HELPER_NAMES = ("Reshape", "GaussianNoise", "GlobalAvgPool", "GlobalMaxPool", "Recurrent",
                 "RepeatedBlock", "Sampling", "Step")
_GRAPH_HELPERS = ("GCNConv", "SAGEConv", "GATConv", "InnerProductDecoder", "GraphReadout")


class ExportError(ValueError):
    """The design cannot be exported; the message is one sentence with the fix."""


@dataclass(frozen=True)
class ModelSource:
    code: str  # the whole module
    class_name: str  # the first (or only) class
    inputs: list[tuple[str, tuple[int, ...], str]]  # (argument name, shape, dtype)
    outputs: list[tuple[str, tuple[int, ...]]]  # (variable name, shape)
    classes: dict[str, str] = field(default_factory=dict)  # network role -> class name


def class_name(title: str) -> str:
    """A CamelCase class name from the design's name: 'LeNet-5' -> 'LeNet5'. A name that
    train.py or Python already use ('Run', 'SETTINGS', 'F', 'Exception') gets 'Net' added."""
    parts = re.findall(r"[A-Za-z0-9]+", title)
    name = "".join(p[:1].upper() + p[1:] for p in parts)[:60]
    if not name:
        name = "Network"
    if name[0].isdigit():
        name = "Net" + name
    while keyword.iskeyword(name) or name in reserved_names():
        name += "Net"
    return name


@functools.cache
def reserved_names() -> frozenset[str]:
    """Names the exported files define or import at top level, and Python's builtins: the
    model class must not shadow them (train.py imports it next to its own code)."""
    import builtins

    from backend.codegen import train_data, train_runtime
    from backend.data import export_loaders

    names = {*dir(builtins), *_HELPER_NAMES, *_GRAPH_HELPERS, "Module", "Tensor", "SETTINGS",
             "DATASET", "load_data", "ORIGINAL_NAMES", "NETWRIGHT_DESIGN"}
    for module in (train_runtime, train_data, export_loaders):
        for stmt in ast.parse(inspect.getsource(module)).body:
            names.update(_bound(stmt))
    return frozenset(names)


def _bound(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.FunctionDef | ast.ClassDef):
        return {stmt.name}
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        return {(a.asname or a.name).split(".")[0] for a in stmt.names}
    if isinstance(stmt, ast.Assign):
        return {t.id for t in stmt.targets if isinstance(t, ast.Name)}
    return set()


def docstring_text(text: str, limit: int = 200) -> str:
    """One line that is safe inside a triple-quoted docstring."""
    flat = "".join(ch if ch.isprintable() else " " for ch in text)
    flat = " ".join(flat.split())[:limit]
    return flat.replace("\\", "\\\\").replace('"', '\\"')


def model_source(doc: GraphDocument, analysis: Analysis | None = None,
                 design_block: str = "") -> ModelSource:
    """The exported module's source; `design_block` (a statement) is appended at the end."""
    from backend.codegen.blocks import BlockClasses
    from backend.codegen.classes import NetworkClass
    from backend.training.recipes.parts import design_networks, design_split

    analysis = analysis or analyse(doc)
    errors = [p for p in analysis.problems if p.severity == "error"]
    if errors:
        raise ExportError(f"the design has errors, fix them before exporting: "
                          f"{errors[0].message}")
    networks = design_networks(doc, analysis)
    single = len(networks) == 1
    names = {role: class_name(doc.name) if single else class_name(role) for role in networks}
    classes = BlockClasses(doc, {*names.values(), *_HELPER_NAMES, *_GRAPH_HELPERS, "Module",
                                  "Tensor", *reserved_names()})
    nets = []
    for role, sub in networks.items():
        sub_analysis = analysis if single else analyse(sub)
        split = design_split(doc, analysis) if single else None
        nets.append(NetworkClass(names[role], classes, sub, sub_analysis, split, role))
    blocks = classes.sources()
    parts = [_module_docstring(doc, analysis, nets), "import torch\nfrom torch import nn"]
    helpers = [h for n in nets for h in n.helpers]
    helpers = list(dict.fromkeys(helpers + classes.helpers()))
    parts += [_helper_source(h) for h in helpers]
    parts += blocks
    if single:  # imported designs only: the original state_dict names
        from backend.module_paths import layer_paths

        paths = layer_paths(doc, analysis) if "origin" in doc.sections else None
        names_code, names_init = original_names_code(doc, nets[0].body.names, paths)
        parts += [names_code] if names_code else []
        nets[0].body.init += names_init
    parts += [n.source(docstring_text(doc.name, 120) if single else None) for n in nets]
    if design_block:
        parts.append(design_block.rstrip("\n"))
    code = "\n\n\n".join(parts[1:])
    first = nets[0]
    return ModelSource(parts[0] + "\n\n" + code + "\n", first.name, first.inputs,
                       first.outputs, {n.role: n.name for n in nets})


def _module_docstring(doc, analysis, nets) -> str:
    title = docstring_text(doc.name) or "Network"
    lines = [f'"""{title}: a PyTorch model exported by Netwright.', ""]
    for n in nets:
        ins = ", ".join(f"{v} {t}" for (v, _, _), t in zip(n.inputs, n.input_texts,
                                                            strict=True))
        outs = ", ".join(f"{v} {t}" for (v, _), t in zip(n.outputs, n.output_texts,
                                                         strict=True))
        prefix = f"{n.name}: " if len(nets) > 1 else ""
        lines += [f"{prefix}Inputs: {ins}", f"{' ' * len(prefix)}Outputs: {outs}"]
    lines += [f"Parameters: {analysis.total_params:,}", "",
              "Needs only torch. Trained weights exported as safetensors load with",
              "    from safetensors.torch import load_file"]
    if len(nets) == 1:
        lines.append("    model.load_state_dict(load_file(\"weights.safetensors\"))")
    else:
        lines.append("    weights = load_file(\"weights.safetensors\")  # keys start with the role")
        for n in nets:
            var = n.name.lower()
            lines += [f"    {var} = {n.name}()",
                      f"    {var}.load_state_dict({{k[len(\"{n.role}.\"):]: v for k, v in "
                      "weights.items()",
                      f"    {' ' * len(var)}                  if k.startswith(\"{n.role}.\")}})"]
    return "\n".join([*lines, '"""'])


def _helper_source(name: str) -> str:
    from backend.layers import graph_modules, modules

    if name in _GRAPH_HELPERS:
        return inspect.getsource(getattr(graph_modules, name)).rstrip("\n")
    if name not in _HELPER_NAMES or not hasattr(modules, name):
        raise ExportError(f"the exporter has no code for helper {name!r}: report this as a bug")
    return inspect.getsource(getattr(modules, name)).rstrip("\n")
