"""QuickAddPopup: type a few letters, press Enter, get a layer (Tab / double-click on canvas).

The list is every registered layer (`all_specs()`), filtered and ranked as the user types:
type names that start with the text first, then names containing it, then category and
description matches. The popup only reports the chosen type; the view adds the layer.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from backend.layers import all_specs
from designer.canvas import style as st


def rank(query: str, layer_type: str, category: str, description: str) -> int | None:
    """Lower is better; None means the layer does not match."""
    q = query.strip().lower()
    name = layer_type.lower()
    if not q:
        return 3
    if name.startswith(q):
        return 0
    if q in name:
        return 1
    if category.startswith(q):
        return 2
    if all(word in description.lower() for word in q.split()):
        return 4
    return None


class QuickAddPopup(QFrame):
    chosen = Signal(str)  # the layer type picked

    def __init__(self, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("QuickAddPopup")
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Add layer: type to search, Enter to add")
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        self.resize(300, 320)
        self.search.textChanged.connect(self.refilter)
        self.list.itemActivated.connect(self._activate)
        self.search.installEventFilter(self)
        self.refilter("")

    def refilter(self, text: str) -> None:
        self.list.clear()
        matches = []
        for i, spec in enumerate(all_specs()):
            r = rank(text, spec.type, spec.category, spec.description)
            if r is not None:
                matches.append((r, i, spec))
        for _, _, spec in sorted(matches, key=lambda m: (m[0], m[1])):
            item = QListWidgetItem(f"{st.category_glyph(spec.category)}  {spec.type}"
                                   f"    · {spec.category}")
            item.setData(Qt.ItemDataRole.UserRole, spec.type)
            item.setToolTip(spec.description)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def open_at(self, global_pos: QPoint) -> None:
        self.search.clear()
        self.refilter("")
        self.move(global_pos)
        self.show()
        self.search.setFocus()

    def current_type(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None

    def accept_current(self) -> None:
        layer_type = self.current_type()
        self.hide()
        if layer_type:
            self.chosen.emit(layer_type)

    def _activate(self, item: QListWidgetItem) -> None:
        self.list.setCurrentItem(item)
        self.accept_current()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802  (Qt API name)
        if obj is self.search and event.type() == event.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.accept_current()
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                return True
            if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if key == Qt.Key.Key_Down else -1
                row = max(0, min(self.list.count() - 1, self.list.currentRow() + step))
                self.list.setCurrentRow(row)
                return True
        return super().eventFilter(obj, event)
