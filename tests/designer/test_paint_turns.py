"""Plots that all change at once (the Training dock taking its height) repaint one per turn
of the event loop, every one of them, and closing them meanwhile is safe."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QHBoxLayout, QWidget

from designer.plots.paint_turns import repaint_in_turns


class PaintLog(QObject):
    """Which plot painted at which turn of the event loop (a 0 ms timer counts the turns)."""

    def __init__(self, views: list[QWidget]):
        super().__init__()
        self.turn = 0
        self.painted: list[tuple[int, int]] = []  # (turn, index of the view)
        self.views = views
        for view in views:
            view.viewport().installEventFilter(self)
        self.timer = QTimer(self, interval=0)
        self.timer.timeout.connect(self.next_turn)
        self.timer.start()

    def next_turn(self) -> None:
        self.turn += 1

    def eventFilter(self, obj, event) -> bool:  # noqa: N802  (Qt API)
        if event.type() == QEvent.Type.Paint:
            index = next(i for i, v in enumerate(self.views) if v.viewport() is obj)
            self.painted.append((self.turn, index))
        return False


def three_plots(qtbot) -> tuple[QWidget, list[pg.GraphicsLayoutWidget]]:
    holder = QWidget()
    qtbot.addWidget(holder)
    layout = QHBoxLayout(holder)
    views = []
    for _ in range(3):
        view = pg.GraphicsLayoutWidget()
        view.addPlot().plot([0, 1, 2], [2, 0, 1])
        layout.addWidget(view)
        views.append(view)
    holder.resize(900, 200)
    holder.show()
    qtbot.waitExposed(holder)
    qtbot.wait(50)
    return holder, views


def test_plots_grown_together_repaint_one_per_turn_left_to_right(qtbot):
    holder, views = three_plots(qtbot)
    log = PaintLog(views)
    repaint_in_turns(holder)
    holder.resize(900, 420)  # every plot grows, as when the dock takes its height
    qtbot.waitUntil(lambda: {i for _t, i in log.painted} == {0, 1, 2})
    qtbot.wait(50)
    assert all(v.updatesEnabled() for v in views)  # none left without paints
    first = {}
    for turn, index in log.painted:
        first.setdefault(index, turn)
    assert first[0] < first[1] < first[2]  # left to right, each in a turn of its own
    assert all(v.height() > 350 for v in views)  # grown, and drawn at their new size


def test_closing_the_plots_before_their_turn_is_safe(qtbot):
    holder, views = three_plots(qtbot)
    repaint_in_turns(holder)
    holder.resize(900, 420)
    views[1].deleteLater()  # gone before its turn
    qtbot.wait(50)
    assert views[0].updatesEnabled() and views[2].updatesEnabled()
    repaint_in_turns(holder)
    holder.close()
    holder.deleteLater()
    qtbot.wait(50)  # the turns left go with the plots
