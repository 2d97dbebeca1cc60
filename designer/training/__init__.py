"""Training from the designer: the Training dock, its Train menu and toolbar buttons.

`install(window)` adds the dock (bottom area, tabbed with the other bottom docks), a Train
menu and Train / Pause / Stop on the main toolbar (F5, F6, Shift+F5), and stops a run cleanly
when the application quits. When Train is pressed, or the user brings the Training tab
forward, the dock comes to the front and takes the height its plots need (each plot at least
PLOT_MIN_PX tall) unless the user has made it taller; the height the user gives it is
remembered (QSettings) for the next runs and sessions. Nothing here imports torch; the
worker does, on its own thread or process.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from designer import settings

SWITCH_INTERVAL_S = 0.001
PLOT_MIN_PX = 300  # the height each live plot gets when a run starts
CHROME_PX = 190  # the dock's bar and notes, tab bars, a panel's title bar


def install(window) -> object:
    """Add the Training dock, menu and toolbar buttons to `window`; returns the dock widget."""
    from designer.training.dock import TrainingDock

    # The GUI thread gets the GIL back from a training thread within 1 ms instead of
    # Python's default 5 ms: painting crosses into Python many times per frame.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    dock = TrainingDock(window.editor, window.canvas, window, staged=True)
    window.training = dock
    window.training_dock = window.add_dock(dock, Qt.BottomDockWidgetArea, "Training")
    _add_actions(window, dock)
    window.training_height = DockHeight(window, window.training_dock, window)
    dock.run_requested.connect(window.training_height.make_room_soon)
    window.training_dock.visibilityChanged.connect(window.training_height.on_visibility)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(dock.shutdown)
    return dock


def _add_actions(window, dock) -> None:
    menu = window.menu("&Train")
    for action, key in ((dock.train_action, "F5"), (dock.pause_action, "F6"),
                        (dock.stop_action, "Shift+F5")):
        action.setShortcut(QKeySequence(key))
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        menu.addAction(action)
    toolbar = getattr(window, "toolbar", None)
    if toolbar is not None:
        spacer = next((a for a in toolbar.actions() if toolbar.widgetForAction(a) is not None
                       and not a.text()), None)
        toolbar.insertSeparator(spacer) if spacer else toolbar.addSeparator()
        for action in (dock.train_action, dock.pause_action, dock.stop_action):
            toolbar.insertAction(spacer, action) if spacer else toolbar.addAction(action)
        button = toolbar.widgetForAction(dock.train_action)
        if button is not None:  # the main command: its name beside the icon
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)


class DockHeight(QObject):
    """Gives the Training dock room for its plots when a run starts; remembers the height the
    user chooses by dragging the dock's edge."""

    KEY = "training/dock_height"

    def __init__(self, window, dock_widget, parent: QObject | None = None):
        super().__init__(parent)
        self.window, self.dock = window, dock_widget
        self._setting = False
        self._save_timer = QTimer(self, singleShot=True, interval=500)
        self._save_timer.timeout.connect(self._save)
        dock_widget.installEventFilter(self)

    def needed(self) -> int:
        return PLOT_MIN_PX + CHROME_PX

    def wanted(self) -> int:
        stored = settings.settings().value(self.KEY)
        try:
            chosen = int(stored) if stored is not None else 0
        except (TypeError, ValueError):
            chosen = 0
        return max(self.needed(), chosen)

    def make_room(self, *_args) -> None:
        """Bring the dock to the front with at least the height its plots need."""
        self.dock.show()
        self.dock.raise_()
        if self.dock.isFloating() or self.dock.height() >= self.wanted():
            return
        self._setting = True
        try:
            from designer.plots.paint_turns import repaint_in_turns

            repaint_in_turns(self.dock)  # every plot grows: one repaints per turn
            self.window.resizeDocks([self.dock], [self.wanted()], Qt.Orientation.Vertical)
        finally:
            QTimer.singleShot(0, self._done_setting)

    def make_room_soon(self) -> None:
        """Train was pressed: make room at the next turn, apart from starting the run."""
        QTimer.singleShot(0, self, self.make_room)

    def on_visibility(self, visible: bool) -> None:
        """The user brought the Training tab forward: room for its plots, as Train gives."""
        if visible:
            QTimer.singleShot(0, self.make_room)

    def _done_setting(self) -> None:
        self._setting = False

    def eventFilter(self, obj, event) -> bool:  # noqa: N802  (Qt API)
        if event.type() == event.Type.Resize and not self._setting and obj.isVisible():
            self._save_timer.start()
        return False

    def _save(self) -> None:
        if self.dock.isVisible() and not self.dock.isFloating() and self.dock.height() > 0:
            settings.settings().setValue(self.KEY, self.dock.height())
