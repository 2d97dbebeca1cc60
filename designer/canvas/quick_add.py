"""QuickAddPopup: type a few letters, press Enter, get a layer (Tab / double-click on canvas).

The list is every registered layer (`all_specs()`), filtered and ranked as the user types:
type names that start with the text first, then names containing it, then category and
description matches. When the new layer will follow a layer whose output shape is known
(`set_input_shape`), layers whose shape rule accepts that shape come first within each rank:
after a (B, 32, 24, 24) map "maxp" offers MaxPool2d before MaxPool1d. The popup only reports
the chosen type; the view adds the layer.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QVBoxLayout,
)

from backend.layers import all_specs
from designer.canvas import style as st

CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 1
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 2
ADD_PROMPT = "Add layer: type to search, Enter to add"
CHOOSE_PROMPT = "Type to search, Enter to choose"


def fits(spec, shape: tuple[int, ...] | None) -> bool:
    """Does `spec` with its default parameters accept one input of `shape`?"""
    if shape is None:
        return True
    try:
        spec.shape_rule([tuple(shape)], spec.defaults())
    except Exception:  # any refusal (ShapeError, a rule that needs more inputs) means "no"
        return False
    return True


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


class _Delegate(QStyledItemDelegate):
    """Glyph in the category colour, the type name, and the category right-aligned, muted."""

    def paint(self, painter, option, index) -> None:
        self.initStyleOption(option, index)
        text = option.text
        option.text = ""
        style = option.widget.style() if option.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter, option.widget)
        category = index.data(CATEGORY_ROLE) or ""
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        pal = option.palette
        text_colour = pal.highlightedText().color() if selected else pal.text().color()
        rect = option.rect.adjusted(8, 0, -8, 0)
        painter.save()
        painter.setPen(text_colour if selected else st.category_accent(category))
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter, st.category_glyph(category))
        painter.setPen(text_colour)
        painter.drawText(rect.adjusted(22, 0, 0, 0), Qt.AlignmentFlag.AlignVCenter, text)
        muted = text_colour if selected else pal.placeholderText().color()
        painter.setPen(muted)
        painter.drawText(rect, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         category)
        painter.restore()

    def sizeHint(self, option, index):  # noqa: N802  (Qt API name)
        size = super().sizeHint(option, index)
        size.setHeight(max(size.height(), 24))
        return size


class QuickAddPopup(QFrame):
    chosen = Signal(str)  # the layer type picked

    def __init__(self, parent=None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setObjectName("QuickAddPopup")
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.heading.setVisible(False)
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(ADD_PROMPT)
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        self.list.setItemDelegate(_Delegate(self.list))
        self.about = QLabel(self)
        self.about.setWordWrap(True)
        self.about.setMinimumHeight(34)
        self.about.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(self.about)
        self.resize(320, 340)
        self.list.currentItemChanged.connect(self._describe)
        self.search.textChanged.connect(self.refilter)
        self.list.itemActivated.connect(self._activate)
        self.search.installEventFilter(self)
        self._fitting: dict[str, bool] = {}
        self._prefer, self._exclude = "", set()
        self.refilter("")

    def set_choice(self, prefer: str = "", exclude: tuple[str, ...] = ()) -> None:
        """Rank layers of category `prefer` first and leave out the types in `exclude`
        (replacing a layer: its own type, and an Input for a layer that has wires in)."""
        self._prefer, self._exclude = prefer, set(exclude)

    def set_input_shape(self, shape: tuple[int, ...] | None) -> None:
        """The shape the new layer will receive (None: unknown or not wired in)."""
        self._fitting = {spec.type: fits(spec, shape) for spec in all_specs()} if shape else {}

    def refilter(self, text: str) -> None:
        self.list.clear()
        matches = []
        for i, spec in enumerate(all_specs()):
            r = rank(text, spec.type, spec.category, spec.description)
            if r is not None and spec.type not in self._exclude:
                matches.append((r, bool(self._prefer) and spec.category != self._prefer,
                                not self._fitting.get(spec.type, True), i, spec))
        for *_, spec in sorted(matches, key=lambda m: m[:4]):
            item = QListWidgetItem(spec.type)
            item.setData(Qt.ItemDataRole.UserRole, spec.type)
            item.setData(CATEGORY_ROLE, spec.category)
            item.setData(DESCRIPTION_ROLE, spec.description)
            item.setToolTip(spec.description)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)
        else:
            self.about.setText("No layer matches: try another word (e.g. conv, pool, norm).")

    def _describe(self, item: QListWidgetItem | None) -> None:
        self.about.setText(item.data(DESCRIPTION_ROLE) if item is not None else "")

    def open_at(self, global_pos: QPoint, heading: str = "") -> None:
        """Show the popup at `global_pos`; a `heading` says what the choice is for."""
        self.heading.setText(heading)
        self.heading.setVisible(bool(heading))
        self.search.setPlaceholderText(CHOOSE_PROMPT if heading else ADD_PROMPT)
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
