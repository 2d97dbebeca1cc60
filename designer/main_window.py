"""The main window: palette left, canvas centre, inspector right, problems and summary below.

Kept small on purpose so other features plug in: `menus` maps names to QMenus ("file",
"recent", "export", "edit", "view", "panels", "help"), `menu(title)` adds a top-level menu
(e.g. "Train") before Help, and `add_dock(widget, area, title)` adds a dock that appears in
View > Panels. File behaviour lives in files.py, actions and menus in actions.py.
"""

from __future__ import annotations

import importlib
import logging

from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFrame,
    QMainWindow,
    QMenu,
    QScrollArea,
    QTabWidget,
    QUndoView,
    QWidget,
)

from designer import actions, icons, settings, theme
from designer.canvas_slot import create_canvas, fit_readable
from designer.editor import DocumentEditor
from designer.files import FileController
from designer.panels.inspector import InspectorPanel
from designer.panels.palette import PalettePanel
from designer.panels.problems import ProblemsPanel
from designer.panels.summary import SummaryPanel
from designer.status import StatusController

log = logging.getLogger(__name__)
# modules with install(window), added after the window first shows
EXTENSIONS = ("designer.training", "designer.recovery", "designer.export_actions",
              "designer.import_actions", "designer.project_state", "designer.explore",
              "designer.training.experiments")
DOCK_MIN = {Qt.BottomDockWidgetArea: (0, 240), Qt.TopDockWidgetArea: (0, 240),
            Qt.LeftDockWidgetArea: (380, 0), Qt.RightDockWidgetArea: (380, 0)}


def _scroll_if_large(widget: QWidget, area: Qt.DockWidgetArea) -> QWidget:
    """Wrap a panel whose minimum size would squeeze the canvas in a scroll area.

    Tabbed docks share one area whose size is their largest minimum, so one tall panel
    would otherwise shrink the canvas for every tab.
    """
    hint = widget.minimumSizeHint()
    max_w, max_h = DOCK_MIN.get(area, (0, 0))
    if not ((max_w and hint.width() > max_w) or (max_h and hint.height() > max_h)):
        return widget
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.NoFrame)
    scroll.setWidget(widget)
    return scroll


class MainWindow(QMainWindow):
    closed = Signal()  # the window closed for good (changes saved or discarded)

    def __init__(self, editor: DocumentEditor | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor or DocumentEditor(parent=self)
        self.menus: dict[str, QMenu] = {}
        self._shown = False
        self._extended = False
        self.setWindowIcon(icons.icon("app"))
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowTabbedDocks)
        self.setTabPosition(Qt.AllDockWidgetAreas, QTabWidget.North)
        self.canvas = create_canvas(self.editor, self)
        self.setCentralWidget(self.canvas)
        self.files = FileController(self.editor, self)
        self.actions = actions.build(self)
        self.files.on_recent_changed = lambda files: actions.update_recent_menu(self, files)
        self._build_panels()
        self.status = StatusController(self.editor, self.statusBar())
        self.editor.dirty_changed.connect(self.setWindowModified)
        self.editor.path_changed.connect(self.update_title)
        self.editor.document_replaced.connect(self.update_title)
        self.editor.document_replaced.connect(self._fit_soon)
        self.resize(1440, 900)
        self._restore_layout()
        self.update_title()
        self._tell_canvas_theme()
        self.problems_dock.raise_()

    def _build_panels(self) -> None:
        self.palette = PalettePanel(self.editor)
        self.inspector = InspectorPanel(self.editor)
        self.problems = ProblemsPanel(self.editor)
        self.summary = SummaryPanel(self.editor)
        self.palette_dock = self.add_dock(self.palette, Qt.LeftDockWidgetArea, "Layers")
        self.inspector_dock = self.add_dock(self.inspector, Qt.RightDockWidgetArea, "Inspector")
        self.problems_dock = self.add_dock(self.problems, Qt.BottomDockWidgetArea, "Problems")
        self.summary_dock = self.add_dock(self.summary, Qt.BottomDockWidgetArea, "Summary")
        self.history = QUndoView(self.editor.undo_stack)
        self.history.setEmptyLabel("Design as opened")
        self.history_dock = self.add_dock(self.history, Qt.BottomDockWidgetArea, "History")
        self.problems_dock.raise_()
        self.resizeDocks([self.palette_dock, self.inspector_dock], [210, 310], Qt.Horizontal)
        self.resizeDocks([self.problems_dock], [170], Qt.Vertical)
        self.palette.add_requested.connect(self.add_layer_at_centre)
        self.problems.node_activated.connect(self.show_node)
        self.summary.node_activated.connect(self.show_node)
        self.problems.count_changed.connect(self._on_problem_count)

    # -- extension points -----------------------------------------------------------------------
    def install_extensions(self) -> None:
        """Add the features in EXTENSIONS (e.g. the Training dock); called once the window
        shows, so their heavier imports (plots) never delay the first paint."""
        if self._extended:
            return
        self._extended = True
        for name in EXTENSIONS:
            try:
                importlib.import_module(name).install(self)
            except Exception:  # a broken feature must not take the designer down
                log.exception("could not install %s", name)
        self._restore_layout()
        self.problems_dock.raise_()

    def add_dock(self, widget: QWidget, area: Qt.DockWidgetArea, title: str) -> QDockWidget:
        """Add `widget` as a dock (tabbed with docks already at the bottom or top)."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{title.lower().replace(' ', '_')}")
        dock.setWidget(_scroll_if_large(widget, area))
        dock.setFeatures(QDockWidget.DockWidgetClosable | QDockWidget.DockWidgetMovable)
        same_area = [d for d in self.findChildren(QDockWidget)
                     if d is not dock and self.dockWidgetArea(d) == area and not d.isFloating()]
        self.addDockWidget(area, dock)
        if area in (Qt.BottomDockWidgetArea, Qt.TopDockWidgetArea):
            dock.setTitleBarWidget(QWidget())  # the tabs name these docks
            if same_area:
                self.tabifyDockWidget(same_area[-1], dock)
        self.menus["panels"].addAction(dock.toggleViewAction())
        return dock

    def menu(self, title: str) -> QMenu:
        """The top-level menu `title`, created before Help if it does not exist yet."""
        key = title.replace("&", "").lower()
        if key not in self.menus:
            menu = QMenu(title, self)
            self.menuBar().insertMenu(self.menus["help"].menuAction(), menu)
            self.menus[key] = menu
        return self.menus[key]

    # -- behaviour ------------------------------------------------------------------------------
    def add_layer_at_centre(self, layer_type: str) -> None:
        view = self.canvas
        centre = view.viewport().rect().center() if hasattr(view, "viewport") else None
        pos = view.mapToScene(centre) if centre is not None else QPointF(0, 0)
        view.add_layer(layer_type, QPointF(pos))

    def show_node(self, node_id: str) -> None:
        self.editor.set_selection([node_id])
        centre = getattr(self.canvas, "center_on_node", None)
        if callable(centre):
            centre(node_id)

    def _fit_soon(self) -> None:
        """Fit the canvas to the design once the view has its size (after open or new)."""
        QTimer.singleShot(0, lambda: fit_readable(self.canvas))

    def showEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().showEvent(event)
        if not self._shown:
            self._shown = True
            self._fit_soon()

    def set_dark(self, dark: bool) -> None:
        theme.apply(QApplication.instance(), dark)
        settings.set_dark_theme(dark)
        self.actions["dark"].blockSignals(True)
        self.actions["dark"].setChecked(dark)
        self.actions["dark"].blockSignals(False)
        actions.refresh_icons(self)
        self.palette.refresh_icons()
        self.problems.refresh()
        self.inspector.refresh()
        self.status.refresh_icons()
        self.setWindowIcon(icons.icon("app"))
        self._tell_canvas_theme()

    def _tell_canvas_theme(self) -> None:
        set_dark = getattr(self.canvas, "set_dark", None)
        if callable(set_dark):
            set_dark(theme.is_dark())

    def _on_problem_count(self, count: int) -> None:
        self.problems_dock.setWindowTitle(f"Problems ({count})" if count else "Problems")

    def update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self.files.display_name()}[*] — Netwright")
        self.setWindowModified(self.editor.dirty)

    # -- window state ---------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802  (Qt API)
        if not self.files.confirm_discard():
            event.ignore()
            return
        store = settings.settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        event.accept()
        self.closed.emit()

    def _restore_layout(self) -> None:
        store = settings.settings()
        geometry, state = store.value("window/geometry"), store.value("window/state")
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)
