"""Widgets the Explore pages share: an editable grid of numbers, headings, formula lines.

`NumberGrid` is a QTableWidget of square cells. Typed values are checked (a non-number is
refused with one sentence through `refused`, and the cell keeps its old value); `edited`
fires after a real change. A ring of padding cells can be shown around the values (grey,
read-only zeros) and any cells can be highlighted (the sliding window). Cells shade with
their value, so a grid too small for digits still shows its picture.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from designer import theme

PAD_ROLE = Qt.ItemDataRole.UserRole + 1  # the cell is padding
MARK_ROLE = Qt.ItemDataRole.UserRole + 2  # 1 = in the window, 2 = the current output cell
SHADE_ROLE = Qt.ItemDataRole.UserRole + 3  # 0..1: how strongly to tint the cell


def number_text(v: float) -> str:
    """A cell's text: whole numbers as they are, others with two decimals (−0.81)."""
    v = float(v)
    if v.is_integer() and abs(v) < 1e6:
        text = str(int(v))
    else:
        text = f"{v:.2f}" if abs(v) < 100 else f"{v:.3g}"
    return text.replace("-", "−")


def parse_number(text: str) -> float:
    """A typed number ('−1', '0,5' and '1e-3' work); ValueError with the fix otherwise."""
    cleaned = text.strip().replace("−", "-").replace("–", "-").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"'{text.strip()}' is not a number: type a number like 1, -2 or "
                         "0.5") from None
    if not np.isfinite(value):
        raise ValueError("type a finite number")
    return value


def label(text: str = "", role: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    if role:
        widget.setProperty("role", role)
    widget.setWordWrap(wrap)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return widget


def formula_label(text: str = "") -> QLabel:
    """A line of arithmetic in a monospace face, selectable for copying."""
    widget = label(text)
    font = QFont("monospace")
    font.setStyleHint(QFont.StyleHint.Monospace)
    widget.setFont(font)
    return widget


def check_style() -> str:
    """Check boxes inside item views drawn like the theme's QCheckBox (visible when off)."""
    from designer.icons import image_file

    c = theme.colors()
    check = image_file("check", c.accent_text, 14)
    return (f"QAbstractItemView::indicator {{ width: 14px; height: 14px; border: 1px solid "
            f"{c.muted}; border-radius: 3px; background: {c.base}; }} "
            f"QAbstractItemView::indicator:checked {{ background: {c.accent}; border-color: "
            f"{c.accent}; image: url({check}); }}")


def card(widget_layout) -> QFrame:
    frame = QFrame()
    frame.setProperty("role", "card")
    frame.setLayout(widget_layout)
    return frame


class _CellDelegate(QStyledItemDelegate):
    """Paints value shading, padding hatching and the window's outline."""

    def paint(self, painter: QPainter, option, index) -> None:
        c = theme.colors()
        rect = option.rect
        painter.save()
        pad = bool(index.data(PAD_ROLE))
        base = QColor(c.alt_base if pad else c.base)
        painter.fillRect(rect, base)
        shade = index.data(SHADE_ROLE)
        if shade and not pad:
            tint = QColor(c.text)
            tint.setAlphaF(min(0.30, 0.06 + 0.24 * float(shade)))
            painter.fillRect(rect, tint)
        mark = index.data(MARK_ROLE) or 0
        if mark:
            glow = QColor(c.warning if mark == 2 else c.accent)
            glow.setAlphaF(0.35)
            painter.fillRect(rect, glow)
        painter.setPen(QPen(QColor(c.border), 1))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        if mark:
            painter.setPen(QPen(QColor(c.warning if mark == 2 else c.accent), 2))
            painter.drawRect(rect.adjusted(1, 1, -2, -2))
        text = index.data() or ""
        font = QFont(option.font)
        font.setBold(bool(mark))
        if QFontMetrics(font).horizontalAdvance(text) <= rect.width() - 2:
            painter.setPen(QColor(c.muted if pad else c.text))
            painter.setFont(font)
            painter.drawText(QRect(rect), Qt.AlignmentFlag.AlignCenter, text)
        # else: too small for digits; the shading shows the picture, the tooltip the number
        painter.restore()


class NumberGrid(QTableWidget):
    """A rows × cols grid of numbers, optionally editable, with a padding ring."""

    edited = Signal()
    refused = Signal(str)

    def __init__(self, editable: bool = True, cell: int = 34, parent: QWidget | None = None):
        super().__init__(parent)
        self.editable = editable
        self.cell = self.base_cell = cell
        self.max_width = 480  # a wide grid gets smaller cells (digits drop out, shading stays)
        self.pad = (0, 0)
        self._values = np.zeros((0, 0))
        self._loading = False
        self.setItemDelegate(_CellDelegate(self))
        for header in (self.horizontalHeader(), self.verticalHeader()):
            header.hide()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
            header.setMinimumSectionSize(8)
        self.setShowGrid(False)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        triggers = (QAbstractItemView.EditTrigger.AnyKeyPressed
                    | QAbstractItemView.EditTrigger.DoubleClicked
                    | QAbstractItemView.EditTrigger.EditKeyPressed) if editable \
            else QAbstractItemView.EditTrigger.NoEditTriggers
        self.setEditTriggers(triggers)
        self.itemChanged.connect(self._on_item_changed)

    # -- content ------------------------------------------------------------------------------
    def set_values(self, values, pad: tuple[int, int] = (0, 0)) -> None:
        """Show `values` with `pad` rows/columns of zeros around them (items updated in place
        when the size stays: never replaced inside an edit's own signal)."""
        values = np.asarray(values, dtype=float)
        same = values.shape == self._values.shape and tuple(pad) == self.pad
        self._values = values.copy()
        self.pad = (int(pad[0]), int(pad[1]))
        rows, cols = values.shape[0] + 2 * self.pad[0], values.shape[1] + 2 * self.pad[1]
        self._loading = True
        try:
            if not same or self.rowCount() != rows or self.columnCount() != cols:
                self.clearContents()
                self.setRowCount(rows)
                self.setColumnCount(cols)
                for r in range(rows):
                    for c in range(cols):
                        item = QTableWidgetItem()
                        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                        self.setItem(r, c, item)
            self._refresh_items()
        finally:
            self._loading = False
        self._fit()

    def _refresh_items(self) -> None:
        lo = float(self._values.min()) if self._values.size else 0.0
        span = (float(self._values.max()) - lo) if self._values.size else 0.0
        for r in range(self.rowCount()):
            for c in range(self.columnCount()):
                item = self.item(r, c)
                i, j = r - self.pad[0], c - self.pad[1]
                inside = 0 <= i < self._values.shape[0] and 0 <= j < self._values.shape[1]
                value = self._values[i, j] if inside else 0.0
                item.setText(number_text(value))
                item.setToolTip(f"row {i}, column {j}: {value:.6g}" if inside else
                                "padding: 0")
                item.setData(PAD_ROLE, not inside)
                item.setData(SHADE_ROLE, (value - lo) / span if span and inside else 0.0)
                flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                if self.editable and inside:
                    flags |= Qt.ItemFlag.ItemIsEditable
                item.setFlags(flags)

    def values(self) -> np.ndarray:
        return self._values.copy()

    def _widest_text(self) -> int:
        font = QFont(self.font())
        font.setBold(True)  # the window's cells are drawn bold
        metrics = QFontMetrics(font)
        texts = {number_text(v) for v in self._values.ravel()}
        return max((metrics.horizontalAdvance(t) for t in texts), default=0)

    def _fit(self) -> None:
        cols = max(1, self.columnCount())
        self.cell = max(self.base_cell, min(64, self._widest_text() + 10))
        self.cell = min(self.cell, max(12, self.max_width // cols))
        for c in range(self.columnCount()):
            self.setColumnWidth(c, self.cell)
        for r in range(self.rowCount()):
            self.setRowHeight(r, self.cell)
        self.setFixedSize(QSize(self.cell * self.columnCount() + 2,
                                self.cell * self.rowCount() + 2))

    def sizeHint(self) -> QSize:  # noqa: N802  (Qt API)
        return QSize(self.cell * self.columnCount() + 2, self.cell * self.rowCount() + 2)

    # -- marks ----------------------------------------------------------------------------------
    def mark(self, cells, kind: int = 1) -> None:
        """Outline `cells` (value coordinates; padding cells have negative or large ones)."""
        self._loading = True
        try:
            wanted = {(i + self.pad[0], j + self.pad[1]) for i, j in cells}
            for r in range(self.rowCount()):
                for c in range(self.columnCount()):
                    item = self.item(r, c)
                    new = kind if (r, c) in wanted else 0
                    if item is not None and (item.data(MARK_ROLE) or 0) != new:
                        item.setData(MARK_ROLE, new)
        finally:
            self._loading = False

    # -- editing --------------------------------------------------------------------------------
    def _on_item_changed(self, item: QTableWidgetItem) -> None:
        if self._loading:
            return
        i, j = item.row() - self.pad[0], item.column() - self.pad[1]
        if not (0 <= i < self._values.shape[0] and 0 <= j < self._values.shape[1]):
            return
        try:
            value = parse_number(item.text())
        except ValueError as exc:
            self._loading = True
            item.setText(number_text(self._values[i, j]))
            self._loading = False
            self.refused.emit(str(exc))
            return
        changed = value != self._values[i, j]
        self._values[i, j] = value
        self._loading = True
        try:
            self._refresh_items()  # in place: this item is still inside its own setData
        finally:
            self._loading = False
        if changed:
            self.edited.emit()
