"""The Seeds tab: repeating the open design with N seeds adds a group of runs to the project;
selecting groups draws mean ± spread bands and two groups get a verdict in words."""

from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from backend.experiments.groups import group_tag
from backend.project import Project, save_project
from tests.designer import test_runs_gui
from tests.designer.test_runs_gui import RUN_TIMEOUT, moons, opened, record, weights

window = test_runs_gui.window  # the main window fixture


@pytest.fixture
def grouped_file(tmp_path):
    """group 1: Tanh, 3 seeds around 70 %; group 2: ReLU, 3 seeds around 90 %."""
    tanh, relu = moons("Tanh"), moons("ReLU")
    project = Project(relu)
    for gid, doc, finals in (("group_1", tanh, [0.70, 0.72, 0.69]),
                             ("group_2", relu, [0.90, 0.91, 0.89])):
        for seed, final in enumerate(finals):
            run = record(doc, [final - 0.2, final], seed=seed)
            run["group"] = group_tag(gid, seed, 3)
            project.add_run(run, weights(doc, seed))
    path = tmp_path / "groups.nwproj"
    save_project(path, project)
    return path


def seeds_tab(qtbot, window, path):
    opened(qtbot, window, path)
    panel = window.seed_groups.panel
    window.training.side.setCurrentWidget(panel)
    qtbot.waitUntil(lambda: panel.groups.count() == 2, timeout=5000)
    return panel


def click_group(qtbot, panel, row: int, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    item = panel.groups.item(row)
    qtbot.mouseClick(panel.groups.viewport(), Qt.MouseButton.LeftButton, modifier,
                     panel.groups.visualItemRect(item).center())


def test_two_groups_show_bands_and_a_verdict(qtbot, window, grouped_file):
    panel = seeds_tab(qtbot, window, grouped_file)
    side = window.training.side
    assert [side.tabText(i) for i in range(side.count())] == ["Data", "Settings", "Runs",
                                                              "Seeds", "Sweep"]
    texts = [panel.groups.item(i).text() for i in range(2)]
    assert texts[0].startswith("group 2 · val acc 90.0% ± 1.0 points · 3 seeds")
    assert "ReLU instead of Tanh" in texts[0]
    click_group(qtbot, panel, 0)
    curves = window.training.views.curves
    assert len(window.seed_groups.bands.items) == 6  # low, high and the fill on two plots
    fills = [i for _, i in window.seed_groups.bands.items if isinstance(i, pg.FillBetweenItem)]
    assert len(fills) == 2 and all(not f.path().boundingRect().isEmpty() for f in fills)
    assert curves.overlay_labels()[0].startswith("group 2 mean ± std of 3 seeds")
    assert "Select two groups" in panel.verdict.text()
    click_group(qtbot, panel, 1, Qt.KeyboardModifier.ControlModifier)
    verdict = panel.verdict.text()
    assert "group 2 is better by 19.7 points" in verdict.lower()
    assert "Welch's t-test" in verdict and "below 0.05" in verdict
    # choosing a run in the Runs list replaces the bands with that run's curves
    runs = window.training.runs_panel
    runs.select(["run_1"])
    assert window.seed_groups.bands.items == [] and panel.selected_ids() == []


def test_a_stored_run_can_be_repeated_with_its_own_design_and_settings(qtbot, window,
                                                                    grouped_file):
    panel = seeds_tab(qtbot, window, grouped_file)
    texts = [panel.source.itemText(i) for i in range(panel.source.count())]
    assert texts[0] == "the open design" and texts[1] == "the design and settings of run 6"
    panel.source.setCurrentIndex(texts.index("the design and settings of run 1"))
    design = window.seed_groups._source_design()
    assert design.nodes["act"].type == "Tanh"  # run 1 trained the Tanh design
    assert window.editor.doc.nodes["act"].type == "ReLU"  # the open design is untouched
    assert design.sections["training"]["seed"] == 0


@pytest.mark.slow
def test_repeat_with_two_seeds_adds_a_group_of_runs(qtbot, window, grouped_file):
    panel = seeds_tab(qtbot, window, grouped_file)
    panel.seeds.setValue(2)
    assert panel.repeat_button.text() == "Repeat with 2 seeds"
    qtbot.mouseClick(panel.repeat_button, Qt.MouseButton.LeftButton)
    assert not panel.repeat_button.isEnabled() and panel.stop_button.isEnabled()
    qtbot.waitUntil(lambda: panel.repeat_button.isEnabled(), timeout=RUN_TIMEOUT)
    runs = window.files.current_project().runs
    assert [r["group"] for r in runs[-2:]] == [group_tag("group_3", 0, 2),
                                               group_tag("group_3", 1, 2)]
    assert [r["training"]["seed"] for r in runs[-2:]] == [0, 1]
    assert panel.groups.count() == 3 and panel.groups.item(0).text().startswith("group 3 · ")
    assert "group 3: 2 of 2 seeds kept as run 7–run 8" in panel.status.text()
    assert len(window.training.runs_panel.entries) == 8


def test_opening_another_design_stops_a_running_group(qtbot, window, grouped_file, tmp_path):
    panel = seeds_tab(qtbot, window, grouped_file)
    other = tmp_path / "other.nwproj"
    save_project(other, Project(moons("Tanh")))
    panel.seeds.setValue(3)
    qtbot.mouseClick(panel.repeat_button, Qt.MouseButton.LeftButton)
    process = window.seed_groups.process
    assert process is not None and process.is_alive()
    assert window.files.open_path(str(other))
    qtbot.waitUntil(lambda: not process.is_alive(), timeout=10_000)
    assert "another design was opened" in panel.status.text(), panel.status.text()
    assert panel.repeat_button.isEnabled()
    qtbot.wait(500)
    assert window.files.current_project().runs == [] and panel.groups.count() == 0
