"""The Problems list: every problem of the design with its fix; clicking one shows the node.

Rows carry a severity icon and the word (never colour alone). Activating a row emits
`node_activated(node_id)`; the main window selects that node and centres the canvas on it.
A problem with a mechanical fix has a button naming it ("Insert Flatten before 'fc'"): one
click applies it as one undo step (also Ctrl+Enter on the row, or its context menu). Other
parts of the app may add their own problems (e.g. the design against the dataset) with
`set_extra(key, problems)`; they are listed after the design's own.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFontMetrics, QIcon
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from designer import icons
from designer.editor import DocumentEditor
from designer.fixing import apply_fix
from designer.theme import SPACE

MAX_ROWS = 200  # problems listed; more are counted in a last row (each row is a widget)
NODE_ROLE = Qt.UserRole + 1
ROW_ROLE = Qt.UserRole + 2  # True: a ProblemRow widget draws this row
EMPTY_HINT = ("Nothing to check yet. To start, drag an Input from the Layers palette onto the "
              "canvas (or press Tab on the canvas), or choose a template with File ▸ New from "
              "Template (Ctrl+N).")


class _BackgroundOnly(QStyledItemDelegate):
    """A row with a widget paints only its background and selection here (the widget draws
    the icon, sentence and button); the 'no problems' row paints as usual."""

    def paint(self, painter, option, index) -> None:
        if not index.data(ROW_ROLE):
            super().paint(painter, option, index)
            return
        self.initStyleOption(option, index)
        option.text = ""
        option.icon = QIcon()
        style = option.widget.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)


class ProblemRow(QWidget):
    """Icon, sentence and, when the problem has one, the button that applies its fix."""

    def __init__(self, problem, text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.problem = problem
        layout = QHBoxLayout(self)
        layout.setContentsMargins(SPACE, SPACE // 2, SPACE, SPACE // 2)
        layout.setSpacing(SPACE)
        icon = QLabel()
        icon.setPixmap(icons.severity_icon(problem.severity).pixmap(16, 16))
        icon.setAlignment(Qt.AlignTop)
        icon.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setAttribute(Qt.WA_TransparentForMouseEvents)
        layout.addWidget(icon)
        layout.addWidget(self.label, 1)
        self.button: QPushButton | None = None
        if problem.fix is not None:
            self.button = QPushButton(problem.fix.label)
            self.button.setToolTip(f"{problem.fix.label} (one undo step; Ctrl+Enter on the row)")
            self.button.setProperty("role", "fix")
            layout.addWidget(self.button, 0, Qt.AlignTop)
        self.setAccessibleName(text)

    def height_for(self, width: int) -> int:
        """The row's height at `width`: the sentence wrapped beside the icon and button."""
        self.ensurePolished()
        self.label.ensurePolished()
        margins = self.layout().contentsMargins()
        spacing = self.layout().spacing()
        text_w = width - margins.left() - margins.right() - 16 - spacing
        button_h = 0
        if self.button is not None:
            self.button.ensurePolished()
            text_w -= self.button.sizeHint().width() + spacing
            button_h = self.button.sizeHint().height()
        rect = QFontMetrics(self.label.font()).boundingRect(
            QRect(0, 0, max(80, text_w), 100000), Qt.TextWordWrap, self.label.text())
        return max(rect.height() + 4, button_h, 18) + margins.top() + margins.bottom()


class ProblemsPanel(QWidget):
    node_activated = Signal(str)
    count_changed = Signal(int)

    def __init__(self, editor: DocumentEditor, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
        self.extra: dict[str, list] = {}
        self._shown: list | None = None  # what the rows show, to skip rebuilding the same
        self._pending = None  # a fix clicked, applied once the click has returned
        self._menu_problem = None  # the row a context menu was opened on
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setUniformItemSizes(False)
        self.list.setAlternatingRowColors(True)
        self.list.setItemDelegate(_BackgroundOnly(self.list))
        self.list.setContextMenuPolicy(Qt.CustomContextMenu)
        self.list.setVerticalScrollMode(QListWidget.ScrollPerPixel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self.list.itemClicked.connect(self._on_item)
        self.list.itemActivated.connect(self._on_item)
        self.list.customContextMenuRequested.connect(self._context_menu)
        self.list.viewport().installEventFilter(self)
        self.list.installEventFilter(self)
        editor.analysis_changed.connect(self.refresh)
        self.refresh()

    # -- content --------------------------------------------------------------------------------
    def problems(self) -> list:
        return [*self.editor.analysis.problems, *(p for ps in self.extra.values() for p in ps)]

    def set_extra(self, key: str, problems: list) -> None:
        """Problems found outside the design's own analysis (listed after it)."""
        if problems:
            self.extra[key] = list(problems)
        else:
            self.extra.pop(key, None)
        self.refresh()

    def refresh(self) -> None:
        """List the problems; the same list as shown keeps its rows (they take the new
        problems, whose fixes apply to the design as it is now)."""
        problems = self.problems()
        shown = [bool(self.editor.doc.nodes)] + [
            (p.node, p.message, p.severity, p.fix.label if p.fix else None) for p in problems]
        if shown == self._shown and self.list.count():
            self._adopt(problems)
            return
        self._shown = shown
        self.list.setUpdatesEnabled(False)
        try:
            self._fill(problems)
        finally:
            self.list.setUpdatesEnabled(True)
        self.count_changed.emit(len(problems))

    def _fill(self, problems: list) -> None:
        self.list.clear()
        listed = problems[:MAX_ROWS]
        items = [self._add_item(problem) for problem in listed]  # rows first, then widgets:
        for item, problem in zip(items, listed, strict=True):  # each addItem after a widget
            row = ProblemRow(problem, item.text())  # moves every widget before it
            if row.button is not None:
                row.button.clicked.connect(self._fix_clicked)
            self.list.setItemWidget(item, row)
        if len(problems) > MAX_ROWS:
            self._add_more_row(len(problems) - MAX_ROWS)
        if not problems:
            self._add_empty_row()
        self._fit_rows()

    def _adopt(self, problems: list) -> None:
        for i, problem in enumerate(problems[:MAX_ROWS]):
            row = self.list.itemWidget(self.list.item(i))
            if row is not None:
                row.problem = problem

    def _add_item(self, problem) -> QListWidgetItem:
        word = "Error" if problem.severity == "error" else problem.severity.capitalize()
        item = QListWidgetItem(f"{word}: {problem.message}")
        item.setData(NODE_ROLE, problem.node)
        item.setData(ROW_ROLE, True)
        item.setToolTip(problem.message)
        self.list.addItem(item)
        return item

    def _add_more_row(self, more: int) -> None:
        item = QListWidgetItem(icons.severity_icon("info"),
                               f"… and {more:,} more problems: fix those above first (one "
                               "cause often explains many); the canvas marks every layer "
                               "with a problem.")
        item.setFlags(Qt.ItemIsEnabled)
        self.list.addItem(item)

    def _add_empty_row(self) -> None:
        has_nodes = bool(self.editor.doc.nodes)
        item = QListWidgetItem(icons.severity_icon("ok" if has_nodes else "info"),
                               "No problems: the design is valid." if has_nodes
                               else EMPTY_HINT)
        item.setFlags(Qt.ItemIsEnabled)
        self.list.addItem(item)

    def messages(self) -> list[str]:
        return [self.list.item(i).text() for i in range(self.list.count())]

    def fix_buttons(self) -> list[QPushButton]:
        rows = (self.list.itemWidget(self.list.item(i)) for i in range(self.list.count()))
        return [r.button for r in rows if r is not None and r.button is not None]

    # -- sizes ----------------------------------------------------------------------------------
    def _fit_rows(self) -> None:
        """Each row as tall as its wrapped sentence at the list's current width."""
        width = self.list.viewport().width()
        for i in range(self.list.count()):
            item = self.list.item(i)
            row = self.list.itemWidget(item)
            if row is not None:
                item.setSizeHint(QSize(width, row.height_for(width)))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802  (Qt API name)
        if obj is self.list.viewport() and event.type() == QEvent.Resize:
            self._fit_rows()
        elif obj is self.list and event.type() == QEvent.KeyPress and \
                event.key() in (Qt.Key_Return, Qt.Key_Enter) and \
                event.modifiers() & Qt.ControlModifier:
            self.apply_row_fix(self.list.currentRow())
            return True
        return super().eventFilter(obj, event)

    # -- actions --------------------------------------------------------------------------------
    def _on_item(self, item: QListWidgetItem) -> None:
        node_id = item.data(NODE_ROLE)
        if node_id and node_id in self.editor.doc.nodes:
            self.node_activated.emit(node_id)

    def _row_problem(self, row: int):
        widget = self.list.itemWidget(self.list.item(row)) if 0 <= row < self.list.count() \
            else None
        return widget.problem if widget is not None else None

    def _fix_clicked(self) -> None:
        row = self.sender().parentWidget() if self.sender() is not None else None
        if isinstance(row, ProblemRow):
            self._defer(row.problem)

    def apply_row_fix(self, row: int) -> bool:
        problem = self._row_problem(row)
        if problem is None or problem.fix is None:
            return False
        self._defer(problem)
        return True

    def _defer(self, problem) -> None:
        """Apply after the click returns: the list is rebuilt when the design changes."""
        self._pending = problem
        QTimer.singleShot(0, self._apply_pending)

    def _apply_pending(self) -> None:
        problem, self._pending = self._pending, None
        if problem is not None and apply_fix(self.editor, problem) and \
                problem.node in self.editor.doc.nodes:
            self.node_activated.emit(problem.node)  # show where the design changed

    def _context_menu(self, pos) -> None:
        item = self.list.itemAt(pos)
        row = self.list.row(item) if item is not None else -1
        problem = self._row_problem(row)
        if problem is None:
            return
        self._menu_problem = problem  # bound-method slots: a lambda on a menu crashed on delete
        menu = QMenu(self)
        if problem.fix is not None:
            menu.addAction(f"Fix: {problem.fix.label}", self._fix_menu_problem)
        if problem.node in self.editor.doc.nodes:
            menu.addAction("Show Layer", self._show_menu_problem)
        menu.exec(self.list.viewport().mapToGlobal(pos))
        menu.deleteLater()

    def _fix_menu_problem(self) -> None:
        self._defer(self._menu_problem)

    def _show_menu_problem(self) -> None:
        node = self._menu_problem.node if self._menu_problem is not None else None
        if node in self.editor.doc.nodes:
            self.node_activated.emit(node)
