"""The Training dock's frame, built in stages so its tab shows at once.

The frame — Train / Pause / Stop, the progress bar and its line, the notes — needs nothing
but Qt and appears with the window. Plotting (numpy, pyqtgraph) takes a second or more to
import, so a thread imports those modules meanwhile, and then the panels and each live view
are built one per turn of the event loop (a short stall each, never one long one); until
they are in, the views' place says so. Asking for a part that is not built yet (Train
pressed early, a test reading `dock.views`) finishes the building at once: the `views`,
`data_panel`, `settings_form`, `runs_panel` and `checks` properties always return the real
thing.

The splitter sizes inside the dock are remembered in the settings.
"""

from __future__ import annotations

import importlib
import threading

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QPainter
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyleOptionProgressBar,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer import icons, settings
from designer.editor import DocumentEditor

IDLE_TEXT = "Press Train (F5) to train the design on its dataset."
PREIMPORT = ("numpy", "pyqtgraph", "backend.data", "backend.training.events",
             "backend.training.preflight", "designer.plots.base", "designer.plots.curves",
             "designer.plots.gradient_flow", "designer.plots.feature_maps",
             "designer.plots.histograms", "designer.plots.confusion",
             "designer.plots.decision_boundary", "designer.plots.paint_turns",
             "designer.workers.training", "designer.training.data_fit",
             "designer.training.data_panel", "designer.training.settings_form",
             "designer.training.runs", "designer.training.standard_views",
             "designer.training.views", "designer.workers.distributed")  # (needed last: Train)


class Note(QLabel):
    """A line that takes no room while it has nothing to say."""

    def __init__(self, text: str = ""):
        super().__init__(text)
        self.setVisible(bool(text))

    def setText(self, text: str) -> None:  # noqa: N802  (Qt API name)
        super().setText(text)
        self.setVisible(bool(text))


def scrolled(widget: QWidget) -> QScrollArea:
    """A side panel that scrolls on its own, so the dock stays short enough for the canvas."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


class SideTabs(QTabWidget):
    """The dock's side panels (Data, Settings, Runs, Seeds, Sweep).

    Every tab stays readable: no scroll arrows, and the panel is never narrower than its tabs.
    Each panel scrolls on its own (`addTab` wraps it), so the tallest one never sets the
    dock's height: the canvas keeps its room until Train asks for more. `setCurrentWidget`
    and `indexOf` take the panel itself, as callers know it.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setUsesScrollButtons(False)
        self.tabBar().setElideMode(Qt.TextElideMode.ElideNone)
        self.tabBar().setObjectName("side_tabs")

    def addTab(self, widget: QWidget, *label) -> int:  # noqa: N802  (Qt API: [icon,] label)
        return super().addTab(widget if isinstance(widget, QScrollArea) else scrolled(widget),
                              *label)

    def indexOf(self, widget: QWidget) -> int:  # noqa: N802  (Qt API name)
        for i in range(self.count()):
            page = super().widget(i)
            if page is widget or (isinstance(page, QScrollArea) and page.widget() is widget):
                return i
        return -1

    def setCurrentWidget(self, widget: QWidget) -> None:  # noqa: N802  (Qt API name)
        index = self.indexOf(widget)
        if index >= 0:
            self.setCurrentIndex(index)


class ProgressBar(QWidget):
    """A progress bar drawn by the style, repainted with the next frame.

    QProgressBar repaints synchronously on every setValue that moves it, painting the
    plots beside it too: during training that was a third of the GUI thread's time.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._value, self._text = 0, ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def value(self) -> int:
        return self._value

    def text(self) -> str:
        return self._text

    def setValue(self, value: int) -> None:  # noqa: N802  (Qt-like API)
        value = max(0, min(1000, int(value)))
        if value // 5 != self._value // 5 or value in (0, 1000):  # repainted every 0.5 %
            self.update()
        self._value = value

    def setFormat(self, text: str) -> None:  # noqa: N802  (Qt-like API)
        if text != self._text:
            self._text = text
            self.update()

    def _option(self) -> QStyleOptionProgressBar:
        option = QStyleOptionProgressBar()
        option.initFrom(self)
        option.minimum, option.maximum, option.progress = 0, 1000, self._value
        option.text, option.textVisible = self._text, True
        option.textAlignment = Qt.AlignmentFlag.AlignCenter
        option.state |= QStyle.StateFlag.State_Horizontal
        return option

    def sizeHint(self) -> QSize:  # noqa: N802  (Qt API)
        return QSize(200, self.fontMetrics().height() + 8)

    def paintEvent(self, event) -> None:  # noqa: N802  (Qt API)
        painter = QPainter(self)
        self.style().drawControl(QStyle.ControlElement.CE_ProgressBar, self._option(),
                                 painter, self)
        painter.end()


def _preimport() -> None:
    for name in PREIMPORT:
        importlib.import_module(name)


class DockFrame(QWidget):
    built = Signal()  # every panel and view is in
    _imported = Signal()  # from the import thread

    def __init__(self, editor: DocumentEditor, staged: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self._views = self._data_panel = self._settings_form = None
        self._runs_panel = self._checks = None
        self._stages = [self._build_forms, self._build_runs, self._build_views]
        self._import_thread: threading.Thread | None = None
        self._make_actions()
        self._build_frame()
        self._stage_timer = QTimer(self, singleShot=True, interval=0)  # dies with the dock
        self._stage_timer.timeout.connect(self._next_stage)
        self._imported.connect(self._next_stage)
        if staged:
            self._import_thread = threading.Thread(target=self._import, daemon=True,
                                                   name="netwright-imports")
            self._import_thread.start()
        else:
            self.ensure_built()

    # -- the parts, built on first use --------------------------------------------------------
    @property
    def views(self):
        self.ensure_built()
        return self._views

    @property
    def data_panel(self):
        self.ensure_built()
        return self._data_panel

    @property
    def settings_form(self):
        self.ensure_built()
        return self._settings_form

    @property
    def runs_panel(self):
        self.ensure_built()
        return self._runs_panel

    @property
    def checks(self):
        self.ensure_built()
        return self._checks

    def is_built(self) -> bool:
        return not self._stages

    def ensure_built(self) -> None:
        """Finish building now (waiting for the imports if they are still running)."""
        if self._import_thread is not None:
            self._import_thread.join()
        while self._stages:
            self._stages.pop(0)()

    # -- frame ----------------------------------------------------------------------------------
    def _make_actions(self) -> None:
        self.train_action = QAction(icons.icon("train"), "&Train", self)
        self.pause_action = QAction(icons.icon("pause"), "&Pause", self)
        self.stop_action = QAction(icons.icon("stop"), "&Stop", self)
        for action, name, slot, tip in (
                (self.train_action, "train", self.start, "Train the design as it is now (F5)"),
                (self.pause_action, "pause", self.toggle_pause, "Pause or resume the run (F6)"),
                (self.stop_action, "stop", self.stop, "Stop the run after this step (Shift+F5)")):
            action.setToolTip(tip)
            action.setProperty("nw_icon", name)
            action.triggered.connect(slot)

    def _button(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        return button

    def _build_frame(self) -> None:
        self.start_button = self._button(self.train_action)
        self.pause_button = self._button(self.pause_action)
        self.stop_button = self._button(self.stop_action)
        self.progress = ProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress_label = QLabel(IDLE_TEXT)
        # its text changes ten times a second: never let that re-lay out the dock
        self.progress_label.setSizePolicy(QSizePolicy.Policy.Ignored,
                                          QSizePolicy.Policy.Preferred)
        self.changed_label = Note("")
        self.changed_label.setProperty("role", "caption")
        self.message = Note("")
        self.message.setWordWrap(True)
        self.message.setProperty("role", "error")
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.fix_button = QPushButton("")
        self.fix_button.hide()
        self.heat_box = QCheckBox("gradients on canvas")
        self.heat_box.setChecked(True)
        bar = QHBoxLayout()
        for w in (self.start_button, self.pause_button, self.stop_button):
            bar.addWidget(w)
        bar.addWidget(self.progress, 1)
        bar.addWidget(self.progress_label, 3)
        bar.addWidget(self.heat_box)
        notes = QHBoxLayout()
        notes.addWidget(self.message, 1)
        notes.addWidget(self.fix_button, 0, Qt.AlignmentFlag.AlignTop)
        self.side = SideTabs()
        self.views_holder = QStackedWidget()
        waiting = QLabel("Preparing the plots…")
        waiting.setAlignment(Qt.AlignmentFlag.AlignCenter)
        waiting.setProperty("role", "caption")
        self.views_holder.addWidget(waiting)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.side)
        self.split.addWidget(self.views_holder)
        self.split.setStretchFactor(1, 1)
        self.split.setSizes([330, 1100])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.changed_label)
        layout.addLayout(notes)
        layout.addWidget(self.split, 1)

    # -- stages ---------------------------------------------------------------------------------
    def wait_for_imports(self) -> None:
        """Let the import thread finish (the application is quitting: a thread still importing
        while Python shuts down can crash it)."""
        if self._import_thread is not None:
            self._import_thread.join()

    def _import(self) -> None:
        try:
            _preimport()
        finally:
            try:
                self._imported.emit()
            except RuntimeError:  # the window closed while the imports ran
                pass

    @Slot()
    def _next_stage(self) -> None:
        if self._stages:
            self._stages.pop(0)()
            if self._stages:
                self._stage_timer.start()

    def _build_forms(self) -> None:
        from designer.training.data_fit import DataChecks
        from designer.training.data_panel import DatasetPanel
        from designer.training.settings_form import TrainingSettingsForm

        self._checks = DataChecks(self.editor, self)
        self._data_panel = DatasetPanel(self.editor, self._checks)
        self._settings_form = TrainingSettingsForm(self.editor)
        self.side.addTab(scrolled(self._data_panel), "Data")
        self.side.addTab(scrolled(self._settings_form), "Settings")

    def _build_runs(self) -> None:
        from designer.training.runs import RunsPanel

        self._runs_panel = RunsPanel()
        self.side.addTab(self._runs_panel, "Runs")

    def _build_views(self) -> None:
        """The views' container now; each view in a stage of its own."""
        from designer.training.views import VIEWS, LiveViews

        self._views = LiveViews([])
        self._stages[:0] = [lambda cls=cls: self._views.add_view(cls) for cls in VIEWS]
        self._stages.append(self._finish_build)

    def _finish_build(self) -> None:
        self.views_holder.addWidget(self._views)
        self.views_holder.setCurrentWidget(self._views)
        self._restore_splitters()
        self.built.emit()

    # -- remembered layout ----------------------------------------------------------------------
    def _restore_splitters(self) -> None:
        store = settings.settings()
        for key, splitter in (("training/split", self.split),
                              ("training/views_split", self._views.splitter)):
            state = store.value(key)
            if state is not None:
                splitter.restoreState(state)
            splitter.splitterMoved.connect(self._save_splitters)

    def _save_splitters(self, *_args) -> None:
        store = settings.settings()
        store.setValue("training/split", self.split.saveState())
        store.setValue("training/views_split", self._views.splitter.saveState())

    # -- provided by the dock -------------------------------------------------------------------
    def start(self) -> bool:
        raise NotImplementedError

    def toggle_pause(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError
