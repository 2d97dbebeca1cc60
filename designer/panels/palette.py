"""The layer palette: every registered layer, grouped by category, with a search filter.

Drag a layer onto the canvas (MIME type `LAYER_MIME`, the layer type as UTF-8), or press
Enter / double-click to ask for it at the canvas centre (`add_requested`). Tooltips show the
layer's description and parameters, straight from its LayerSpec.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QMimeData, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.layers import CATEGORIES, LayerSpec, all_specs
from designer import icons
from designer.theme import SPACE

LAYER_MIME = "application/x-netwright-layer"
TYPE_ROLE = Qt.UserRole + 1


def layer_tooltip(spec: LayerSpec) -> str:
    """Rich-text tooltip: description, then one line per parameter with its default."""
    lines = [f"<b>{html.escape(spec.type)}</b> <i>({spec.category})</i>",
             html.escape(spec.description)]
    if spec.params:
        rows = "".join(f"<li><b>{html.escape(p.display)}</b> = {html.escape(_fmt(p.default))}"
                       f" — {html.escape(p.doc)}</li>" for p in spec.params)
        lines.append(f"<ul style='margin-left:-16px'>{rows}</ul>")
    else:
        lines.append("<i>No parameters.</i>")
    return "<p style='white-space:normal'>" + "<br>".join(lines) + "</p>"


def _fmt(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value).lower() if isinstance(value, bool) else str(value)


class _LayerTree(QTreeWidget):
    enter_pressed = Signal(str)

    def mimeData(self, items: list[QTreeWidgetItem]) -> QMimeData:  # noqa: N802  (Qt API)
        data = QMimeData()
        kinds = [i.data(0, TYPE_ROLE) for i in items if i.data(0, TYPE_ROLE)]
        if kinds:
            data.setData(LAYER_MIME, kinds[0].encode("utf-8"))
            data.setText(kinds[0])
        return data

    def mimeTypes(self) -> list[str]:  # noqa: N802  (Qt API)
        return [LAYER_MIME]

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802  (Qt API)
        item = self.currentItem()
        kind = item.data(0, TYPE_ROLE) if item is not None else None
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and kind:
            self.enter_pressed.emit(kind)
            return
        super().keyPressEvent(event)


class PalettePanel(QWidget):
    """Search box above a category tree of layers."""

    add_requested = Signal(str)  # a layer type to add at the canvas centre

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search layers…", clearButtonEnabled=True)
        self.search.setAccessibleName("Search layers")
        self.tree = _LayerTree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QAbstractItemView.DragOnly)
        self.tree.setIndentation(SPACE * 2)
        self.tree.setAnimated(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(SPACE, SPACE, 0, 0)
        layout.setSpacing(SPACE)
        layout.addWidget(self.search)
        layout.addWidget(self.tree)
        self._categories: dict[str, QTreeWidgetItem] = {}
        self._populate()
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self._add_first_visible)
        self.tree.itemDoubleClicked.connect(self._on_activated)
        self.tree.enter_pressed.connect(self.add_requested)
        self.search.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802  (Qt API)
        """Down moves from the search box into the list; Escape clears the search."""
        if watched is self.search and event.type() == QEvent.KeyPress:
            if event.key() == Qt.Key_Down:
                self.tree.setFocus()
                if self.tree.currentItem() is None or self.tree.currentItem().isHidden():
                    self.tree.setCurrentItem(self._first_visible())
                return True
            if event.key() == Qt.Key_Escape and self.search.text():
                self.search.clear()
                return True
        return super().eventFilter(watched, event)

    def _populate(self) -> None:
        specs = all_specs()
        for category in CATEGORIES:
            members = [s for s in specs if s.category == category]
            if not members:
                continue
            top = QTreeWidgetItem(self.tree, [category.capitalize()])
            top.setFlags(Qt.ItemIsEnabled)
            top.setIcon(0, icons.category_icon(category))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            self._categories[category] = top
            for spec in members:
                item = QTreeWidgetItem(top, [spec.type])
                item.setData(0, TYPE_ROLE, spec.type)
                item.setToolTip(0, layer_tooltip(spec))
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
        self.tree.expandAll()

    def refresh_icons(self) -> None:
        for category, item in self._categories.items():
            item.setIcon(0, icons.category_icon(category))

    def layer_items(self) -> list[QTreeWidgetItem]:
        return [top.child(i) for top in self._categories.values() for i in range(top.childCount())]

    def visible_layers(self) -> list[str]:
        return [i.data(0, TYPE_ROLE) for i in self.layer_items()
                if not i.isHidden() and not i.parent().isHidden()]

    def filter(self, text: str) -> None:
        """Show only layers whose name, category or description contains `text`."""
        needle = text.strip().lower()
        specs = {s.type: s for s in all_specs()}
        for category, top in self._categories.items():
            shown = 0
            for i in range(top.childCount()):
                item = top.child(i)
                spec = specs[item.data(0, TYPE_ROLE)]
                hay = f"{spec.type} {category} {spec.description}".lower()
                item.setHidden(bool(needle) and needle not in hay)
                shown += not item.isHidden()
            top.setHidden(shown == 0)
            top.setExpanded(True)
        first = self._first_visible()
        if needle and first is not None:
            self.tree.setCurrentItem(first)

    def _first_visible(self) -> QTreeWidgetItem | None:
        """The best visible match: a layer whose name contains the search text, if any."""
        needle = self.search.text().strip().lower()
        shown = [i for i in self.layer_items() if not i.isHidden() and not i.parent().isHidden()]
        by_name = [i for i in shown if needle and needle in i.text(0).lower()]
        return (by_name or shown or [None])[0]

    def _add_first_visible(self) -> None:
        item = self._first_visible()
        if item is not None:
            self.add_requested.emit(item.data(0, TYPE_ROLE))

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, TYPE_ROLE)
        if kind:
            self.add_requested.emit(kind)
