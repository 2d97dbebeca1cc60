"""Training from the window feeds Explore: the dock's Saturation tab shows dying ReLUs with
the fix, and the pages get the run's output numbers (trained through the Train button)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt

from designer.explore.activation_stats_view import ActivationStatsView, ActivationsView

sys.path.insert(0, str(Path(__file__).parents[1] / "backend"))
from test_teaching_probes import mlp  # noqa: E402

RUN_TIMEOUT = 120_000


def test_a_run_fills_the_activations_tab_and_the_explore_pages(window, qtbot):
    window.editor.replace_document(mlp("ReLU", optimizer="sgd", lr=10.0, epochs=3), "")
    dock = window.training
    tabs = dock.views.tabs
    names = [tabs.tabText(i) for i in range(tabs.count())]
    assert "Saturation" in names
    view = dock.views.view(ActivationsView).widget
    assert isinstance(view, ActivationStatsView) and view is window.explore.link.view
    with qtbot.waitSignal(dock.run_finished, timeout=RUN_TIMEOUT):
        qtbot.keyClick(window, Qt.Key.Key_F5)  # Train
    assert view.layers.rowCount() == 0  # drawn when its tab is shown
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton,
                     pos=bar.tabRect(names.index("Saturation")).center())
    qtbot.waitUntil(lambda: view.layers.rowCount() == 1, timeout=5000)
    assert "dead ReLUs" in view.warnings.text()
    assert window.explore.data.outputs is not None
    page = window.explore.open("softmax", "out_1")
    assert page.probe_button.isEnabled() and "probe sample after epoch" in page.source.text()
    window.editor.replace_document(mlp("Tanh"), "")  # a new design: nothing of the old run
    assert view.layers.rowCount() == 0 and not page.probe_button.isEnabled()


def test_the_training_settings_open_the_optimisers_page(window, qtbot):
    dock = window.training
    dock.ensure_built()  # what the dock does by itself once the window shows
    bar = dock.side.tabBar()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(1).center())  # Settings
    assert dock.side.tabText(dock.side.currentIndex()) == "Settings"
    button = window.explore.link.optimisers_button
    assert button.isVisibleTo(dock)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert window.explore.explore_window.current_key() == "optimisers"
