"""Port: an input or output port of a layer on the canvas; dragging from it draws a new wire.

A port is geometry inside its NodeItem, not an item of its own (a design of thousands of
layers would otherwise carry thousands more Qt items): the node paints it, finds it under the
cursor (`NodeItem.port_at`), shows the cross cursor and the port's tooltip over it, and turns
a drag from it into the scene's `begin_wire` / `drag_wire` / `end_wire`. The scene decides
whether the connection makes sense and pushes the edit. Multi-input ports (merge layers) are
drawn as a capsule and spread their wires along it in wire order.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from designer.canvas import style as st

_FLAG = QGraphicsItem.GraphicsItemFlag
# combined once: building Qt flag values is slow in Python, and a design has thousands of items
MOVABLE = _FLAG.ItemIsMovable | _FLAG.ItemIsSelectable | _FLAG.ItemSendsGeometryChanges
CROSS = Qt.CursorShape.CrossCursor


class Port:
    """One port of `node_item`, at `pos()` in the node's coordinates."""

    __slots__ = ("node_item", "name", "is_input", "multi", "optional", "connected",
                 "highlight", "_x", "_y")

    def __init__(self, node_item, name: str, is_input: bool, multi: bool = False,
                 optional: bool = False) -> None:
        self.node_item = node_item
        self.name = name
        self.is_input = is_input
        self.multi = multi
        self.optional = optional
        self.connected = 0
        self.highlight = ""  # "", "ok" or "bad" while a wire is being dragged
        self._x = self._y = 0.0

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def set_pos(self, x: float, y: float) -> None:
        self._x, self._y = x, y

    def pos(self) -> QPointF:
        """The centre in the node's coordinates."""
        return QPointF(self._x, self._y)

    def scenePos(self) -> QPointF:  # noqa: N802  (named like Qt's items' own)
        return self.anchor()

    def _half_height(self) -> float:
        return st.MULTI_PORT_H / 2 if self.multi else st.PORT_R

    def hit_rect(self) -> QRectF:
        """Where the port can be grabbed, in the node's coordinates."""
        r = st.PORT_HIT_R
        h = max(r, self._half_height() + 4)
        return QRectF(self._x - r, self._y - h, 2 * r, 2 * h)

    def draw(self, painter: QPainter, style) -> None:
        """Paint this port in the node's coordinates (called from the node's painting)."""
        ring = {"ok": style.selection, "bad": style.problem}.get(self.highlight, style.wire)
        painter.setPen(QPen(ring, 2.0 if self.highlight else 1.4))
        painter.setBrush(QBrush(style.wire if self.connected else style.port_fill))
        centre = QPointF(self._x, self._y)
        h = self._half_height()
        if self.multi:
            painter.drawRoundedRect(QRectF(self._x - st.PORT_R, self._y - h,
                                           2 * st.PORT_R, 2 * h), st.PORT_R, st.PORT_R)
        else:
            painter.drawEllipse(centre, st.PORT_R, st.PORT_R)
        if self.highlight:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(centre, st.PORT_R + 4, st.PORT_R + 4)

    def anchor(self, index: int = 0, count: int = 1) -> QPointF:
        """Scene point where wire `index` of `count` attaches."""
        offset = 0.0
        if self.multi and count > 1:
            span = st.MULTI_PORT_H - 2 * st.PORT_R
            offset = -span / 2 + span * index / (count - 1)
        return self.node_item.mapToScene(QPointF(self._x, self._y + offset))

    def set_highlight(self, value: str) -> None:
        if value != self.highlight:
            self.highlight = value
            self.node_item.update()

    def set_connected(self, count: int) -> None:
        if count != self.connected:
            self.connected = count
            self.node_item.update()

    def tooltip(self) -> str:
        kind = "input" if self.is_input else "output"
        extra = " (takes several wires; their order is the merge order)" if self.multi else ""
        return (f"{kind} '{self.name}'{extra}: drag to another layer's "
                f"{'output' if self.is_input else 'input'} to connect")


def make_flags(item: QGraphicsItem) -> None:
    """Flags every movable, selectable canvas item shares."""
    item.setFlags(item.flags() | MOVABLE)
    item.setAcceptHoverEvents(True)
