"""Design files, format version 2: plain, sorted, pretty JSON that round-trips exactly, saves
atomically, and refuses anything malformed with one DesignFileError sentence."""

from __future__ import annotations

import copy
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.graph import Comment
from backend.project import DesignFileError, dumps, load_design, loads, save_design
from backend.project.design import FORMAT, VERSION
from backend.shapes import analyse
from backend.templates import TEMPLATES, make_template


def sample_doc():
    doc = make_template("resnet")
    doc.name = "Ünïcode ✓ design"
    first = next(iter(doc.nodes.values()))
    first.title = "entrée \"quoted\""
    first.pos = (12.25, -678.9)  # positions are saved to 0.01
    doc.comments["note_1"] = Comment("note_1", "residual\nblock", (1.5, 2.0), (300.0, 90.0))
    doc.sections["training"] = {"epochs": 3, "lr": 0.01, "nested": {"a": [1, 2]}}
    return doc


def test_file_is_sorted_pretty_versioned_json():
    text = dumps(sample_doc())
    data = json.loads(text)
    assert data["format"] == FORMAT and data["version"] == VERSION == 2
    assert text == json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert "Ünïcode ✓" in text  # readable, not \\u-escaped
    assert data["training"]["epochs"] == 3
    assert [n["id"] for n in data["nodes"]] == list(sample_doc().nodes)


def test_round_trip_is_exact_and_stable():
    doc = sample_doc()
    again = loads(dumps(doc))
    assert again.snapshot() == doc.snapshot()
    assert dumps(again) == dumps(doc)


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_round_trips(name, tmp_path):
    doc = make_template(name)
    path = tmp_path / f"{name}.json"
    save_design(doc, path)
    again = load_design(path)
    assert again.snapshot() == doc.snapshot()
    assert analyse(again).shapes == analyse(doc).shapes


def test_failed_save_keeps_the_old_file_and_leaves_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "design.json"
    save_design(make_template("mlp"), path)
    before = path.read_bytes()

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(DesignFileError, match="cannot save design.json: the disk is full"):
        save_design(sample_doc(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["design.json"]


def test_values_out_of_range_load_and_become_design_problems():
    data = json.loads(dumps(make_template("mlp")))
    data["nodes"][2]["params"]["units"] = -4
    doc = loads(json.dumps(data))
    problems = analyse(doc).problems
    assert problems and "'units' must be at least 1" in problems[0].message


@pytest.mark.parametrize("mutate, words", [
    (lambda d: d["nodes"][1].update(type="Dense2"), "unknown layer type 'Dense2'"),
    (lambda d: d["nodes"][1].pop("id"), "node 2's id must be text"),
    (lambda d: d["nodes"][1].update(id=""), "empty id"),
    (lambda d: d["nodes"].append(copy.deepcopy(d["nodes"][0])), "share the id"),
    (lambda d: d["edges"][0].update(to="ghost"), "missing node 'ghost'"),
    (lambda d: d["edges"].append(copy.deepcopy(d["edges"][0])), "duplicates an earlier wire"),
    (lambda d: d.update(comments=[{"id": "c"}, {"id": "c"}]), "share the id 'c'"),
    (lambda d: d["nodes"][0]["params"].update(shape="28x28"), "'shape' must be a list"),
    (lambda d: d["nodes"][2]["params"].update(units=[64]), "'units' must be a whole number"),
    (lambda d: d["nodes"][0].update(pos=[1e300, 0]), "pos must be two numbers"),
    (lambda d: d["nodes"][0].update(pos=[float("inf"), 0]), "Infinity is not allowed"),
    (lambda d: d.update(version=VERSION + 1), "newer than this Netwright understands"),
    (lambda d: d.update(name=["x"]), "name must be text"),
    (lambda d: d.update(dataset="digits"), "section 'dataset' must be an object"),
])
def test_malformed_designs_give_one_sentence(mutate, words):
    data = json.loads(dumps(make_template("mlp")))
    mutate(data)
    with pytest.raises(DesignFileError, match=None) as info:
        loads(json.dumps(data, allow_nan=True))
    message = str(info.value)
    assert words in message and "\n" not in message, message


def test_byte_order_mark_is_accepted():
    text = dumps(make_template("mlp"))
    assert loads(b"\xef\xbb\xbf" + text.encode()).snapshot() == loads(text).snapshot()


def test_loading_never_runs_or_imports_anything_named_in_the_file():
    data = json.loads(dumps(make_template("mlp")))
    data["nodes"][1]["type"] = "__import__('os').system('false')"
    with pytest.raises(DesignFileError, match="unknown layer type"):
        loads(json.dumps(data))


# -- hypothesis: random edits of a valid file never escape as anything but DesignFileError --

JSON = st.recursive(st.none() | st.booleans() | st.integers(-10**6, 10**6) |
                    st.floats(allow_nan=False) | st.text(max_size=6),
                    lambda inner: st.lists(inner, max_size=3) |
                    st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
BASE = json.loads(dumps(make_template("lenet5")))


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*prefix, i))


PATHS = [p for p in _paths(BASE) if p]


def _set(data, path, value):
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value


_DELETE = object()


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PATHS), JSON | st.just(_DELETE)), min_size=1,
                max_size=3))
def test_mutated_files_load_or_fail_with_one_sentence(edits):
    data = copy.deepcopy(BASE)
    for path, value in edits:
        try:
            _set(data, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed this path
    try:
        doc = loads(json.dumps(data))
    except DesignFileError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    analysis = analyse(doc)  # whatever loaded must analyse without raising
    assert {p.node for p in analysis.problems} <= set(doc.nodes) | {None}
    assert loads(dumps(doc)).snapshot() == doc.snapshot()


def test_saved_files_are_readable_like_any_new_file(tmp_path):
    """Atomic saves go through a private temporary file; the result must not stay private."""
    from backend.project.project import save_project
    from backend.templates import make_template

    umask = os.umask(0o022)
    try:
        save_design(make_template("mlp"), tmp_path / "d.json")
        save_project(tmp_path / "p.nwproj", make_template("mlp"))
    finally:
        os.umask(umask)
    for name in ("d.json", "p.nwproj"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644
