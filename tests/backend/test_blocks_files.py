"""Blocks in files: design version 2 round-trips blocks exactly (JSON, projects, exported
Python), version 1 files still open, and malformed blocks are one sentence, never a crash."""

from __future__ import annotations

import copy
import json

import pytest
from block_designs import densenet, resnet18
from test_block_ops import block_doc

from backend.cli import main
from backend.project import (
    DesignFileError,
    Project,
    dumps,
    loads,
    open_any,
    save_design,
    save_project,
)
from backend.project.design import VERSION
from backend.shapes import analyse
from backend.templates import make_template


@pytest.mark.parametrize("make", [block_doc, densenet, resnet18])
def test_designs_with_blocks_round_trip_exactly(make):
    doc = make()
    text = dumps(doc)
    data = json.loads(text)
    assert data["version"] == VERSION == 2 and data["blocks"]
    again = loads(text)
    assert again.snapshot() == doc.snapshot()
    assert dumps(again) == text
    assert analyse(again).shapes == analyse(doc).shapes


def test_projects_and_exported_python_keep_the_blocks(tmp_path):
    from backend.export.python import export_python

    doc = block_doc()
    save_project(tmp_path / "blocks.nwproj", Project(doc))
    assert open_any(tmp_path / "blocks.nwproj").doc.snapshot() == doc.snapshot()
    export_python(doc, tmp_path / "model.py")
    assert open_any(tmp_path / "model.py").doc.snapshot() == doc.snapshot()


def test_a_design_without_blocks_writes_no_blocks_key():
    assert "blocks" not in json.loads(dumps(make_template("lenet5")))


def test_version_1_files_still_open():
    data = json.loads(dumps(make_template("lenet5")))
    data["version"] = 1
    data["blocks"] = {"note": "a settings section a user once called 'blocks'"}
    doc = loads(json.dumps(data))
    assert doc.snapshot()["nodes"] == make_template("lenet5").snapshot()["nodes"]
    assert doc.sections["blocks_section"] == {"note": "a settings section a user once "
                                                      "called 'blocks'"}
    assert not doc.blocks


def _mutate(fn):
    data = json.loads(dumps(block_doc()))
    fn(data)
    return json.dumps(data)


def _block(data, bid="basic"):
    return next(b for b in data["blocks"] if b["id"] == bid)


def _node(data, nid):
    return next(n for n in data["nodes"] if n["id"] == nid)


BAD = [
    (lambda d: d.update(blocks={"basic": {}}), "'blocks' must be a list"),
    (lambda d: d["blocks"].append(3), "block 3 must be an object"),
    (lambda d: _block(d).update(id=""), "empty id"),
    (lambda d: d["blocks"].append(copy.deepcopy(_block(d))), "two blocks share the id"),
    (lambda d: _block(d)["params"].append({"name": "1x", "kind": "int"}), "cannot name"),
    (lambda d: _block(d)["params"][0].update(kind="text"), "has kind 'text'"),
    (lambda d: _block(d)["params"][0].update(default="wide"), "cannot default"),
    (lambda d: _block(d)["params"][0].update(min="1"), "min and max must be numbers"),
    (lambda d: _block(d).update(sequential="yes"), "'sequential' must be true or false"),
    (lambda d: _block(d)["nodes"][1].update(type="Conv9d"), "unknown layer type 'Conv9d'"),
    (lambda d: _block(d)["edges"][0].update(to="ghost"), "of block 'basic' refers to a "
                                                         "missing node 'ghost'"),
    (lambda d: _node(d, "blk_1")["params"].update(colour=1), "has no parameter 'colour'"),
    (lambda d: _node(d, "blk_1")["params"].update(definition=5), "'definition' must name"),
    (lambda d: _node(d, "blk_1")["params"].update(args={"channels": "six"}),
     "argument 'channels' must be a number"),
    (lambda d: _node(d, "blk_1")["params"].update(repeat=True), "'repeat' must be a whole"),
    (lambda d: _block(d)["nodes"][1]["params"].update(filters=[1, 2]), "'filters' must be"),
]


@pytest.mark.parametrize("mutate, words", BAD, ids=[w for _, w in BAD])
def test_malformed_blocks_give_one_sentence(mutate, words):
    with pytest.raises(DesignFileError) as info:
        loads(_mutate(mutate))
    message = str(info.value)
    assert words in message and "\n" not in message, message


def test_expressions_and_unknown_definitions_open_and_are_design_problems():
    text = _mutate(lambda d: _node(d, "blk_1")["params"].update(definition="missing"))
    problems = analyse(loads(text)).problems
    assert problems[0].node == "blk_1" and "does not define" in problems[0].message
    text = _mutate(lambda d: _block(d)["nodes"][1]["params"].update(filters="{2 ** 99}"))
    assert any("power" in p.message for p in analyse(loads(text)).problems)


def test_cli_summary_json_adds_counts_and_keeps_the_contract(tmp_path, capsys):
    path = tmp_path / "resnet.json"
    save_design(resnet18(), path)
    assert main(["summary", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert {"nodes", "total_params", "trainable_params", "problems"} <= set(summary)
    assert summary["total_params"] == summary["trainable_params"] == 11_689_512
    assert summary["non_trainable_params"] == 0
    assert summary["non_trainable_state"] == 9_600 and summary["batch_counters"] == 20
    assert summary["keras_total"] == 11_699_112
    layer1 = next(n for n in summary["nodes"] if n["title"] == "layer1")
    assert layer1["type"] == "Block" and layer1["block"] == "basic" and layer1["repeat"] == 2
    assert main(["summary", str(path), "--json", "--expand"]) == 0
    layers = json.loads(capsys.readouterr().out)["layers"]
    paths = [entry["path"] for entry in layers]
    assert "layer4.1.conv2" in paths and "layer3.0.downsample.1" in paths
    assert main(["summary", str(path)]) == 0
    text = capsys.readouterr().out
    assert "Non-trainable state: 9,600" in text and "11,699,112" in text
