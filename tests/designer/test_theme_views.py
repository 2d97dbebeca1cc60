"""Switching theme: the training views on show are recoloured at once, the others when they
are next shown (restyling every view of the window, shown or not, made a switch take seconds)."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtWidgets import QStackedWidget

from designer.plots.base import PlotPanel, theme_colours


def test_theme_switch_recolours_shown_plots_at_once_and_hidden_ones_when_shown(window, qtbot):
    window.training.ensure_built()
    window.training_dock.raise_()
    panels = window.findChildren(PlotPanel)
    qtbot.waitUntil(lambda: any(p.isVisible() for p in panels))
    hidden = [p for p in panels if not p.isVisible()]
    assert hidden  # the views in tabs not on show
    window.actions["dark"].setChecked(True)
    dark_bg = theme_colours(True)[0]

    def backgrounds(panel) -> set[str]:
        return {w.backgroundBrush().color().name() for w in panel.findChildren(pg.PlotWidget)}

    try:
        for panel in panels:
            if panel.isVisible():
                assert backgrounds(panel) <= {dark_bg}
        panel, page = hidden[0], hidden[0]
        while page.parentWidget() is not None:  # bring its tab to the front
            if isinstance(page.parentWidget(), QStackedWidget):
                page.parentWidget().setCurrentWidget(page)
            page = page.parentWidget()
        qtbot.waitUntil(panel.isVisible)
        assert backgrounds(panel) <= {dark_bg}
    finally:
        window.actions["dark"].setChecked(False)
