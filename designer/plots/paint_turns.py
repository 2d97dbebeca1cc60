"""Plots that repaint one per turn of the event loop after a change that touches them all.

When the Training dock takes its height, every plot of every visible view is laid out and
repainted, and each of their axes rebuilds its tick labels: painted together, that froze the
window for a few hundred ms as a run started. `repaint_in_turns(parent)` holds the paints of
the plot widgets under `parent` and lets them paint one per turn, in the order they sit in
the window, so timers, input and the progress line get their turn in between. The plots
show their new content a few frames apart, never anything stale for longer.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid


class PaintTurns(QObject):
    """Gives each held plot widget its paints back, one per turn (a child of the parent,
    so it goes with the plots when they are deleted)."""

    def __init__(self, parent: QWidget, views: list[QWidget]):
        super().__init__(parent)
        self.views = views
        self.timer = QTimer(self, singleShot=True, interval=0)
        self.timer.timeout.connect(self.release_next)

    def hold(self) -> None:
        for view in self.views:
            view.setUpdatesEnabled(False)
        self.timer.start()

    def release_next(self) -> None:
        while self.views:
            view = self.views.pop(0)
            if isValid(view):
                view.setUpdatesEnabled(True)  # repaints it whole at the next paint
                break
        if self.views:
            self.timer.start()
        else:
            self.deleteLater()

    def release_all(self) -> None:
        while self.views:
            self.release_next()


def repaint_in_turns(parent: QWidget) -> PaintTurns | None:
    """Hold the visible plots under `parent` and let them repaint one per turn (None when
    there is at most one: nothing to spread)."""
    earlier = getattr(parent, "_paint_turns", None)
    if earlier is not None and isValid(earlier):  # the last one's paints are not all out
        earlier.release_all()
    views = [v for v in parent.findChildren(pg.GraphicsView)
             if v.isVisible() and v.updatesEnabled()]
    if len(views) < 2:
        return None
    views.sort(key=lambda v: (v.mapTo(parent, v.rect().topLeft()).x(),
                              v.mapTo(parent, v.rect().topLeft()).y()))
    turns = PaintTurns(parent, views)
    parent._paint_turns = turns
    turns.hold()
    return turns
