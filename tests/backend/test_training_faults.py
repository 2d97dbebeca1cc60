"""Faults during training end the run with one sentence naming the cause (and the node), keep
the best weights so far, and leave the next run unaffected: through `netwright train` and the
trainer. A layer raising and running out of memory are simulated by a patched layer."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from safetensors.numpy import load_file

from backend.cli import main
from backend.data import Dataset, DatasetInfo
from backend.graph import Edge, GraphDocument, Node
from backend.project import save_design
from backend.project.project import open_any
from backend.training import Trainer


def csv_design(folder, rows: int = 120, label=lambda i: i % 3, units: int = 3,
               epochs: int = 3) -> object:
    """A CSV of 4 features and a class label, and a design reading it (saved next to it)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 4))
    lines = ["a,b,c,d,label"] + [",".join(f"{v:.3f}" for v in x[i]) + f",{label(i)}"
                                 for i in range(rows)]
    (folder / "points.csv").write_text("\n".join(lines) + "\n")
    doc = GraphDocument("points")
    doc.nodes["x"] = Node("x", "Input", {"shape": [4]}, "x", (0.0, 0.0))
    doc.nodes["hidden"] = Node("hidden", "Dense", {"units": 8}, "hidden", (200.0, 0.0))
    doc.nodes["act"] = Node("act", "Tanh", {}, "act", (400.0, 0.0))
    doc.nodes["fc"] = Node("fc", "Dense", {"units": units}, "fc", (600.0, 0.0))
    doc.edges = [Edge("x", "hidden"), Edge("hidden", "act"), Edge("act", "fc")]
    doc.sections = {"dataset": {"name": "csv", "path": "points.csv", "target": "label"},
                    "training": {"epochs": epochs, "batch_size": 16, "lr": 0.01}}
    path = folder / "points.json"
    save_design(doc, path)
    return path


def break_node(monkeypatch, node: str, after_steps: int, error: Exception) -> None:
    """Models built from now on raise `error` in `node` from training step `after_steps + 1`
    on (and on every later call, so the trainer can trace it)."""
    import backend.build as build

    original = build.build_model

    def build_model(doc, analysis=None):
        model = original(doc, analysis)
        module = model.get_submodule(model.node_attrs[node])
        forward, calls = module.forward, {"n": 0}

        def broken(x):
            calls["n"] += torch.is_grad_enabled()
            if calls["n"] > after_steps:
                calls["n"] = after_steps + 1  # stays broken
                raise error
            return forward(x)

        module.forward = broken
        return model

    monkeypatch.setattr(build, "build_model", build_model)


def last_line(capsys) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err
    return err.strip().splitlines()[-1]


def test_a_layer_raising_mid_run_names_the_node_and_keeps_the_best_weights(
        tmp_path, monkeypatch, capsys):
    design = csv_design(tmp_path)
    break_node(monkeypatch, "act", 8, RuntimeError("shape '[16, 3]' is invalid for input"))
    out = tmp_path / "out.safetensors"
    assert main(["train", str(design), "--out", str(out)]) == 1
    line = last_line(capsys)
    assert line.startswith("netwright: training failed: layer Tanh 'act' failed at run time")
    assert "is invalid for input" in line
    assert f"the best weights so far (epoch 1) are in {out}" in line
    weights = load_file(out)
    assert weights and all(np.isfinite(w).all() for w in weights.values())


def test_a_failed_run_joins_the_project_marked_failed_with_its_curves(tmp_path, monkeypatch,
                                                                     capsys):
    design = csv_design(tmp_path)
    break_node(monkeypatch, "act", 8, RuntimeError("boom"))
    out = tmp_path / "points.nwproj"
    assert main(["train", str(design), "--out", str(out)]) == 1
    assert "failed run (1 epochs done) is in" in last_line(capsys)
    project = open_any(out)
    (run,) = project.runs
    assert run["final"]["reason"] == "error" and run["final"]["node"] == "act"
    assert "Tanh 'act'" in run["final"]["message"] and len(run["history"]) == 1
    assert run["id"] in project.weights

    monkeypatch.undo()  # the next run, into the same project, trains normally
    assert main(["train", str(out), "--epochs", "1"]) == 0
    runs = open_any(out).runs
    assert [r["final"]["reason"] for r in runs] == ["error", "completed"]


def test_running_out_of_memory_says_what_to_reduce(tmp_path, monkeypatch, capsys):
    design = csv_design(tmp_path)
    break_node(monkeypatch, "hidden", 0, RuntimeError(
        "[enforce fail at alloc_cpu.cpp:117] DefaultCPUAllocator: can't allocate memory: you "
        "tried to allocate 93415876608 bytes"))
    out = tmp_path / "out.safetensors"
    assert main(["train", str(design), "--out", str(out)]) == 1
    line = last_line(capsys)
    assert "ran out of main memory in layer Dense 'hidden' with batch size 16" in line
    assert "use a smaller batch size or make the largest layer smaller (Dense" in line
    assert "no epoch finished, so nothing was written" in line and not out.exists()


def test_a_loss_turning_nan_keeps_the_last_good_epoch(tmp_path, monkeypatch, capsys):
    import backend.build as build

    design = csv_design(tmp_path)
    original, steps = build.build_model, {"n": 0}

    def build_model(doc, analysis=None):
        model = original(doc, analysis)
        module = model.get_submodule(model.node_attrs["act"])
        forward = module.forward

        def poisoned(x):
            steps["n"] += torch.is_grad_enabled()
            return forward(x) * (float("nan") if steps["n"] > 12 else 1.0)

        module.forward = poisoned
        return model

    monkeypatch.setattr(build, "build_model", build_model)
    out = tmp_path / "out.safetensors"
    assert main(["train", str(design), "--out", str(out)]) == 1
    line = last_line(capsys)
    assert "the loss became NaN at step 13" in line and "lower the learning rate" in line
    assert all(np.isfinite(w).all() for w in load_file(out).values())


@pytest.mark.parametrize("label, words", [
    (lambda i: 12 if i == 57 else i % 3, "the label 12 (points.csv row 59), outside 0 to 2"),
    (lambda i: -1 if i == 8 else i % 3, "the label -1 (points.csv row 10), outside 0 to 2"),
    (lambda i: 1.5 if i == 20 else i % 3, "points.csv row 22 has the label 1.5, which is not "
                                          "a whole number"),
])
def test_labels_the_output_cannot_score_are_refused_before_training_with_the_row(
        tmp_path, capsys, label, words):
    design = csv_design(tmp_path, label=label)
    assert main(["train", str(design)]) == 2
    line = last_line(capsys)
    assert words in line and not (tmp_path / "points.safetensors").exists()


def test_in_memory_labels_out_of_range_stop_before_the_first_step():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    y[5] = 12
    info = DatasetInfo("toy", "classification", (3,), 2, ("no", "yes"))
    model = torch.nn.Sequential(torch.nn.Linear(3, 2))
    result = Trainer(model, Dataset(info, x, y), {"epochs": 1, "seed": 0}).run()
    assert result.reason == "error" and result.steps == 0
    assert "has label 12, but the output gives 2 class scores (labels 0 to 1)" in \
        result.message


def test_a_data_file_removed_mid_run_does_not_stop_it_and_the_next_run_says_so(tmp_path):
    from backend.data.files import data_folder
    from backend.project import load_design
    from backend.training import RunStarted

    design = csv_design(tmp_path, epochs=2)
    doc = load_design(design)
    with data_folder(tmp_path):
        events = Trainer(doc).events()
        for event in events:
            if isinstance(event, RunStarted):
                (tmp_path / "points.csv").unlink()  # the data was read when the run began
        assert event.reason == "completed" and event.epochs_done == 2
        again = Trainer(doc).run()
    assert again.reason == "error" and "points.csv does not exist" in again.message


def _cut_mid_row(text: str) -> str:
    lines = text.splitlines()
    return "\n".join(lines[:60]) + "\n" + ",".join(lines[60].split(",")[:2])


@pytest.mark.parametrize("cut, words", [
    (_cut_mid_row, "points.csv row 61 has 2 values but the header names 5"),
    (lambda text: "", "points.csv has no data rows"),
])
def test_a_truncated_data_file_is_one_sentence_with_the_row(tmp_path, capsys, cut, words):
    design = csv_design(tmp_path)
    csv = tmp_path / "points.csv"
    csv.write_text(cut(csv.read_text()))
    assert main(["train", str(design)]) == 2
    assert words in last_line(capsys)


def test_the_training_process_sends_a_failed_runs_best_weights(tmp_path, monkeypatch):
    import queue

    from backend.data.files import data_folder
    from backend.project import load_design
    from backend.project.design import doc_to_dict
    from backend.training.events import Control, Probes
    from backend.training.subprocess_run import _child_run

    design = csv_design(tmp_path)
    break_node(monkeypatch, "act", 8, RuntimeError("boom"))
    out_q = queue.Queue()
    with data_folder(tmp_path):
        finished, trainer = _child_run(doc_to_dict(load_design(design)), Probes(), Control(),
                                       out_q)
    assert finished.reason == "error" and finished.weights_kept and trainer is not None
    sent = []
    while not out_q.empty():
        sent.append(out_q.get_nowait()[0])
    assert "weights" in sent and "best" in sent


def test_a_layer_failing_in_validation_is_named_too(tmp_path, monkeypatch):
    import backend.build as build
    from backend.data.files import data_folder
    from backend.project import load_design

    original = build.build_model

    def build_model(doc, analysis=None):
        model = original(doc, analysis)
        module = model.get_submodule(model.node_attrs["hidden"])
        forward = module.forward

        def eval_only(x):
            if not module.training:
                raise RuntimeError("running_mean should contain 8 elements not 4")
            return forward(x)

        module.forward = eval_only
        return model

    monkeypatch.setattr(build, "build_model", build_model)
    design = csv_design(tmp_path)
    with data_folder(tmp_path):
        result = Trainer(load_design(design)).run()
    assert result.reason == "error" and result.node == "hidden"
    assert result.message.startswith("layer Dense 'hidden' failed at run time (running_mean")


def test_a_data_file_removed_while_it_is_read_is_one_sentence(tmp_path, monkeypatch, capsys):
    import backend.data.files as files

    design = csv_design(tmp_path)
    rng = np.random.default_rng(0)
    np.savez(tmp_path / "points.npz", x=rng.normal(size=(60, 4)).astype(np.float32),
             y=np.arange(60) % 3)
    doc = open_any(design).doc
    doc.sections["dataset"] = {"name": "npz", "path": "points.npz"}
    save_design(doc, design)
    checked = files.check_size

    def check_then_vanish(path, *args):
        checked(path, *args)
        path.unlink()  # removed between the size check and the read

    monkeypatch.setattr(files, "check_size", check_then_vanish)
    assert main(["train", str(design)]) == 2
    line = last_line(capsys)
    assert "dataset 'npz' cannot be read" in line and "points.npz" in line
    assert "in place and complete" in line
