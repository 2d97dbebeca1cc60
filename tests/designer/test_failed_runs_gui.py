"""A run that fails in the designer: its sentence in the dock, the node selected, the run in
the Runs list marked failed with the best weights so far, and the next run in the same window
trains normally."""

from __future__ import annotations

import pytest
import torch
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from backend.project import save_design
from designer.files import DISCARD
from designer.main_window import MainWindow
from tests.designer.test_project_state import RUN_TIMEOUT, moons


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    win = MainWindow()
    qtbot.addWidget(win)
    win.files.warn = lambda title, sentence: None
    win.files.ask_save_changes = lambda: DISCARD
    win.show()
    win.install_extensions()
    path = tmp_path / "moons.json"
    save_design(moons(epochs=4), path)
    win.files.open_path(str(path))
    yield win
    win.training.shutdown()
    win.files.ask_save_changes = lambda: DISCARD


def failing_after(monkeypatch, steps: int) -> dict:
    """Models built from now on raise in node 'act' from training step `steps + 1` on (and
    whenever they run after that, so the node can be traced)."""
    import backend.build as build

    state = {"on": True}
    original = build.build_model

    def build_model(doc, analysis=None):
        model = original(doc, analysis)
        act = model.get_submodule(model.node_attrs["act"])
        forward, calls = act.forward, {"n": 0, "failed": False}

        def broken(x):
            if state["on"] and torch.is_grad_enabled():
                calls["n"] += 1
            if state["on"] and (calls["failed"] or calls["n"] > steps):
                calls["failed"] = True
                raise RuntimeError("index 7 is out of bounds for dimension 1 with size 4")
            return forward(x)

        act.forward = broken
        return model

    monkeypatch.setattr(build, "build_model", build_model)
    return state


def press_train(qtbot, window) -> None:
    qtbot.keyClick(window.canvas, Qt.Key.Key_F5)


def test_a_layer_failing_mid_run_is_named_kept_and_the_next_run_trains(qtbot, window,
                                                                      monkeypatch):
    fault = failing_after(monkeypatch, steps=8)  # epoch 1 is 5 steps: it fails in epoch 2
    dock = window.training
    with qtbot.waitSignal(window.project_state.run_added, timeout=RUN_TIMEOUT) as added:
        press_train(qtbot, window)
    failed_id = added.args[0]
    assert dock.state == "idle"
    shown = dock.message.text()
    assert shown.startswith("Training failed: layer ReLU 'act' failed at run time")
    assert "out of bounds" in shown
    assert window.editor.selection == ["act"]

    project = window.files.current_project()
    run = next(r for r in project.runs if r["id"] == failed_id)
    assert run["final"]["reason"] == "error" and run["final"]["node"] == "act"
    assert run["final"]["message"] in shown
    assert len(run["history"]) == 1  # the curves up to the fault
    assert failed_id in project.weights  # the best weights so far (epoch 1)
    entry = window.training.runs_panel.list.item(0)
    assert "failed" in entry.text()
    assert "ended: failed (layer ReLU 'act'" in entry.toolTip()
    assert "failed run is in the project" in window.statusBar().currentMessage()

    fault["on"] = False  # the layer is fixed: the next run in the same window trains
    with qtbot.waitSignal(window.project_state.run_added, timeout=RUN_TIMEOUT) as added:
        press_train(qtbot, window)
    run = next(r for r in project.runs if r["id"] == added.args[0])
    assert run["final"]["reason"] == "completed" and len(run["history"]) == 4
    assert not dock.message.text()
    assert window.training.runs_panel.list.count() == 2


def test_a_run_failing_in_its_first_epoch_keeps_no_weights(qtbot, window, monkeypatch):
    failing_after(monkeypatch, steps=0)
    with qtbot.waitSignal(window.project_state.run_added, timeout=RUN_TIMEOUT) as added:
        press_train(qtbot, window)
    project = window.files.current_project()
    run = next(r for r in project.runs if r["id"] == added.args[0])
    assert run["final"]["reason"] == "error" and run["history"] == []
    assert added.args[0] not in project.weights
    assert "without weights" in window.statusBar().currentMessage()
    said = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(
        lambda parent, title, text, *a: said.append(text)))
    assert not window.exporter.export_weights(added.args[0])  # nothing to export: it says so
    assert said and "kept no weights" in said[0]


def test_a_data_file_missing_at_train_time_is_one_sentence_and_no_run(qtbot, window, tmp_path):
    csv = tmp_path / "points.csv"
    csv.write_text("a,b,label\n" + "".join(f"{i % 7},{i % 5},{i % 2}\n" for i in range(60)))
    doc = window.editor.doc.copy()
    doc.sections["dataset"] = {"name": "csv", "path": "points.csv", "target": "label"}
    path = tmp_path / "points.json"
    save_design(doc, path)
    window.files.open_path(str(path))
    csv.unlink()  # removed after the design was opened and checked
    dock = window.training
    with qtbot.waitSignal(dock.run_finished, timeout=RUN_TIMEOUT):
        press_train(qtbot, window)
    assert "points.csv does not exist" in dock.message.text()
    assert window.files.current_project().runs == []  # it never started: no run to list
