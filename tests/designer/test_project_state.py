"""A training run in the designer goes into the open project: Save keeps it, .json refuses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.graph import Edge, GraphDocument, Node
from backend.project import save_design
from backend.project.autosave import list_sessions, recover
from backend.project.project import open_any
from designer.files import DISCARD
from designer.main_window import MainWindow

RUN_TIMEOUT = 120_000  # ms; generous for a shared 2-core machine


def moons(epochs: int = 3) -> GraphDocument:
    doc = GraphDocument("moons")
    layers = [("points", "Input", {"shape": [2]}), ("hidden", "Dense", {"units": 8}),
              ("act", "ReLU", {}), ("out", "Dense", {"units": 2})]
    for i, (nid, kind, params) in enumerate(layers):
        doc.nodes[nid] = Node(nid, kind, params, nid, (i * 260.0, 0.0))
    doc.edges = [Edge(a[0], b[0]) for a, b in zip(layers, layers[1:], strict=False)]
    doc.sections = {"dataset": {"name": "moons", "samples": 200},
                    "training": {"epochs": epochs, "batch_size": 32, "device": "cpu",
                                 "lr": 0.05}}
    return doc


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    win = MainWindow()
    qtbot.addWidget(win)
    win.warnings = []
    win.files.warn = lambda title, sentence: win.warnings.append(sentence)
    win.files.ask_save_changes = lambda: DISCARD
    win.show()
    win.install_extensions()
    yield win
    win.training.shutdown()
    win.files.ask_save_changes = lambda: DISCARD


@pytest.fixture
def design_file(tmp_path) -> Path:
    path = tmp_path / "moons.json"
    save_design(moons(), path)
    return path


def train(qtbot, window) -> str:
    with qtbot.waitSignal(window.project_state.run_added, timeout=RUN_TIMEOUT) as blocker:
        assert window.training.start()
    return blocker.args[0]


def test_a_finished_run_and_its_weights_join_the_project(qtbot, window, design_file):
    from backend.build import build_model
    from backend.export.weights import load_into

    window.files.open_path(str(design_file))
    assert not window.isWindowModified()
    run_id = train(qtbot, window)
    project = window.files.current_project()
    assert [r["id"] for r in project.runs] == [run_id]
    run = project.runs[0]
    assert run["final"]["reason"] == "completed" and len(run["history"]) == 3
    assert run["training"]["epochs"] == 3 and run["dataset"]["name"] == "moons"
    load_into(build_model(window.editor.doc), project.weights[run_id])
    assert window.isWindowModified()  # closing now would ask to save the run
    assert "as run 1:" in window.statusBar().currentMessage()


def test_saving_a_nwproj_keeps_the_run_and_a_json_save_refuses(qtbot, window, design_file,
                                                                tmp_path):
    window.files.open_path(str(design_file))
    run_id = train(qtbot, window)
    weights = window.files.current_project().weights[run_id]
    window.files.ask_save_path = lambda: str(tmp_path / "moons-again.json")
    assert not window.files.save_as()
    assert "1 run(s)" in window.warnings[-1] and "save as .nwproj" in window.warnings[-1]
    assert not (tmp_path / "moons-again.json").exists()
    assert window.files.save_to(str(tmp_path / "moons.nwproj"))
    assert not window.isWindowModified()
    reopened = open_any(tmp_path / "moons.nwproj")
    assert [r["id"] for r in reopened.runs] == [run_id]
    assert reopened.weights[run_id] == weights
    assert reopened.doc.snapshot() == window.editor.doc.snapshot()


def test_best_weights_reach_the_recovery_folder_during_the_run(qtbot, window, design_file):
    window.files.open_path(str(design_file))
    train(qtbot, window)
    folder = window.recovery.session.folder
    assert (folder / "weights" / "training_best.safetensors").is_file()
    assert json.loads((folder / "design.json").read_text())["name"] == "moons"
    info = json.loads((folder / "session.json").read_text())
    info["pid"] = 2**22 + 12345  # as a killed process would leave it
    (folder / "session.json").write_text(json.dumps(info))
    (found,) = list_sessions()
    recovered = recover(found)
    assert "training_best" in recovered.weights
    assert recovered.doc.snapshot() == window.editor.doc.snapshot()


def test_a_run_diverging_at_once_joins_marked_failed_without_weights(qtbot, window, tmp_path):
    doc = moons()
    doc.sections["training"].update(optimizer="sgd", lr=1e12)  # the loss diverges at once
    path = tmp_path / "wrong.json"
    save_design(doc, path)
    window.files.open_path(str(path))
    with qtbot.waitSignal(window.training.run_finished, timeout=RUN_TIMEOUT) as blocker:
        assert window.training.start()
    assert blocker.args[0].reason == "error"
    (run,) = window.files.current_project().runs
    assert run["final"]["reason"] == "error" and "lower the learning rate" in \
        run["final"]["message"]
    assert window.files.current_project().weights == {}  # its weights are NaN: not kept
