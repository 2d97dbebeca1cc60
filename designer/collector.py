"""Garbage collection on the GUI thread only.

Python's cyclic garbage collector runs in whichever thread happens to allocate when a
threshold is crossed: the training thread, the dock's import thread, a sweep's monitor. If it
frees the last reference to a Qt object there, the object is destroyed off the GUI thread,
which deadlocks or crashes Qt (seen as a test run that hung while a run trained in a thread:
the GUI thread deleting a menu, the training thread destroying another Qt object for the
collector, each waiting on the other). `install(app)` turns automatic collection off and
collects on a timer in the GUI thread instead, with the collector's own thresholds.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class MainThreadCollector(QObject):
    """Collects each generation whose count passed its threshold, on the GUI thread."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        counts = gc.get_count()
        for generation in (2, 1, 0):
            if counts[generation] > self.thresholds[generation]:
                gc.collect(generation)
                return


def install(app: QObject) -> MainThreadCollector:
    """The application's collector (one per application)."""
    existing = app.findChild(MainThreadCollector)
    return existing if existing is not None else MainThreadCollector(app)
