"""Hostile input files, as an attacker would hand them to every command: malformed and deeply
nested JSON, NaN/Infinity and 1e999, wrong types, unicode tricks and lone surrogates, absurd
shapes, names that collide with exported code, zip bombs, traversal, wrong safetensors, pipes,
links and devices, damaged run records. `write_cases(folder)` writes them and returns their
paths; `mutations` turns a template into many small corruptions for the fuzz test."""

from __future__ import annotations

import copy
import functools
import io
import json
import os
import random
import struct
import zipfile
from pathlib import Path

from backend.project import doc_to_dict
from backend.templates import make_template

TRAP_NAMES = ["Run", "Batches", "SETTINGS", "DATASET", "F", "torch", "class", "None",
              "print", "forward", "0abc", "", "\u202eevil\u200b", "名前🙂", "a" * 5000,
              "line\nbreak\\", "\"\"\"; import os; os.system('touch /tmp/pwned') #"]


def design(template: str = "mlp") -> dict:
    return doc_to_dict(make_template(template))


def _set_input(data: dict, shape: list) -> dict:
    for node in data["nodes"]:
        if node["type"] == "Input":
            node["params"]["shape"] = shape
    return data


def _nested(depth: int) -> object:
    value: object = 1
    for _ in range(depth):
        value = {"a": value}
    return value


def json_cases() -> dict[str, str | bytes]:
    """name -> file content of hostile .json designs."""
    cases: dict[str, str | bytes] = {
        "empty.json": b"", "null.json": "null", "list.json": "[]", "object.json": "{}",
        "binary.json": bytes(range(256)) * 4, "utf16.json": json.dumps(design()).encode("utf-16"),
        "nan.json": json.dumps(design())[:-1] + ', "x": {"v": NaN}}',
        "inf.json": json.dumps(design())[:-1] + ', "x": {"v": 1e999}}',
        "surrogate.json": json.dumps(design())[:-1] + ', "name": "\\ud800"}',
        "deep70.json": json.dumps({**design(), "training": _nested(70)}),
        "deep900.json": '{"format": "netwright-design", "version": 1, "dataset": '
                        + '{"a": ' * 900 + "1" + "}" * 901,
        "deep100k.json": "[" * 100_000 + "]" * 100_000,
        "huge-int.json": json.dumps(design())[:-1] + ', "x": {"v": ' + "9" * 5000 + "}}",
        "dense-60000.json": _dense(60000),
        "input-1e13.json": json.dumps(_set_input(design(), [10**13])),
        "lenet-1e15.json": json.dumps(_set_input(design("lenet5"), [1, 31622777, 31622777])),
        "input-zero.json": json.dumps(_set_input(design(), [0])),
        "input-negative.json": json.dumps(_set_input(design(), [-5])),
        "input-1000-dims.json": json.dumps(_set_input(design(), [1] * 1000)),
        "input-text.json": json.dumps(_set_input(design(), ["64"])),
        "input-float.json": json.dumps(_set_input(design(), [64.5])),
        "input-huge.json": json.dumps(_set_input(design(), [10**40])),
        "self-loop.json": json.dumps(_edges(lambda d: d["edges"].append(
            {"from": d["nodes"][1]["id"], "to": d["nodes"][1]["id"]}))),
        "cycle.json": json.dumps(_edges(lambda d: d["edges"].append(
            {"from": d["nodes"][-1]["id"], "to": d["nodes"][1]["id"]}))),
        "bad-port.json": json.dumps(_edges(lambda d: d["edges"][0].update(to_port="nope"))),
        "dataset-fifo.json": json.dumps({**design(), "dataset": {"name": "csv",
                                                                 "path": "pipe.csv"}}),
        "dataset-dev.json": json.dumps({**design(), "dataset": {"name": "csv",
                                                                "path": "/dev/zero"}}),
        "dataset-folder.json": json.dumps({**design(), "dataset": {"name": "csv", "path": "."}}),
        "dataset-wide.json": json.dumps(_csv_design("wide.csv")),
        "dataset-unknown.json": json.dumps({**design(), "dataset": {"name": "nope"}}),
        "training-types.json": json.dumps({**design(), "training": {
            "epochs": "many", "lr": [1], "batch_size": 1e300, "optimizer": None}}),
        "blocks-self.json": json.dumps(_self_block()),
    }
    for i, name in enumerate(TRAP_NAMES):
        data = design()
        data["name"] = name
        data["nodes"][1]["title"] = name
        data["nodes"][1]["id"] = name or "empty"
        for edge in data["edges"]:
            for end in ("from", "to"):
                if edge[end] == design()["nodes"][1]["id"]:
                    edge[end] = name or "empty"
        cases[f"trap-{i}.json"] = json.dumps(data)
    return cases


def _dense(units: int) -> str:
    data = design()
    for node in data["nodes"]:
        if node["type"] == "Dense":
            node["params"]["units"] = units
    return json.dumps(data)


def _edges(edit) -> dict:
    data = design()
    edit(data)
    return data


def _csv_design(path: str) -> dict:
    data = _set_input(design(), [2])
    data["nodes"][-1]["params"]["units"] = 2
    data["dataset"] = {"name": "csv", "path": path, "target": "label",
                       "task": "classification"}
    return data


def _self_block() -> dict:
    data = design()
    data["version"] = 2
    data["blocks"] = [{"id": "b", "title": "B", "params": [],
                       "nodes": [{"id": "i", "type": "BlockInput", "params": {}},
                                 {"id": "inner", "type": "Block",
                                  "params": {"definition": "b", "repeat": 10**9}},
                                 {"id": "o", "type": "BlockOutput", "params": {}}],
                       "edges": [{"from": "i", "to": "inner"}, {"from": "inner", "to": "o"}]}]
    data["nodes"].append({"id": "blk", "type": "Block",
                          "params": {"definition": "b", "repeat": 10**9}})
    return data


def _zip(entries: list[tuple[str, bytes]], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return buf.getvalue()


def _head(**extra) -> bytes:
    return json.dumps({"format": "netwright-project", "version": 2, "weights": [], "runs": [],
                       "meta": {}, "design": design(), **extra}).encode()


def _safetensors(header: dict, data: bytes) -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data


def project_cases() -> dict[str, bytes]:
    wrong = _safetensors({"nope": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}},
                         b"\0" * 4)
    gap = _safetensors({"a": {"dtype": "U8", "shape": [1], "data_offsets": [1, 2]}}, b"\0\0")
    return {
        "bomb.nwproj": _zip([("project.json", _head()), ("runs/r.json", b"0" * 30_000_000)]),
        "runs-bomb.nwproj": _zip([("project.json", _head(runs=[f"r{i}" for i in range(40)]))]
                                 + [(f"runs/r{i}.json", b"[" + b"0," * 400_000 + b"0]")
                                    for i in range(40)]),
        "traversal.nwproj": _zip([("project.json", _head()), ("../evil", b"x")]),
        "many.nwproj": _zip([("project.json", _head())] + [(f"x/{i}", b"") for i in range(1100)],
                            zipfile.ZIP_STORED),
        "wrong-weights.nwproj": _zip([("project.json", _head(weights=["w"])),
                                      ("weights/w.safetensors", wrong)]),
        "gap-weights.nwproj": _zip([("project.json", _head(weights=["w"])),
                                    ("weights/w.safetensors", gap)]),
        "missing-weights.nwproj": _zip([("project.json", _head(weights=["w"]))]),
        "deep-design.nwproj": _zip([("project.json", json.dumps({
            "format": "netwright-project", "version": 2, "design": {
                **design(), "training": _nested(40)}}).encode())]),
        "truncated.nwproj": _zip([("project.json", _head())])[:300],
        "not-zip.nwproj": b"PK\x03\x04" + os.urandom(200),
    }


@functools.cache
def _mlp_weights() -> bytes:
    from backend.build import build_model
    from backend.export.weights import encode_weights

    return encode_weights(build_model(make_template("mlp")).state_dict())


def _run_project(runs: list[dict], index=None, weights=("run_1",)) -> bytes:
    """A project holding `runs` (damaged run records) and real weights for `weights`."""
    blob = _mlp_weights()
    ids = [r["id"] for r in runs] if index is None else index
    entries = [("project.json", _head(runs=ids, weights=list(weights)))]
    entries += [(f"weights/{w}.safetensors", blob) for w in weights]
    entries += [(f"runs/{r['id']}.json", json.dumps(r).encode()) for r in runs]
    return _zip(entries)


def run_cases() -> dict[str, bytes]:
    """Projects whose run records were damaged or edited by hand: what `summary`, `diff
    PROJECT:RUN` and `export --run` read."""
    good = {"id": "run_1", "history": [{"epoch": 1, "val_accuracy": 0.5}], "design": design(),
            "training": {"epochs": 1}, "finished_at": "2026-01-01T00:00:00Z"}
    odd = {"history": [1, None, {"epoch": "x", "val_accuracy": "y"},
                       {"epoch": 10**30, "val_accuracy": 0.5, "val_loss": [1]}],
           "name": ["run 1"], "note": {"a": 1}, "finished_at": 5, "training": "fast",
           "final": {"best_epoch": []}}
    return {
        "run-odd-fields.nwproj": _run_project([{**good, **odd}]),
        "run-history-number.nwproj": _run_project([{**good, "history": 3, "note": 7}]),
        "run-design-junk.nwproj": _run_project([{**good, "design": {
            "nodes": [1, {"id": []}, {"id": "a", "type": 5, "params": []}],
            "edges": [1, {"from": {}, "to": []}, {"from": "a", "to": "a"}]}}]),
        "run-design-number.nwproj": _run_project([{**good, "design": 5}]),
        "run-design-deep.nwproj": _run_project([{**good, "design": {
            **design(), "training": _nested(60)}}]),
        "run-same-names.nwproj": _run_project([good, {**good, "id": "run_2", "name": "run 1"}],
                                              weights=("run_1", "run_2")),
        "run-index-objects.nwproj": _run_project([good], index=[{"id": "run_1"}]),
        "run-index-text.nwproj": _run_project([good], index="run_1"),
        "run-index-long.nwproj": _run_project([good], index=["run_" + "9" * 400]),
        "run-weights-only.nwproj": _run_project([], weights=("run_7",)),
    }


def write_cases(folder: Path) -> list[Path]:
    """Write every hostile case into `folder`; returns the files to hand to commands."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in {**json_cases(), **project_cases(), **run_cases()}.items():
        path = folder / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8",
                                                                                  "surrogatepass"))
        paths.append(path)
    (folder / "wide.csv").write_text("a,b,label\n1,2,0\n" + "1," + "2" * 200_000 + ",1\n3,4,1\n")
    os.mkfifo(folder / "pipe.csv")
    os.mkfifo(folder / "fifo.json")
    extras = {"link-dev.json": "/dev/zero", "link-loop.json": "link-loop.json",
              "link-dangling.json": "nowhere.json", "link-dir.json": "."}
    for name, target in extras.items():
        os.symlink(target, folder / name)
    paths += [folder / "fifo.json", *(folder / n for n in extras)]
    (folder / "random.onnx").write_bytes(os.urandom(500))
    (folder / "fake.py").write_text("NETWRIGHT_DESIGN = {'format': 'netwright-design'}\n")
    return paths + [folder / "random.onnx", folder / "fake.py", folder / "missing.json",
                    folder]


# -- mutations of the templates --------------------------------------------------------------
_VALUES = [None, True, -1, 0, 10**12, 2**63, 1.5, -1e308, "", "x" * 300, [], {}, [1, 2, 3],
           {"a": 1}, "\u202e", "NaN"]


def mutations(template: str, count: int, seed: int) -> list[str]:
    """`count` corrupted copies of a template's design file: a value replaced, a key removed,
    a node or wire dropped or duplicated."""
    rng = random.Random(seed)
    base = design(template)
    out = []
    for _ in range(count):
        data = copy.deepcopy(base)
        for _ in range(rng.randint(1, 3)):
            _mutate(data, rng)
        out.append(json.dumps(data))
    return out


def _mutate(data: dict, rng: random.Random) -> None:
    spots = []
    _collect(data, spots)
    container, key = rng.choice(spots)
    action = rng.random()
    if action < 0.6:
        container[key] = rng.choice(_VALUES)
    elif action < 0.8 and isinstance(container, dict):
        del container[key]
    elif isinstance(container, list):
        container.append(copy.deepcopy(container[key]))
    else:
        container[key] = copy.deepcopy(data)  # the design inside itself


def _collect(value, spots, depth: int = 0) -> None:
    if depth > 8:
        return
    items = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else ()
    for key, item in items:
        spots.append((value, key))
        _collect(item, spots, depth + 1)
