"""The Sweep tab: parameters typed as a user would, a bad range refused in one sentence, and a
2-trial sweep whose runs join the project, fill the table and plots and open the best one."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from backend.project import Project, save_project
from tests.designer import test_runs_gui
from tests.designer.test_runs_gui import RUN_TIMEOUT, moons, opened

window = test_runs_gui.window  # the main window fixture


@pytest.fixture
def moons_file(tmp_path):
    doc = moons("ReLU")
    doc.sections["training"]["epochs"] = 1
    path = tmp_path / "moons.nwproj"
    save_project(path, Project(doc))
    return path


def sweep_tab(qtbot, window, path):
    opened(qtbot, window, path)
    panel = window.sweeps.panel
    window.training.side.setCurrentWidget(panel)
    return panel


def add(qtbot, panel, name: str, values: str):
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    row = panel.rows[-1]
    row.name.setCurrentText(name)
    row.values.clear()
    qtbot.keyClicks(row.values, values)
    return row


def test_a_bad_range_is_one_sentence_and_starts_nothing(qtbot, window, moons_file):
    panel = sweep_tab(qtbot, window, moons_file)
    row = add(qtbot, panel, "lr", "")
    assert row.values.text() == ""
    row.name.setCurrentText("batch_size")
    assert row.values.text() == "16..256:int:log"  # a suggestion for the chosen name
    row.values.clear()
    qtbot.keyClicks(row.values, "0.1..0.01")
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert "is inverted: write it as 0.01..0.1" in panel.message.text()
    assert window.sweeps.thread is None and panel.start_button.isEnabled()
    qtbot.mouseClick(row.findChildren(type(panel.add_button))[-1], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.rows)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert "the sweep has no parameters" in panel.message.text().lower()


@pytest.mark.slow
def test_a_sweep_keeps_every_trial_and_opens_the_best(qtbot, window, moons_file):
    panel = sweep_tab(qtbot, window, moons_file)
    add(qtbot, panel, "lr", "1e-3..1e-1:log")
    add(qtbot, panel, "hidden.units", "4..16:int")
    panel.trials.setValue(2)
    panel.parallel.setValue(2)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert not panel.start_button.isEnabled() and panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: panel.start_button.isEnabled(), timeout=2 * RUN_TIMEOUT)
    assert panel.message.text().startswith("Best: trial"), panel.message.text()
    runs = window.files.current_project().runs
    assert sorted(r["sweep"]["trial"] for r in runs) == [0, 1]
    assert panel.table.rowCount() == 2 and panel.table.item(0, 1).text() == "complete"
    assert window.sweeps.plots.table()[0] == ["trial", "state", "lr", "hidden.units",
                                              "val_accuracy"]
    best = window.sweeps.best
    qtbot.mouseClick(panel.best_button, Qt.MouseButton.LeftButton)
    units = window.editor.doc.nodes["hidden"].params["units"]
    assert units == best.params["hidden.units"]
    assert window.training.runs_panel.selected_ids() == [window.sweeps.run_ids[best.number]]
    window.editor.undo_stack.undo()  # opening the best design is one undoable edit
    assert window.editor.doc.nodes["hidden"].params["units"] == 8


def test_opening_another_design_stops_a_running_sweep(qtbot, window, moons_file, tmp_path):
    panel = sweep_tab(qtbot, window, moons_file)
    add(qtbot, panel, "lr", "1e-3..1e-1:log")
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    sweep = window.sweeps.sweep
    qtbot.waitUntil(lambda: bool(sweep.workers), timeout=10_000)
    workers = [w.process for w in sweep.workers.values()]
    other = tmp_path / "other.nwproj"
    save_project(other, Project(moons("Tanh")))
    assert window.files.open_path(str(other))
    assert all(p.poll() is not None for p in workers)  # ended, not left running
    assert "another design was opened" in panel.message.text()
    assert panel.start_button.isEnabled()
    qtbot.wait(500)
    assert window.files.current_project().runs == []
