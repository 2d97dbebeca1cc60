"""The design sub-commands of `netwright`: templates, new, summary, validate.

Exit codes are the contract: 0 fine, 1 `validate` found problems, 2 bad input (one line on
stderr, no traceback, the input file untouched).
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from backend.build import build_model
from backend.cli import main
from backend.project import load_design, save_design
from backend.templates import TEMPLATES
from backend.templates.builder import DesignBuilder

ROOT = Path(__file__).resolve().parents[2]


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def lenet(tmp_path, capsys) -> Path:
    path = tmp_path / "x.json"
    code, out, _ = run_cli(capsys, "new", "--template", "lenet5", "-o", path)
    assert code == 0 and path.exists()
    return path


def test_templates_lists_every_template(capsys):
    code, out, _ = run_cli(capsys, "templates")
    assert code == 0
    for name in TEMPLATES:
        assert any(line.split()[0] == name for line in out.splitlines())
    code, out, _ = run_cli(capsys, "templates", "--json")
    listed = json.loads(out)
    assert [t["name"] for t in listed] == list(TEMPLATES)
    assert all(t["description"] for t in listed)


def test_lenet5_summary_matches_a_real_forward_pass(lenet, capsys):
    code, out, _ = run_cli(capsys, "summary", lenet, "--json")
    assert code == 0
    summary = json.loads(out)
    assert summary["total_params"] == 61706
    assert summary["trainable_params"] == 61706
    assert summary["problems"] == []
    assert set(summary["nodes"][0]) >= {"id", "title", "type", "output_shape", "params"}

    doc = load_design(lenet)
    model = build_model(doc)
    seen: dict[str, tuple] = {}
    for nid, attr in model.node_attrs.items():
        getattr(model, attr).register_forward_hook(
            lambda m, i, o, nid=nid: seen.__setitem__(nid, tuple(o.shape)))
    model(torch.zeros(3, 1, 32, 32))
    for node in summary["nodes"]:
        real = seen.get(node["id"], (3, 1, 32, 32) if node["type"] == "Input" else None)
        assert node["output_shape"] == ["B", *real[1:]], node
        attr = model.node_attrs.get(node["id"])
        torch_count = sum(p.numel() for p in getattr(model, attr).parameters()) if attr else 0
        assert node["params"] == torch_count, node


def test_summary_text_and_validate_ok(lenet, capsys):
    code, out, _ = run_cli(capsys, "summary", lenet)
    assert code == 0
    assert "61,706" in out and "(B, 16, 5, 5)" in out
    code, out, err = run_cli(capsys, "validate", lenet)
    assert code == 0 and "valid" in out and err == ""


def test_new_refuses_to_overwrite(lenet, capsys):
    before = lenet.read_bytes()
    code, _, err = run_cli(capsys, "new", "--template", "mlp", "-o", lenet)
    assert code == 2 and "--force" in err
    assert lenet.read_bytes() == before
    code, _, _ = run_cli(capsys, "new", "--template", "mlp", "-o", lenet, "--force")
    assert code == 0 and load_design(lenet).name != "LeNet-5"


def test_dense_after_conv_fails_validate_naming_node_and_flatten(tmp_path, capsys):
    b = DesignBuilder("Forgot to flatten")
    b.add("Input", "image", after=None, shape=[1, 28, 28])
    b.add("Conv2d", "conv", filters=4, kernel_size=3)
    fc1 = b.add("Dense", "fc1", units=10)
    path = tmp_path / "bad.json"
    save_design(b.doc, path)
    code, out, err = run_cli(capsys, "validate", path)
    assert code == 1
    assert "'fc1'" in err and "Flatten" in err and "(B, 4, 26, 26)" in err
    code, out, _ = run_cli(capsys, "summary", path, "--json")
    problems = json.loads(out)["problems"]
    assert code == 0 and problems[0]["node"] == fc1 and "Flatten" in problems[0]["message"]


def _base(lenet: Path) -> dict:
    return json.loads(lenet.read_text())


def _edit(data: dict, fn) -> dict:
    data = copy.deepcopy(data)
    fn(data)
    return data


BAD_DESIGNS = {
    "invalid-json": lambda d: b"{\"format\": ",
    "random-bytes": lambda d: bytes(range(256)) * 3,
    "empty": lambda d: b"",
    "top-level-list": lambda d: [d],
    "top-level-string": lambda d: "netwright-design",
    "no-format": lambda d: _edit(d, lambda x: x.pop("format")),
    "newer-version": lambda d: _edit(d, lambda x: x.update(version=99)),
    "version-zero": lambda d: _edit(d, lambda x: x.update(version=0)),
    "version-text": lambda d: _edit(d, lambda x: x.update(version="1")),
    "unknown-layer": lambda d: _edit(d, lambda x: x["nodes"][1].update(type="Conv9d")),
    "param-wrong-type": lambda d: _edit(d, lambda x: x["nodes"][1]["params"].update(
        filters="six")),
    "param-bool-for-int": lambda d: _edit(d, lambda x: x["nodes"][1]["params"].update(
        filters=True)),
    "unknown-param": lambda d: _edit(d, lambda x: x["nodes"][1]["params"].update(colour=1)),
    "params-not-object": lambda d: _edit(d, lambda x: x["nodes"][1].update(params=[6])),
    "nodes-not-list": lambda d: _edit(d, lambda x: x.update(nodes={})),
    "duplicate-ids": lambda d: _edit(d, lambda x: x["nodes"][2].update(id=x["nodes"][1]["id"])),
    "edge-to-missing": lambda d: _edit(d, lambda x: x["edges"][0].update(to="nowhere")),
    "duplicate-edge": lambda d: _edit(d, lambda x: x["edges"].append(x["edges"][0])),
    "bad-position": lambda d: _edit(d, lambda x: x["nodes"][0].update(pos=["a", 1])),
    "section-not-object": lambda d: _edit(d, lambda x: x.update(training=[1, 2])),
    "nan": lambda d: json.dumps(d).replace('"filters": 6', '"filters": NaN'),
    "deep-nesting": lambda d: "[" * 50_000 + "]" * 50_000,
}


@pytest.mark.parametrize("case", BAD_DESIGNS)
@pytest.mark.parametrize("command", ["summary", "validate"])
def test_bad_input_exits_2_with_one_line(lenet, tmp_path, capsys, case, command):
    content = BAD_DESIGNS[case](_base(lenet))
    if not isinstance(content, bytes):
        content = (content if isinstance(content, str) else json.dumps(content)).encode()
    path = tmp_path / f"{case}.json"
    path.write_bytes(content)
    stamp = os.stat(path).st_mtime_ns
    code, out, err = run_cli(capsys, command, path, *(["--json"] if command == "summary" else []))
    assert code == 2, err
    assert len(err.splitlines()) == 1 and err.startswith("netwright: error: "), err
    assert "Traceback" not in err and "internal error" not in err
    assert out == ""
    assert path.read_bytes() == content and os.stat(path).st_mtime_ns == stamp


@pytest.mark.parametrize("target", ["missing", "folder"])
def test_missing_file_and_folder_exit_2(tmp_path, capsys, target):
    path = tmp_path / "nothing.json"
    if target == "folder":
        path.mkdir()
    code, _, err = run_cli(capsys, "summary", path)
    assert code == 2 and len(err.splitlines()) == 1
    assert ("does not exist" if target == "missing" else "folder") in err


def test_out_of_range_values_are_design_problems_not_file_errors(lenet, tmp_path, capsys):
    data = _edit(_base(lenet), lambda x: x["nodes"][1]["params"].update(filters=10**400))
    path = tmp_path / "huge.json"
    path.write_text(json.dumps(data))
    code, _, err = run_cli(capsys, "validate", path)
    assert code == 1 and "'filters' must be at most 65536" in err and len(err) < 200


def test_new_with_bad_output_paths(tmp_path, capsys):
    code, _, err = run_cli(capsys, "new", "--template", "mlp", "-o", tmp_path / "no" / "x.json")
    assert code == 2 and "does not exist" in err
    code, _, err = run_cli(capsys, "new", "--template", "mlp", "-o", tmp_path, "--force")
    assert code == 2 and "file name" in err
    code, _, err = run_cli(capsys, "new", "--template", "nope", "-o", tmp_path / "x.json")
    assert code == 2 and "lenet5" in err
    assert list(tmp_path.iterdir()) == []


def test_console_entry_point_end_to_end(tmp_path):
    """The installed command, as a user runs it: garbage gives one line and exit 2."""
    exe = Path(sys.executable).with_name("netwright")
    cmd = [str(exe)] if exe.exists() else [
        sys.executable, "-c", "import sys; from backend.cli import main; sys.exit(main())"]
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(100))
    result = subprocess.run([*cmd, "validate", str(garbage)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def _huge(nodes: int, in_block: int = 0) -> str:
    """A design file with `nodes` top-level layers and `in_block` more inside a block."""
    top = ",".join(f'{{"id": "n{i}", "type": "ReLU"}}' for i in range(nodes))
    body = ",".join(f'{{"id": "b{i}", "type": "ReLU"}}' for i in range(in_block))
    return (f'{{"format": "netwright-design", "version": 2, "nodes": [{top}], "blocks": '
            f'[{{"id": "blk", "nodes": [{body}]}}]}}')


@pytest.mark.parametrize("command", ["validate", "summary", "export"])
def test_a_design_past_the_node_limit_is_refused_at_once_naming_count_and_limit(
        tmp_path, capsys, command):
    path = tmp_path / "huge.json"
    path.write_text(_huge(30_000, in_block=20_001))  # block bodies count too
    extra = ["--python", tmp_path / "out.py"] if command == "export" else []
    code, out, err = run_cli(capsys, command, path, *extra)
    assert code == 2 and out == ""
    assert "huge.json has 50,001 layers, more than the 50,000 Netwright opens" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path / "out.py").exists()


def test_the_limit_counts_layers_and_wires_and_lets_the_limit_itself_through():
    from backend.project.design import MAX_EDGES, MAX_NODES, DesignFileError, check_size

    check_size({"nodes": [{}] * MAX_NODES, "edges": [{}] * MAX_EDGES})
    with pytest.raises(DesignFileError, match="150,001 wires, more than the 150,000"):
        check_size({"nodes": [], "edges": [{}] * (MAX_EDGES + 1)}, "x.json")
