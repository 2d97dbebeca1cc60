"""Runs in the main window: a reopened project shows its runs and numbering continues; rename,
note and delete through the list are undoable; selecting two runs overlays them and shows
their model diff; Open design restores a run's design; Export asks whose weights; the
unsaved-changes prompt says what would be lost."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from backend.graph import Edge, GraphDocument, Node
from backend.project import Project, doc_to_dict, open_any, save_project
from backend.project.runs import run_name
from designer.files import DISCARD
from designer.main_window import MainWindow
from designer.plots.base import colour
from designer.plots.curves import LIVE_COLOURS
from designer.training import run_history
from designer.training.run_dialogs import RunChooser

RUN_TIMEOUT = 120_000  # ms; generous for a shared 2-core machine


def moons(activation: str = "Tanh") -> GraphDocument:
    doc = GraphDocument("moons")
    layers = [("points", "Input", {"shape": [2]}), ("hidden", "Dense", {"units": 8}),
              ("act", activation, {}), ("out", "Dense", {"units": 2})]
    for i, (nid, kind, params) in enumerate(layers):
        doc.nodes[nid] = Node(nid, kind, params, nid, (i * 260.0, 0.0))
    doc.edges = [Edge(a[0], b[0]) for a, b in zip(layers, layers[1:], strict=False)]
    doc.sections = {"dataset": {"name": "moons", "samples": 200},
                    "training": {"epochs": 2, "batch_size": 32, "device": "cpu", "lr": 0.05}}
    return doc


def record(doc: GraphDocument, accs: list[float], **training) -> dict:
    history = [{"epoch": i + 1, "train_loss": 1 - a, "val_loss": 1 - a, "train_accuracy": a,
                "val_accuracy": a, "lr": 0.05, "seconds": 0.5, "val_metrics": {}}
               for i, a in enumerate(accs)]
    best = max(history, key=lambda h: h["val_accuracy"])["epoch"]
    return {"design": doc_to_dict(doc), "training": {**doc.sections["training"], **training},
            "dataset": doc.sections["dataset"], "history": history,
            "final": {"reason": "completed", "best_epoch": best, "test_accuracy": accs[-1]},
            "finished_at": "2024-05-01T12:00:00Z"}


def weights(doc: GraphDocument, seed: int) -> bytes:
    import torch

    from backend.build import build_model
    from backend.export.weights import model_weights

    torch.manual_seed(seed)
    return model_weights(build_model(doc))


@pytest.fixture
def project_file(tmp_path) -> Path:
    """Three runs: run 1 Tanh, run 2 ReLU (the best), run 3 Tanh with sgd; run 4 was deleted."""
    tanh, relu = moons("Tanh"), moons("ReLU")
    project = Project(relu)
    for doc, accs, extra, seed in ((tanh, [0.6, 0.7], {}, 1), (relu, [0.8, 0.9], {}, 2),
                                   (tanh, [0.5, 0.6], {"optimizer": "sgd"}, 3),
                                   (relu, [0.1], {}, 4)):
        project.add_run(record(doc, accs, **extra), weights(doc, seed))
    project.runs.pop()
    project.weights.pop("run_4")
    path = tmp_path / "moons.nwproj"
    save_project(path, project)
    return path


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
    win.training.ensure_built()  # as pressing Train or opening the Training tab does
    win.run_history.warn = lambda title, sentence: win.warnings.append(sentence)
    yield win
    win.training.shutdown()
    win.files.ask_save_changes = lambda: DISCARD


def opened(qtbot, window, path: Path):
    """Open `path` and wait until the Runs list shows its runs; returns the panel."""
    assert window.files.open_path(str(path))
    panel = window.training.runs_panel
    qtbot.waitUntil(lambda: len(panel.entries) == len(open_any(path).runs), timeout=5000)
    window.training_dock.raise_()
    window.training.side.setCurrentWidget(panel)
    return panel


def rows(panel) -> list[str]:
    return [panel.list.item(r).text() for r in range(panel.list.count())]


def click(qtbot, panel, run_id: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    item = panel.item_for(run_id)
    panel.list.scrollToItem(item)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, modifier,
                     panel.list.visualItemRect(item).center())


def test_a_reopened_project_lists_its_runs_and_numbering_continues(qtbot, window,
                                                                   project_file):
    panel = opened(qtbot, window, project_file)
    texts = rows(panel)  # newest first
    assert [t.split(" · ")[0] for t in texts] == ["run 3", "run 2", "run 1"]
    assert texts[1].startswith("run 2 · val acc 90.0%")
    assert "\nsgd · Tanh instead of ReLU" in texts[0] and "\nadam · " in texts[2]
    assert "ReLU instead of Tanh" in texts[1] and "Tanh instead of ReLU" in texts[2]
    with qtbot.waitSignal(window.project_state.run_added, timeout=RUN_TIMEOUT) as blocker:
        window.training.start()
        qtbot.waitUntil(lambda: panel.entries[-1].live, timeout=RUN_TIMEOUT)
        # the live row carries the number the run will be saved under
        assert rows(panel)[0] in ("run 5\npreparing…", "run 5\ntraining…")
    assert blocker.args == ["run_5"]
    qtbot.waitUntil(lambda: not panel.entries[-1].live and len(panel.entries) == 4)
    assert rows(panel)[0].startswith("run 5 · val acc")
    assert "run 5" in window.statusBar().currentMessage()
    assert window.files.unsaved_parts() == ["1 unsaved run with its trained weights"]
    assert window.files.save_to(str(project_file))
    assert [r["id"] for r in open_any(project_file).runs] == ["run_1", "run_2", "run_3",
                                                              "run_5"]


def test_rename_note_and_delete_from_the_list_are_undoable(qtbot, window, project_file,
                                                          monkeypatch):
    panel = opened(qtbot, window, project_file)
    monkeypatch.setattr(run_history, "ask_run_name", lambda parent, run: "baseline")
    monkeypatch.setattr(run_history, "ask_run_note", lambda parent, run: "lr too high?")
    click(qtbot, panel, "run_1")
    qtbot.keyClick(panel.list, Qt.Key.Key_F2)
    qtbot.mouseClick(panel.buttons["note"], Qt.MouseButton.LeftButton)
    assert rows(panel)[-1].startswith("baseline · val acc 70.0%")
    assert rows(panel)[-1].endswith("“lr too high?”")
    assert window.isWindowModified()
    assert window.files.unsaved_parts() == ["the new name of run 1", "the note on run 1"]
    nodes = set(window.editor.doc.nodes)
    click(qtbot, panel, "run_3")
    click(qtbot, panel, "run_2", Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert [e.run_id for e in panel.entries] == ["run_1"]
    assert set(window.editor.doc.nodes) == nodes  # Delete in the list never reaches the canvas
    project = window.files.current_project()
    assert set(project.weights) == {"run_1"}
    assert window.files.unsaved_text() == (
        "If you don't save, you lose the new name of run 1, the note on run 1 and the deletion "
        "of run 2 and run 3.")
    stack = window.editor.undo_stack
    assert stack.undoText() == "Delete run 2, run 3"
    stack.undo()
    assert [e.run_id for e in panel.entries] == ["run_1", "run_2", "run_3"]
    assert set(project.weights) == {"run_1", "run_2", "run_3"}
    stack.undo()
    stack.undo()
    assert rows(panel)[-1].startswith("run 1 ·") and "“" not in rows(panel)[-1]
    assert not window.isWindowModified()  # back to the saved state
    monkeypatch.setattr(run_history, "ask_run_name", lambda parent, run: "run 2")
    click(qtbot, panel, "run_1")
    qtbot.mouseClick(panel.buttons["rename"], Qt.MouseButton.LeftButton)
    assert "is how another run is numbered" in window.warnings[-1]
    assert not window.isWindowModified()


def test_selecting_two_runs_overlays_them_and_shows_their_model_diff(qtbot, window,
                                                                     project_file):
    panel = opened(qtbot, window, project_file)
    curves = window.training.views.curves
    click(qtbot, panel, "run_1")
    click(qtbot, panel, "run_2", Qt.KeyboardModifier.ControlModifier)
    history = window.run_history
    assert window.training.views.tabs.currentWidget() is history.compare
    pens = {item.opts["pen"].color().name().upper() for _, item in curves._overlay_items}
    assert len(pens) == 2 and not pens & {colour(i) for i in LIVE_COLOURS}
    assert curves.overlay_labels() == ["run 1 · Tanh instead of ReLU",
                                       "run 2 · ReLU instead of Tanh"]
    assert curves.overlay_legend.isVisible()
    assert all(item.name() is None for _, item in curves._overlay_items)
    assert not curves.items["val_loss"].isVisible()  # finished runs are shown on their own
    tree = history.compare.tree
    texts = []
    for i in range(tree.topLevelItemCount()):
        stack = [tree.topLevelItem(i)]
        while stack:
            item = stack.pop()
            texts.append(item.text(0))
            stack.extend(item.child(k) for k in range(item.childCount()))
    assert "run 1 → run 2" in texts and "~ act: Tanh → ReLU" in texts
    assert "Settings: the same" in texts
    assert history.compare.table.rowCount() == 2
    click(qtbot, panel, "run_3", Qt.KeyboardModifier.ControlModifier)
    assert len(curves.overlay_labels()) == 3
    assert "optimizer adam → sgd" in _all_texts(tree)
    panel.select([])
    assert curves.overlay_labels() == [] and not curves.overlay_legend.isVisible()
    assert curves.items["val_loss"].isVisible()
    click(qtbot, panel, "run_2")  # one run: what changed in the design since it trained
    assert "Design changes since: none" in _all_texts(tree)
    from backend.graph import SetParams

    with qtbot.waitSignal(window.editor.analysis_changed, timeout=5000):
        window.editor.push(SetParams("hidden", {"units": 16}), "Set units")
    texts = _all_texts(tree)
    assert "Design changes since: 1 changed" in texts and "units 8 → 16" in texts


def _all_texts(tree) -> list[str]:
    out, stack = [], [tree.topLevelItem(i) for i in range(tree.topLevelItemCount())]
    while stack:
        item = stack.pop()
        out.append(item.text(0))
        stack.extend(item.child(k) for k in range(item.childCount()))
    return out


def test_open_design_restores_the_design_a_run_trained_undoably(qtbot, window, project_file):
    panel = opened(qtbot, window, project_file)
    before = window.editor.doc.snapshot()
    assert window.editor.doc.nodes["act"].type == "ReLU"
    click(qtbot, panel, "run_1")
    qtbot.mouseClick(panel.buttons["open"], Qt.MouseButton.LeftButton)
    assert window.editor.doc.nodes["act"].type == "Tanh"
    assert window.files.unsaved_parts() == ["edits to the design"]
    assert len(window.files.current_project().runs) == 3  # the runs stay
    window.editor.undo_stack.undo()
    assert window.editor.doc.snapshot() == before
    assert not window.isWindowModified()


def test_export_trained_weights_asks_which_run_with_the_best_first(qtbot, window, project_file,
                                                                   tmp_path, monkeypatch):
    opened(qtbot, window, project_file)
    project = window.files.current_project()
    chooser = RunChooser(project.runs, set(project.weights), window)
    qtbot.addWidget(chooser)
    assert chooser.chosen() == "run_2"  # the best by validation accuracy
    assert chooser.tree.topLevelItemCount() == 3
    texts = [chooser.tree.topLevelItem(i).text(0) for i in range(3)]
    assert texts == ["run 3", "run 2 ★", "run 1"]
    chooser.tree.setCurrentItem(chooser.tree.topLevelItem(2))
    assert chooser.chosen() == "run_1"
    exporter = window.exporter
    asked = []
    monkeypatch.setattr(exporter, "ask_run", lambda p: asked.append(p) or "run_3")
    monkeypatch.setattr(exporter, "ask_path", lambda *a: tmp_path / "third.safetensors")
    monkeypatch.setattr(exporter, "report", lambda ok, title, text: asked.append(text))
    window.menus["export"].aboutToShow.emit()  # the menu enables what can be exported
    exporter.actions["weights"].trigger()
    assert (tmp_path / "third.safetensors").read_bytes() == project.weights["run_3"]
    assert "the weights of run 3" in asked[-1]
    monkeypatch.setattr(exporter, "ask_run", lambda p: None)  # cancelled: nothing written
    monkeypatch.setattr(exporter, "ask_path", lambda *a: tmp_path / "none.safetensors")
    assert not exporter.export_weights()
    assert not (tmp_path / "none.safetensors").exists()


def test_the_unsaved_changes_prompt_says_what_would_be_lost(qtbot, window, project_file):
    from backend.graph import SetParams

    opened(qtbot, window, project_file)
    assert window.files.unsaved_parts() == []
    window.editor.push(SetParams("hidden", {"units": 16}), "Set units")
    project = window.files.current_project()
    for _ in range(3):
        project.add_run(copy.deepcopy(record(moons(), [0.5])))
    window.editor.undo_stack.resetClean()
    text = window.files.unsaved_text()
    assert text == ("If you don't save, you lose edits to the design and 3 unsaved runs with "
                    "their trained weights.")
    assert run_name(project.runs[-1]) == "run 7"


def test_chooser_accepts_with_a_double_click(qtbot, window, project_file):
    opened(qtbot, window, project_file)
    project = window.files.current_project()
    chooser = RunChooser(project.runs, set(project.weights), window)
    qtbot.addWidget(chooser)
    chooser.show()
    tree = chooser.tree
    item = tree.topLevelItem(0)
    rect = tree.visualItemRect(item)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert chooser.result() == QDialog.DialogCode.Accepted and chooser.chosen() == "run_3"


@pytest.mark.parametrize("when", ["preparing", "training"])
def test_a_run_cut_short_by_new_or_open_does_not_join_the_next_design(qtbot, window,
                                                                      project_file, when):
    from backend.graph import SetSection

    panel = opened(qtbot, window, project_file)
    first = window.files.current_project()
    long_run = dict(window.editor.doc.sections["training"], epochs=500)
    window.editor.push(SetSection("training", long_run), "Set epochs")  # still going at New
    finished = []
    window.training.run_finished.connect(finished.append)
    signal = window.training.run_requested if when == "preparing" else \
        window.training.run_started
    with qtbot.waitSignal(signal, timeout=RUN_TIMEOUT):
        window.training.start()
    assert panel.entries[-1].live
    window.files.new_design("")
    qtbot.waitUntil(lambda: window.training.run is None, timeout=RUN_TIMEOUT)
    qtbot.wait(200)
    assert window.files.current_project().runs == [] and len(first.runs) == 3
    assert panel.entries == [] and panel.list.count() == 0
    assert all(event.reason != "completed" for event in finished)


def test_a_damaged_run_is_listed_and_compared_without_breaking_the_window(qtbot, window,
                                                                           project_file):
    project = open_any(project_file)
    project.runs.append({"id": "run_9", "history": 5, "final": [], "training": {"lr": "x"},
                         "design": {"nodes": 3}, "name": 7})
    save_project(project_file, project)
    panel = opened(qtbot, window, project_file)
    assert rows(panel)[0].startswith("run 9")
    click(qtbot, panel, "run_9")
    click(qtbot, panel, "run_1", Qt.KeyboardModifier.ControlModifier)
    assert window.run_history.compare.table.rowCount() == 2
    qtbot.mouseClick(panel.buttons["delete"], Qt.MouseButton.LeftButton)
    assert [e.run_id for e in panel.entries] == ["run_2", "run_3"]
