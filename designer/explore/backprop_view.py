"""Drawing a scalar computation graph: inputs on the left, gates in columns, the output right.

`ComputationGraphView.show_graph(graph, values, wire_grads, node_grads, current)` draws every
node (inputs and constants as boxes, gates as circles with their symbol, the output in
accent), and on every wire its forward value above and, once known, the gradient flowing
back below it. The gate being back-propagated (`current`) is outlined. Colours follow the
theme; numbers use backend.teaching.compgraph.fmt.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from backend.teaching.compgraph import ScalarGraph, Wire, fmt
from designer import theme

COL_W, ROW_H, R = 150.0, 78.0, 22.0


def _positions(graph: ScalarGraph) -> dict[str, QPointF]:
    depth = graph.depths()
    columns: dict[int, list[str]] = {}
    for nid in graph.nodes:
        columns.setdefault(depth[nid], []).append(nid)
    tallest = max(len(c) for c in columns.values())
    pos = {}
    for d, ids in columns.items():
        offset = (tallest - len(ids)) * ROW_H / 2
        for i, nid in enumerate(ids):
            pos[nid] = QPointF(d * COL_W, offset + i * ROW_H)
    return pos


class ComputationGraphView(QGraphicsView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(420)
        self.labels: dict[str, str] = {}  # what is drawn, for tests: "wire src>dst" -> text

    def show_graph(self, graph: ScalarGraph, values: dict[str, float] | None,
                   wire_grads: dict[Wire, float], node_grads: dict[str, float],
                   current: str | None = None) -> None:
        scene = self.scene()
        scene.clear()
        self.labels = {}
        c = theme.colors()
        scene.setBackgroundBrush(QColor(c.base))
        pos = _positions(graph)
        for wire in graph.wires():
            self._wire(graph, wire, pos, values, wire_grads, c)
        for nid in graph.nodes:
            self._node(graph, nid, pos[nid], values, node_grads.get(nid), nid == current, c)
        rect = scene.itemsBoundingRect().adjusted(-30, -30, 30, 30)
        scene.setSceneRect(rect)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.transform().m11() > 1.0:
            self.resetTransform()
            self.centerOn(rect.center())

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().resizeEvent(event)
        rect = self.scene().sceneRect()
        if not rect.isEmpty():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
            if self.transform().m11() > 1.0:
                self.resetTransform()
                self.centerOn(rect.center())

    def _text(self, text: str, colour: str, at: QPointF, bold: bool = False, size: float = 0,
              backed: bool = False, align: str = "centre"):
        item = self.scene().addSimpleText(text)
        font = QFont(self.font())
        font.setBold(bold)
        if size:
            font.setPointSizeF(size)
        item.setFont(font)
        item.setBrush(QBrush(QColor(colour)))
        box = item.boundingRect()
        x = at.x() - box.width() if align == "right" else at.x() - box.width() / 2
        item.setPos(x, at.y() - box.height() / 2)
        item.setZValue(2)
        if backed:  # a patch of background so a label stays readable over a wire
            back = QColor(theme.colors().base)
            back.setAlpha(225)
            rect = QRectF(x - 2, at.y() - box.height() / 2, box.width() + 4, box.height())
            patch = self.scene().addRect(rect, QPen(Qt.PenStyle.NoPen), QBrush(back))
            patch.setZValue(1)
        return item

    def _wire(self, graph, wire: Wire, pos, values, grads, c) -> None:
        a, b = pos[wire.src], pos[wire.dst]
        start, end = QPointF(a.x() + R, a.y()), QPointF(b.x() - R, b.y())
        path = QPainterPath(start)
        mid_x = (start.x() + end.x()) / 2
        path.cubicTo(QPointF(mid_x, start.y()), QPointF(mid_x, end.y()), end)
        self.scene().addPath(path, QPen(QColor(c.muted), 1.6))
        label_at = path.pointAtPercent(0.5)
        texts = []
        if values is not None:
            value = fmt(values[wire.src])
            self._text(value, c.ok, QPointF(label_at.x(), label_at.y() - 10), bold=True,
                       backed=True)
            texts.append(value)
        if wire in grads:
            grad = fmt(grads[wire])
            self._text(grad, c.error, QPointF(label_at.x(), label_at.y() + 10), bold=True,
                       backed=True)
            texts.append(grad)
        self.labels[f"{graph.name(wire.src)}>{graph.name(wire.dst)}"] = " / ".join(texts)

    def _node(self, graph, nid, at: QPointF, values, grad, current: bool, c) -> None:
        node = graph.nodes[nid]
        output = nid == graph.output
        pen = QPen(QColor(c.warning if current else (c.accent if output else c.border)),
                   3 if current else 1.5)
        fill = QColor(c.alt_base)
        if node.kind in ("input", "const"):
            rect = QRectF(at.x() - R * 1.3, at.y() - R * 0.8, R * 2.6, R * 1.6)
            box = QPainterPath()
            box.addRoundedRect(rect, 6, 6)
            self.scene().addPath(box, pen, QBrush(fill))
            self._text(node.label, c.text if node.kind == "input" else c.muted, at, bold=True)
        else:
            self.scene().addEllipse(QRectF(at.x() - R, at.y() - R, 2 * R, 2 * R), pen,
                                    QBrush(fill))
            self._text(node.label, c.text, at, bold=True)
        if node.kind == "input" and grad is not None:
            self._text(f"∂f/∂{node.name} = {fmt(grad)}", c.error,
                       QPointF(at.x() - R * 1.3 - 8, at.y()), bold=True, align="right")
        name = node.name if node.kind != "const" else ""
        if node.kind != "input" and name:
            self._text(name, c.muted, QPointF(at.x(), at.y() - R - 10), size=8.5)
        if output and values is not None:
            out = QPointF(at.x() + R + 36, at.y())
            self._text(f"f = {fmt(values[nid])}", c.ok, QPointF(out.x(), out.y() - 11),
                       bold=True)
            if grad is not None:
                self._text("∂f/∂f = 1", c.error, QPointF(out.x(), out.y() + 11), bold=True)
