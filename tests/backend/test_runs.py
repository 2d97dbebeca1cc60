"""Runs in a project: numbering that continues, names every place agrees on, the best run,
curves from the history, rename/annotate/delete as invertible edits, labels saying what
differs."""

from __future__ import annotations

import copy

import pytest

from backend.graph import SetParams
from backend.project import Project, doc_to_dict, open_any, save_project
from backend.project.run_edits import DeleteRun, RunEditError, SetRunText
from backend.project.run_labels import run_labels, settings_changes
from backend.project.runs import best_run, find_run, run_curves, run_name, run_score
from backend.templates import make_template

WEIGHTS = None  # filled once: a tiny valid safetensors blob


def weights() -> bytes:
    global WEIGHTS
    if WEIGHTS is None:
        import torch

        from backend.export.weights import encode_weights

        WEIGHTS = encode_weights({"w": torch.zeros(2)})
    return WEIGHTS


def record(val_acc: list[float], training: dict | None = None, design: dict | None = None,
           best_epoch: int | None = None) -> dict:
    history = [{"epoch": i + 1, "train_loss": 1.0 / (i + 1), "val_loss": 1.0 - acc,
                "train_accuracy": acc, "val_accuracy": acc, "lr": 0.001, "val_metrics": {}}
               for i, acc in enumerate(val_acc)]
    if best_epoch is None:
        best_epoch = min(history, key=lambda h: h["val_loss"])["epoch"]
    return {"training": training or {"optimizer": "adam", "lr": 0.001},
            "dataset": {"name": "moons"}, "history": history,
            "design": design or doc_to_dict(make_template("xor-mlp")),
            "final": {"reason": "completed", "best_epoch": best_epoch},
            "finished_at": "2024-05-01T12:00:00Z"}


def project_with(*accs: list[float]) -> Project:
    project = Project(make_template("xor-mlp"))
    for acc in accs:
        project.add_run(record(acc), weights())
    return project


def test_numbering_continues_after_the_highest_stored_run_even_after_deleting_it(tmp_path):
    project = project_with([0.5], [0.6], [0.7], [0.8])
    assert [r["id"] for r in project.runs] == ["run_1", "run_2", "run_3", "run_4"]
    DeleteRun("run_4").apply(project)
    path = tmp_path / "p.nwproj"
    save_project(path, project)
    again = open_any(path)
    assert again.next_run_id() == "run_5"  # run_4's number is not given to another run
    assert again.add_run(record([0.9]), weights()) == "run_5"
    older = Project(make_template("xor-mlp"), runs=[{"id": "run_7"}])  # no counter stored
    assert older.next_run_id() == "run_8"


def test_a_run_has_one_name_everywhere_and_can_be_found_by_id_number_or_name():
    project = project_with([0.5], [0.6])
    first, second = project.runs
    assert run_name(first) == "run 1"
    SetRunText("run_2", "name", "  wide   hidden ").apply(project)
    assert run_name(second) == "wide hidden"
    for key in ("run_2", "run 2", "2", "WIDE hidden"):
        assert find_run(project.runs, key) is second
    with pytest.raises(ValueError, match="no run called 'run 9'.*'run 1', 'wide hidden'"):
        find_run(project.runs, "run 9")


def test_names_that_would_be_ambiguous_are_refused_with_the_fix():
    project = project_with([0.5], [0.6])
    SetRunText("run_1", "name", "baseline").apply(project)
    for name, words in (("Baseline", "already called"), ("run 1", "another run is numbered"),
                        ("1", "another run is numbered"), ("x" * 81, "at most 80")):
        with pytest.raises(RunEditError, match=words.split()[0]):
            SetRunText("run_2", "name", name).apply(project)
    assert "name" not in project.runs[1]
    SetRunText("run_2", "name", "run 2").apply(project)  # its own number: the default name
    assert "name" not in project.runs[1]


def test_rename_annotate_and_delete_undo_exactly():
    project = project_with([0.5], [0.6], [0.7])
    before = (copy.deepcopy(project.runs), dict(project.weights))
    undo_rename = SetRunText("run_2", "name", "sgd try").apply(project)
    undo_note = SetRunText("run_2", "note", "loss plateaued after epoch 3").apply(project)
    undo_delete = DeleteRun("run_2").apply(project)
    assert [r["id"] for r in project.runs] == ["run_1", "run_3"]
    assert "run_2" not in project.weights
    redo_delete = undo_delete.apply(project)
    assert project.runs[1]["note"] == "loss plateaued after epoch 3"
    undo_note.apply(project)
    undo_rename.apply(project)
    assert (project.runs, project.weights) == before
    redo_delete.apply(project)
    with pytest.raises(RunEditError, match="no run 'run_2'"):
        SetRunText("run_2", "note", "x").apply(project)


def test_names_and_notes_survive_saving_and_reopening(tmp_path):
    project = project_with([0.5], [0.6])
    SetRunText("run_1", "name", "baseline").apply(project)
    SetRunText("run_1", "note", "first try\nwith defaults").apply(project)
    save_project(tmp_path / "p.nwproj", project)
    first = open_any(tmp_path / "p.nwproj").runs[0]
    assert (run_name(first), first["note"]) == ("baseline", "first try\nwith defaults")


def test_the_best_run_is_chosen_by_validation_metric_and_is_the_default_weights():
    project = project_with([0.6, 0.9], [0.95, 0.7], [0.8])
    assert run_score(project.runs[0]).text == "val acc 90.0%"
    assert run_score(project.runs[1]).value == 0.95  # the kept (best) epoch, not the last
    assert best_run(project.runs)["id"] == "run_2"
    assert project.default_weights() == "run_2"
    del project.weights["run_2"]
    assert project.default_weights() == "run_1"  # the best run that kept weights
    regression = record([0.0])
    for h, loss in zip(regression["history"], [0.3], strict=True):
        h["val_accuracy"], h["val_loss"] = None, loss
    assert run_score(regression).text == "val loss 0.3"


def test_curves_come_from_the_history():
    curves = run_curves(record([0.5, 0.75]))
    assert curves["val_metric"] == ([1.0, 2.0], [0.5, 0.75])
    assert curves["train_loss"] == ([1.0, 2.0], [1.0, 0.5])
    assert set(curves) == {"train_loss", "val_loss", "lr", "train_metric", "val_metric"}


def test_labels_name_only_the_settings_that_differ():
    runs = [record([0.5], {"optimizer": "sgd", "lr": 0.1}),
            record([0.5], {"optimizer": "adam"}),  # lr left at its default 0.001
            record([0.5], {"optimizer": "adam", "lr": 0.001, "seed": 3})]
    for i, run in enumerate(runs):
        run["id"] = f"run_{i + 1}"
    labels = run_labels(runs)
    assert labels == {"run_1": "sgd lr 0.1, seed 0", "run_2": "adam lr 0.001, seed 0",
                      "run_3": "adam lr 0.001, seed 3"}
    assert run_labels(runs[:2]) == {"run_1": "sgd lr 0.1", "run_2": "adam lr 0.001"}
    assert run_labels(runs[:1]) == {"run_1": "sgd lr 0.1"}  # alone: its main settings
    again = copy.deepcopy(runs[1])
    again["id"] = "run_4"
    assert run_labels([runs[0], runs[1], again])["run_4"] == "adam lr 0.001 · same as run 2"
    changes = settings_changes(runs[0], runs[2])
    assert [(c.label, c.old, c.new) for c in changes] == [
        ("optimizer", "sgd", "adam"), ("lr", 0.1, 0.001), ("seed", 0, 3)]


def test_labels_say_how_the_designs_differ():
    sigmoid = make_template("deep-sigmoid-mlp")
    relu = sigmoid.copy()
    for node in relu.nodes.values():
        if node.type == "Sigmoid":
            node.type = "ReLU"
    wide = sigmoid.copy()
    wide.apply(SetParams(next(n for n in wide.nodes if n.startswith("dense1")), {"units": 64}))
    runs = [record([0.5], design=doc_to_dict(d)) for d in (sigmoid, relu, sigmoid, wide)]
    for i, run in enumerate(runs):
        run["id"] = f"run_{i + 1}"
    assert run_labels(runs[:2]) == {"run_1": "Sigmoid ×8 instead of ReLU",
                                    "run_2": "ReLU ×8 instead of Sigmoid"}
    labels = run_labels(runs)
    assert labels["run_2"] == "ReLU ×8 instead of Sigmoid"
    assert labels["run_4"] == "dense1 units 32→64"
    assert labels["run_3"] == "same as run 1"  # the reference design, again
    assert labels["run_1"] == "adam lr 0.001"


def test_damaged_run_records_are_shown_as_far_as_they_go_never_raising():
    junk = [{"id": "run_1", "history": 5, "final": [], "training": {"lr": "fast"},
             "dataset": {"name": 3}, "design": "x", "name": 7, "finished_at": "yesterday"},
            {"id": "run_2", "history": [{"epoch": "1", "val_accuracy": True}, 3],
             "final": {"best_epoch": 9}, "training": [], "design": {"nodes": 1}},
            {"id": "weird id", "note": None}]
    labels = run_labels(junk)
    assert set(labels) == {"run_1", "run_2", "weird id"}
    assert [run_name(r) for r in junk] == ["run 1", "run 2", "weird id"]
    assert all(run_score(r) is None for r in junk)
    assert all(run_curves(r) == {} for r in junk[:1]) and best_run(junk) is None
    assert settings_changes(junk[0], junk[1]) is not None
