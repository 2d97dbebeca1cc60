"""Garbage collection on the GUI thread only.

Python's cyclic garbage collector runs in whichever thread happens to allocate when a
threshold is crossed: the training thread, the dock's import thread, a sweep's monitor. If it
frees the last reference to a Qt object there, the object is destroyed off the GUI thread,
which deadlocks or crashes Qt (seen as a test run that hung while a run trained in a thread:
the GUI thread deleting a menu, the training thread destroying another Qt object for the
collector, each waiting on the other). `install(app)` turns automatic collection off and
collects on a timer in the GUI thread instead: the young generations at the collector's own
thresholds, a full collection (tens of ms once torch is loaded) at most every FULL_EVERY_S
seconds; `settle()` moves what the start-up loaded (modules, the window) out of its way.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500
FULL_EVERY_S = 30.0


class MainThreadCollector(QObject):
    """Collects each generation whose count passed its threshold, on the GUI thread."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.thresholds = gc.get_threshold()
        self.last_full = time.monotonic()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.check)
        self.timer.start(interval_ms)

    def check(self) -> None:
        counts = gc.get_count()
        full_due = time.monotonic() - self.last_full >= FULL_EVERY_S
        if counts[2] > self.thresholds[2] and full_due:
            gc.collect(2)
            self.last_full = time.monotonic()
        elif counts[1] > self.thresholds[1]:
            gc.collect(1)
        elif counts[0] > self.thresholds[0]:
            gc.collect(0)


def settle() -> None:
    """After start-up: what exists now lives as long as the app, so collections skip it."""
    gc.collect()
    gc.freeze()


def install(app: QObject) -> MainThreadCollector:
    """The application's collector (one per application)."""
    existing = app.findChild(MainThreadCollector)
    return existing if existing is not None else MainThreadCollector(app)
