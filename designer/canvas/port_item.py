"""PortItem: an input or output port on a node; dragging from it draws a new wire.

A port only reports the gesture to the scene (`begin_wire` / `drag_wire` / `end_wire`); the
scene decides whether the connection makes sense and pushes the edit. Multi-input ports (merge
layers) are drawn as a capsule and spread their wires along it in wire order.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem

from designer.canvas import style as st

_FLAG = QGraphicsItem.GraphicsItemFlag
# combined once: building Qt flag values is slow in Python, and a design has thousands of items
MOVABLE = _FLAG.ItemIsMovable | _FLAG.ItemIsSelectable | _FLAG.ItemSendsGeometryChanges
NO_CONTENTS = _FLAG.ItemHasNoContents
CROSS = Qt.CursorShape.CrossCursor


class PortItem(QGraphicsItem):
    def __init__(self, node_item, name: str, is_input: bool, multi: bool = False,
                 optional: bool = False) -> None:
        super().__init__(node_item)
        self.node_item = node_item
        self.name = name
        self.is_input = is_input
        self.multi = multi
        self.optional = optional
        self.connected = 0
        self.highlight = ""  # "", "ok" or "bad" while a wire is being dragged
        self.setAcceptHoverEvents(True)
        self.setCursor(CROSS)
        self.setZValue(2)
        self.setFlags(NO_CONTENTS)

    @property
    def node_id(self) -> str:
        return self.node_item.node_id

    def _half_height(self) -> float:
        return st.MULTI_PORT_H / 2 if self.multi else st.PORT_R

    def boundingRect(self) -> QRectF:  # noqa: N802  (Qt API name)
        r = st.PORT_HIT_R
        h = max(r, self._half_height() + 4)
        return QRectF(-r, -h, 2 * r, 2 * h)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        """Ports have no contents of their own: the node paints them (inside its cache)."""

    def draw(self, painter: QPainter, style) -> None:
        """Paint this port in the node's coordinates (called from NodeItem.paint)."""
        ring = {"ok": style.selection, "bad": style.problem}.get(self.highlight, style.wire)
        painter.setPen(QPen(ring, 2.0 if self.highlight else 1.4))
        painter.setBrush(QBrush(style.wire if self.connected else style.port_fill))
        centre = self.pos()
        h = self._half_height()
        if self.multi:
            painter.drawRoundedRect(QRectF(centre.x() - st.PORT_R, centre.y() - h,
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
        return self.mapToScene(QPointF(0, offset))

    def set_highlight(self, value: str) -> None:
        if value != self.highlight:
            self.highlight = value
            self.node_item.update()

    def set_connected(self, count: int) -> None:
        if count != self.connected:
            self.connected = count
            self.node_item.update()

    # -- gesture: report to the scene -------------------------------------------------------
    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and self.scene() is not None:
            self.scene().begin_wire(self, event.scenePos())
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        self.scene().drag_wire(event.scenePos())

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:  # noqa: N802
        self.scene().end_wire(event.scenePos())

    def hoverEnterEvent(self, event) -> None:  # noqa: N802
        kind = "input" if self.is_input else "output"
        extra = " (takes several wires; their order is the merge order)" if self.multi else ""
        self.setToolTip(f"{kind} '{self.name}'{extra}: drag to another layer's "
                        f"{'output' if self.is_input else 'input'} to connect")
        super().hoverEnterEvent(event)


def make_flags(item: QGraphicsItem) -> None:
    """Flags every movable, selectable canvas item shares."""
    item.setFlags(item.flags() | MOVABLE)
    item.setAcceptHoverEvents(True)
