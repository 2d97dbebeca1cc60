"""Training from the designer: the Training dock, its Train menu, and installing them.

`install(window)` adds the dock (bottom area, tabbed with the other bottom docks) and a Train
menu (Train F5, Pause, Stop Shift+F5) to a MainWindow, and stops a run cleanly when the
application quits. Nothing here imports torch; the worker does, on its own thread.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

SWITCH_INTERVAL_S = 0.001


def install(window) -> object:
    """Add the Training dock and menu to `window`; returns the dock widget."""
    from designer.training.dock import TrainingDock

    # The GUI thread gets the GIL back from the training thread within 1 ms instead of
    # Python's default 5 ms: painting crosses into Python many times per frame.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    dock = TrainingDock(window.editor, window.canvas, window)
    window.training = dock
    window.training_dock = window.add_dock(dock, Qt.BottomDockWidgetArea, "Training")
    menu = window.menu("&Train")
    for text, shortcut, slot in (("&Train", "F5", dock.start),
                                 ("&Pause / Resume", "F6", dock.toggle_pause),
                                 ("&Stop", "Shift+F5", dock.stop)):
        action = menu.addAction(text)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
    dock.run_started.connect(window.training_dock.raise_)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(dock.shutdown)
    return dock
