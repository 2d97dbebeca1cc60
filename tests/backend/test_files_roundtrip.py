"""What the loader accepts, the savers write back: load -> save -> load is identical for fuzzed
designs; what could not be written back (lone surrogates, 1e999, deep nesting) is refused at
load with a sentence; saves keep permissions and clean up after killed saves; projects read
their weights only when used; a pipe named x.json is refused at once."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.project import (
    DesignFileError,
    Project,
    doc_to_dict,
    dumps,
    load_design,
    open_any,
    save_design,
    save_project,
)
from backend.templates import TEMPLATES, make_template

TEXT = st.text(st.characters(codec="utf-8"), max_size=12)
VALUE = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=False,
                                                                          allow_infinity=False)
    | TEXT,
    lambda kids: st.lists(kids, max_size=3) | st.dictionaries(TEXT, kids, max_size=3),
    max_leaves=12)
EDITS = st.lists(st.tuples(st.sampled_from(["name", "title", "section", "param", "pos",
                                            "comment"]), VALUE, st.integers(0, 50)),
                 max_size=5)


def mutated(template: str, edits) -> dict:
    data = doc_to_dict(make_template(template))
    for where, value, k in edits:
        node = data["nodes"][k % len(data["nodes"])]
        if where == "name":
            data["name"] = value
        elif where == "title":
            node["title"] = value
        elif where == "section":
            data[f"extra_{k}"] = {"value": value}
        elif where == "param":
            node["params"][f"p{k}"] = value
        elif where == "pos":
            node["pos"] = [value, k]
        else:
            data.setdefault("comments", []).append({"id": f"c{k}", "text": value})
    return data


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.sampled_from(sorted(TEMPLATES)), EDITS)
def test_whatever_loads_saves_and_loads_again_identically(tmp_path, template, edits):
    raw = json.dumps(mutated(template, edits), ensure_ascii=bool(edits) and edits[0][2] % 2)
    path = tmp_path / "fuzzed.json"
    path.write_text(raw, encoding="utf-8")
    try:
        doc = open_any(path).doc
    except DesignFileError as exc:
        assert "\n" not in str(exc)
        return
    for name in ("again.json", "again.nwproj"):
        save_project(tmp_path / name, Project(doc))
        assert open_any(tmp_path / name).doc.snapshot() == doc.snapshot()
        assert dumps(open_any(tmp_path / name).doc) == dumps(doc)


@pytest.mark.parametrize("text, words", [
    ('"\\ud800x"', "not valid Unicode (a lone surrogate \\ud800)"),
    ("1e999", "not valid JSON (number 1e999 is too large)"),
    ("-1e999", "not valid JSON (number -1e999 is too large)"),
    ("[" * 40 + "]" * 40, "nested more than 32 levels deep"),
    ("[" * 900 + "]" * 900, "levels deep"),
    ("[" * 100_000 + "]" * 100_000, "not valid JSON"),
])
def test_what_could_not_be_saved_back_is_refused_at_load(tmp_path, text, words):
    data = doc_to_dict(make_template("mlp"))
    raw = json.dumps(data)[:-1] + f', "dataset_extra": {{"v": {text}}}}}'
    for name in ("d.json", "p.nwproj"):
        path = tmp_path / name
        if name.endswith(".json"):
            path.write_text(raw)
        else:
            save_project(path, make_template("mlp"))
            _replace_design(path, raw)
        with pytest.raises(DesignFileError) as info:
            open_any(path)
        assert words in str(info.value) and "\n" not in str(info.value)


def _replace_design(path, design_text: str) -> None:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        head = json.loads(zf.read("project.json"))
    text = json.dumps({**head, "design": "@@"}).replace('"@@"', design_text)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.json", text)


def test_unsavable_values_made_in_memory_are_refused_with_the_file_kept(tmp_path):
    path = tmp_path / "d.json"
    save_design(make_template("mlp"), path)
    before = path.read_bytes()
    deep: object = 1
    for _ in range(40):
        deep = [deep]
    for poison in ({"v": float("inf")}, {"v": "\ud800"}, {"v": deep}):
        doc = make_template("mlp")
        doc.sections["extra"] = poison
        for name in ("d.json", "p.nwproj"):
            with pytest.raises(DesignFileError, match="cannot save") as info:
                save_project(tmp_path / name, Project(doc))
            assert "\n" not in str(info.value)
        assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json"]


def test_saves_keep_the_files_permissions(tmp_path):
    for name in ("d.json", "p.nwproj"):
        path = tmp_path / name
        save_project(path, make_template("mlp"))
        os.chmod(path, 0o600)
        save_project(path, make_template("lenet5"))
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / f"{name}.bak").stat().st_mode) == 0o600


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_temp_files_of_killed_saves_go_at_the_next_open_or_save(tmp_path):
    path = tmp_path / "p.nwproj"
    save_project(path, make_template("mlp"))
    dead = _dead_pid()
    orphans = [tmp_path / f".p.nwproj.{dead}.0123abcd.tmp",
               tmp_path / f".p.nwproj.bak.{dead}.89abcdef.tmp"]
    alive = tmp_path / f".p.nwproj.{os.getppid()}.fedcba98.tmp"  # a save still running
    for p in [*orphans, alive]:
        p.write_bytes(b"half a project")
    open_any(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["p.nwproj", alive.name])
    orphans[0].write_bytes(b"again")
    save_project(path, make_template("mlp"))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["p.nwproj", "p.nwproj.bak",
                                                                alive.name])


@pytest.fixture
def trained_project(tmp_path):
    from backend.build import build_model
    from backend.export.weights import encode_weights

    doc = make_template("lenet5")
    project = Project(doc)
    project.add_run({"history": []}, encode_weights(build_model(doc).state_dict()))
    path = tmp_path / "t.nwproj"
    save_project(path, project)
    return path


def test_opening_and_summarising_a_project_never_reads_its_weights(trained_project, capsys,
                                                                   monkeypatch):
    from backend.cli import main
    from backend.project.weights_store import ArchiveEntry

    def refuse(self):
        raise AssertionError("weights were read")

    monkeypatch.setattr(ArchiveEntry, "read", refuse)
    monkeypatch.setattr(ArchiveEntry, "copy_to", refuse)
    assert main(["summary", str(trained_project)]) == 0
    assert main(["validate", str(trained_project)]) == 0
    project = open_any(trained_project)
    assert list(project.weights) == ["run_1"] and project.weights.size("run_1") > 200_000


def test_weights_stay_readable_across_saves_and_another_windows_save(trained_project):
    first = open_any(trained_project)
    second = open_any(trained_project)  # the same project open in another window
    raw = first.weights["run_1"]
    first.doc.name = "renamed"
    save_project(trained_project, first)
    assert second.weights["run_1"] == raw  # what it opened lives on as t.nwproj.bak
    save_project(trained_project, first)
    assert first.weights["run_1"] == raw
    with pytest.raises(DesignFileError, match="changed on disk since it was opened"):
        second.weights["run_1"]
    copy = trained_project.with_name("copy.nwproj")
    save_project(copy, first)
    assert open_any(copy).weights["run_1"] == raw and first.weights["run_1"] == raw


def test_weights_changed_on_disk_are_refused_with_a_sentence(trained_project):
    project = open_any(trained_project)
    trained_project.write_bytes(trained_project.read_bytes())  # another program rewrote it
    os.utime(trained_project, ns=(1, 1))
    with pytest.raises(DesignFileError, match="changed on disk since it was opened"):
        project.weights["run_1"]


def test_a_project_too_big_for_memory_is_refused_before_reading(trained_project,
                                                                monkeypatch):
    monkeypatch.setenv("NETWRIGHT_MEMORY_LIMIT", "16KB")
    with pytest.raises(DesignFileError, match="would take .* memory limit .* is 16 KB"):
        open_any(trained_project)
    monkeypatch.setenv("NETWRIGHT_MEMORY_LIMIT", "1MB")
    project = open_any(trained_project)
    monkeypatch.setenv("NETWRIGHT_MEMORY_LIMIT", "100KB")
    with pytest.raises(DesignFileError, match="weights .* take 2\\d\\d KB"):
        project.weights["run_1"]


def test_a_pipe_named_like_a_design_is_refused_at_once(tmp_path, capsys):
    from backend.cli import main

    fifo = tmp_path / "x.json"
    os.mkfifo(fifo)
    codes = []
    worker = threading.Thread(target=lambda: codes.extend(
        main([cmd, str(fifo)]) for cmd in ("summary", "validate")), daemon=True)
    worker.start()
    worker.join(20)
    if worker.is_alive():  # unblock the reader before failing
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a pipe blocked")
    assert codes == [2, 2]
    assert "not a regular file" in capsys.readouterr().err
    with pytest.raises(DesignFileError, match="not a regular file"):
        load_design(fifo)


def _blob(header: dict, data_len: int, lead: bytes = b"") -> bytes:
    text = lead + json.dumps(header).encode()
    return len(text).to_bytes(8, "little") + text + bytes(data_len)


TENSOR = st.fixed_dictionaries({
    "dtype": st.sampled_from(["F32", "F16", "I64", "U8", "BOOL", "X9"]),
    "shape": st.lists(st.integers(0, 3), max_size=3),
    "data_offsets": st.lists(st.integers(0, 40), min_size=2, max_size=2)})


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from("abcd"), TENSOR, max_size=3),
       st.one_of(st.none(), st.dictionaries(st.text(max_size=3), st.text(max_size=3) |
                                            st.integers(), max_size=2)),
       st.integers(0, 60), st.sampled_from([b"", b" "]))
def test_weights_we_accept_are_weights_the_safetensors_library_reads(tensors, meta, size,
                                                                     lead):
    from safetensors.torch import load

    from backend.project.safe import check_safetensors

    header = dict(tensors) if meta is None else {**tensors, "__metadata__": meta}
    raw = _blob(header, size, lead)
    try:
        check_safetensors(raw, "w")
    except DesignFileError:
        return
    load(raw)  # must not raise


@pytest.mark.parametrize("header, size", [
    ({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
      "b": {"dtype": "U8", "shape": [2], "data_offsets": [3, 5]}}, 5),  # a gap
    ({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
      "b": {"dtype": "U8", "shape": [2], "data_offsets": [1, 3]}}, 3),  # an overlap
    ({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]}}, 4),  # trailing bytes
    ({"a": {"dtype": "U8", "shape": [2], "data_offsets": [0, 2]},
      "__metadata__": {"n": 1}}, 2),  # metadata that is not text
])
def test_weights_the_library_rejects_are_refused(header, size):
    from backend.project.safe import check_safetensors

    with pytest.raises(DesignFileError, match="damaged"):
        check_safetensors(_blob(header, size), "w")
