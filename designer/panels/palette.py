"""The layer palette: every registered layer, grouped by category, with a search filter.

Drag a layer onto the canvas (MIME type `LAYER_MIME`, the layer type as UTF-8), or press
Enter / double-click to ask for it at the canvas centre (`add_requested`). Tooltips show the
layer's description and parameters, straight from its LayerSpec.

The Blocks section lists the block library (VGG block, residual blocks, dense block,
inception and fire modules, ...) and the blocks of the open design, which are reusable: a
dragged block is a new use of the same definition. Their MIME data (`BLOCK_MIME`) is
"library:NAME" or "design:DEFINITION". The ports of a block (BlockInput, BlockOutput) are
listed only while the canvas shows a block's inside.
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
from designer.panels.palette_blocks import BLOCK_ROLE, OFF_ROLE, SEARCH_ROLE, PaletteBlocks
from designer.theme import SPACE

LAYER_MIME = "application/x-netwright-layer"
BLOCK_MIME = "application/x-netwright-block"
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
        blocks = [i.data(0, BLOCK_ROLE) for i in items if i.data(0, BLOCK_ROLE)]
        if kinds:
            data.setData(LAYER_MIME, kinds[0].encode("utf-8"))
            data.setText(kinds[0])
        elif blocks:
            data.setData(BLOCK_MIME, blocks[0].encode("utf-8"))
            data.setText(blocks[0])
        return data

    def mimeTypes(self) -> list[str]:  # noqa: N802  (Qt API)
        return [LAYER_MIME, BLOCK_MIME]

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802  (Qt API)
        item = self.currentItem()
        kind = (item.data(0, TYPE_ROLE) or item.data(0, BLOCK_ROLE)) if item is not None \
            else None
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and kind:
            self.enter_pressed.emit(kind)
            return
        super().keyPressEvent(event)


class PalettePanel(QWidget):
    """Search box above a category tree of layers."""

    add_requested = Signal(str)  # a layer type (or "library:NAME" / "design:ID") to add

    def __init__(self, editor=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.editor = editor
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
        self.blocks = PaletteBlocks(self.tree, self._categories.get("block"))
        if editor is not None:
            editor.document_event.connect(self._on_document_event)
            editor.document_replaced.connect(self.refresh_blocks)
            editor.scope_changed.connect(self.refresh_blocks)
        self.refresh_blocks()
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
                item.setData(0, SEARCH_ROLE, spec.description)
                item.setToolTip(0, layer_tooltip(spec))
                item.setFlags(Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled)
        self.tree.expandAll()

    def _on_document_event(self, name: str, _payload: dict) -> None:
        if name in ("block_added", "block_removed", "block_changed", "reset"):
            self.refresh_blocks()

    def refresh_blocks(self) -> None:
        """The design's own blocks, and the block ports when a block's inside is shown."""
        editor = self.editor
        self.blocks.set_design(editor.doc if editor is not None else None,
                               bool(editor is not None and editor.scope))
        self.filter(self.search.text())

    def refresh_icons(self) -> None:
        for category, item in self._categories.items():
            item.setIcon(0, icons.category_icon(category))

    def layer_items(self) -> list[QTreeWidgetItem]:
        """Every entry that adds something: layers, block ports and blocks."""
        tops = [*self._categories.values(), *self.blocks.groups()]
        return [top.child(i) for top in tops for i in range(top.childCount())
                if top.child(i).data(0, TYPE_ROLE) or top.child(i).data(0, BLOCK_ROLE)]

    def visible_layers(self) -> list[str]:
        return [i.data(0, TYPE_ROLE) for i in self.layer_items()
                if i.data(0, TYPE_ROLE) and not i.isHidden() and not i.parent().isHidden()]

    def filter(self, text: str) -> None:
        """Show only layers and blocks whose name, category or description holds `text`."""
        needle = text.strip().lower()
        for top in [*self._categories.values(), *self.blocks.groups()]:
            shown = 0
            for i in range(top.childCount()):
                item = top.child(i)
                hay = f"{item.text(0)} {top.text(0)} {item.data(0, SEARCH_ROLE) or ''}".lower()
                hidden = (bool(needle) and needle not in hay) or bool(item.data(0, OFF_ROLE))
                item.setHidden(hidden)
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
            self.add_requested.emit(item.data(0, TYPE_ROLE) or item.data(0, BLOCK_ROLE))

    def _on_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        kind = item.data(0, TYPE_ROLE) or item.data(0, BLOCK_ROLE)
        if kind:
            self.add_requested.emit(kind)
