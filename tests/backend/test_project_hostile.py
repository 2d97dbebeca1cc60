"""Broken and hostile files: random bytes, truncated and mutated zips, wrong types, huge
numbers, deep nesting, traversal names, zip bombs and lying sizes. Opening them gives one
clean sentence (a DesignFileError), never another exception, and writes nothing anywhere."""

from __future__ import annotations

import io
import json
import struct
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.cli import main
from backend.project import DesignFileError, Project, doc_to_dict, open_any, save_project
from backend.project.archive import write_entries
from backend.project.project import project_entries
from backend.templates import make_template

FAST = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids,
                                                              max_size=4),
    max_leaves=20)


def valid_project_bytes() -> bytes:
    from backend.build import build_model
    from backend.export.weights import encode_weights

    doc = make_template("mlp")
    project = Project(doc)
    project.add_run({"history": [1, 2]}, encode_weights(build_model(doc).state_dict()))
    buf = io.BytesIO()
    entries = project_entries(project.doc, project.weights, project.runs, {})
    with zipfile.ZipFile(buf, "w") as zf:
        write_entries(zf, entries)
    return buf.getvalue()


VALID = valid_project_bytes()


def listing(folder: Path) -> list[tuple[str, int]]:
    return sorted((str(p.relative_to(folder)), p.stat().st_size) for p in folder.rglob("*"))


def assert_clean_refusal(path: Path, match: str | None = None) -> None:
    """open_any refuses with one sentence and the folder is exactly as before."""
    folder = path.parent
    before = listing(folder)
    with pytest.raises(DesignFileError) as info:
        open_any(path)
    message = str(info.value)
    assert "\n" not in message and 10 < len(message) < 400, message
    if match:
        assert match in message, message
    assert listing(folder) == before


def zip_with(entries: list[tuple[str, bytes]], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def head(design=None, **extra) -> bytes:
    data = {"format": "netwright-project", "version": 2, "weights": [], "runs": [],
            "meta": {}, "design": design if design is not None
            else doc_to_dict(make_template("mlp")), **extra}
    return json.dumps(data).encode()


@FAST
@given(st.binary(max_size=2000))
def test_random_bytes(tmp_path, raw):
    path = tmp_path / "random.nwproj"
    path.write_bytes(raw)
    try:
        open_any(path)
    except DesignFileError as exc:
        assert "\n" not in str(exc)
    # random bytes can, very rarely, be a valid empty design: then nothing else is checked


@FAST
@given(st.integers(0, len(VALID) - 1))
def test_truncated_projects(tmp_path, cut):
    path = tmp_path / "cut.nwproj"
    path.write_bytes(VALID[:cut])
    assert_clean_refusal(path)


@FAST
@given(st.lists(st.tuples(st.integers(0, len(VALID) - 1), st.integers(0, 255)),
                min_size=1, max_size=8))
def test_mutated_projects(tmp_path, flips):
    raw = bytearray(VALID)
    for at, value in flips:
        raw[at] = value
    path = tmp_path / "flipped.nwproj"
    path.write_bytes(bytes(raw))
    try:
        project = open_any(path)
    except DesignFileError as exc:
        assert "\n" not in str(exc)
    else:  # a flip in an unused byte: the project still opens intact
        assert project.doc.nodes
    assert [p.name for p in tmp_path.iterdir()] == ["flipped.nwproj"]


@FAST
@given(JSON)
def test_wrong_types_in_project_json(tmp_path, value):
    path = tmp_path / "types.nwproj"
    path.write_bytes(zip_with([("project.json", json.dumps(value).encode())]))
    assert_clean_refusal(path)


@FAST
@given(st.sampled_from(["name", "nodes", "edges", "comments", "training", "version"]), JSON)
def test_wrong_types_inside_the_design(tmp_path, key, value):
    design = doc_to_dict(make_template("lenet5"))
    design[key] = value
    path = tmp_path / "design.nwproj"
    path.write_bytes(zip_with([("project.json", head(design))]))
    try:
        open_any(path)
    except DesignFileError as exc:
        assert "\n" not in str(exc)
    assert [p.name for p in tmp_path.iterdir()] == ["design.nwproj"]


@FAST
@given(st.integers(0, 12), JSON)
def test_wrong_types_inside_a_node(tmp_path, index, value):
    design = doc_to_dict(make_template("lenet5"))
    node = design["nodes"][index]
    node[["id", "type", "title", "params", "pos"][index % 5]] = value
    path = tmp_path / "node.json"
    path.write_text(json.dumps(design))
    try:
        open_any(path)
    except DesignFileError as exc:
        assert "\n" not in str(exc)


@pytest.mark.parametrize("text", [
    "[" * 100_000 + "]" * 100_000,
    '{"a": ' * 5000 + "1" + "}" * 5000,
    '{"format": "netwright-project", "version": 2, "meta": ' + "[" * 70 + "]" * 70 + "}",
    '{"format": "netwright-project", "version": 1e999}',
    '{"format": "netwright-project", "version": ' + "9" * 5000 + "}",
    '{"format": "netwright-project", "version": 99999999999999999999999}',
    '{"format": "netwright-project", "version": NaN}',
    '{"format": "netwright-project", "version": 2, "design": {"format": "netwright-design", '
    '"version": 1, "nodes": [{"id": "a", "type": "Input", "pos": [1e308, 1e308]}]}}',
])
def test_deep_nesting_and_huge_numbers(tmp_path, text):
    path = tmp_path / "deep.nwproj"
    path.write_bytes(zip_with([("project.json", text.encode())]))
    assert_clean_refusal(path)
    plain = tmp_path / "deep.json"
    plain.write_text(text)
    assert_clean_refusal(plain)


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "weights/../../x.safetensors",
                                  "C:/windows/x", "a\\..\\b", "./project.json", "runs//x.json"])
def test_traversal_and_absolute_entry_names_are_refused(tmp_path, name):
    path = tmp_path / "sneaky.nwproj"
    path.write_bytes(zip_with([("project.json", head()), (name, b"{}")]))
    if name == "runs//x.json":  # odd but harmless: not in the index, so never read
        assert open_any(path).runs == []
        return
    assert_clean_refusal(path, "unsafe entry name")


def test_index_names_cannot_point_outside(tmp_path):
    path = tmp_path / "index.nwproj"
    path.write_bytes(zip_with([("project.json", head(weights=["../../../etc/passwd"]))]))
    assert_clean_refusal(path, "must list plain names")


def test_a_zip_bomb_is_refused_before_it_expands(tmp_path):
    path = tmp_path / "bomb.nwproj"
    path.write_bytes(zip_with([("project.json", head()),
                               ("runs/big.json", b"0" * 50_000_000)]))
    assert path.stat().st_size < 200_000
    assert_clean_refusal(path, "zip bomb")


def test_too_many_entries_are_refused(tmp_path):
    path = tmp_path / "many.nwproj"
    path.write_bytes(zip_with([("project.json", head())] + [(f"x/{i}", b"") for i in range(1200)],
                              zipfile.ZIP_STORED))
    assert_clean_refusal(path, "entries")


def test_an_entry_that_lies_about_its_size_is_refused(tmp_path):
    raw = bytearray(zip_with([("project.json", head())], zipfile.ZIP_STORED))
    cd = raw.rfind(b"PK\x01\x02")
    struct.pack_into("<L", raw, cd + 24, 10)  # central directory: uncompressed size 10
    struct.pack_into("<L", raw, 22, 10)  # local header too
    path = tmp_path / "liar.nwproj"
    path.write_bytes(bytes(raw))
    assert_clean_refusal(path)


def test_encrypted_and_exotic_compression_are_refused(tmp_path):
    raw = bytearray(zip_with([("project.json", head())]))
    cd = raw.rfind(b"PK\x01\x02")
    struct.pack_into("<H", raw, cd + 10, 14)  # LZMA in the central directory
    path = tmp_path / "lzma.nwproj"
    path.write_bytes(bytes(raw))
    assert_clean_refusal(path, "compression")


def test_broken_weights_are_refused(tmp_path):
    header = json.dumps({"w": {"dtype": "F32", "shape": [1000000], "data_offsets": [0, 4]}})
    blob = struct.pack("<Q", len(header)) + header.encode() + b"\0" * 4
    path = tmp_path / "weights.nwproj"
    path.write_bytes(zip_with([("project.json", head(weights=["w"])),
                               ("weights/w.safetensors", blob)]))
    assert_clean_refusal(path, "broken description")
    path.write_bytes(zip_with([("project.json", head(weights=["gone"]))]))
    assert_clean_refusal(path, "does not contain it")


@FAST
@given(st.text(max_size=300))
def test_random_python_files_are_parsed_never_run(tmp_path, text):
    path = tmp_path / "random.py"
    path.write_text(text, encoding="utf-8")
    try:
        open_any(path)
    except DesignFileError as exc:
        assert "\n" not in str(exc)


def test_a_hostile_python_file_is_never_executed(tmp_path):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.py"
    path.write_text(f"open({str(marker)!r}, 'w').write('x')\n"
                    f"NETWRIGHT_DESIGN = __import__('os').system('touch {marker}')\n")
    assert_clean_refusal(path, "was not exported by Netwright")
    assert not marker.exists()


@pytest.mark.parametrize("raw", [b"", b"PK\x05\x06" + b"\0" * 18, VALID[: len(VALID) // 2],
                                 b"\x00" * 100, b"{\"format\": 1}"])
def test_the_cli_refuses_broken_files_in_one_line_and_writes_nothing(tmp_path, capsys, raw):
    bad = tmp_path / "bad.nwproj"
    bad.write_bytes(raw)
    before = listing(tmp_path)
    for flag, out in (("--python", "m.py"), ("--onnx", "m.onnx"), ("--weights", "m.st")):
        assert main(["export", str(bad), flag, str(tmp_path / out)]) == 2
        assert main(["summary", str(bad)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err and all(line.startswith("netwright: error: ") for line in err)
    assert listing(tmp_path) == before


def test_saving_refuses_unsafe_names_before_writing(tmp_path):
    project = Project(make_template("mlp"))
    project.runs.append({"id": "../escape"})
    with pytest.raises(DesignFileError, match="not a valid weights or run name"):
        save_project(tmp_path / "x.nwproj", project)
    assert list(tmp_path.iterdir()) == []
