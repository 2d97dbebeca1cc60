"""Expanding a block in place: its inside drawn within it on the canvas, read-only.

An expanded block keeps its place, ports and wires but grows into a frame that shows its
layers (titles, types, output shapes of its first copy) and the wires between them, laid out
as the block's own graph is. The layers after it make room: they are shown one frame-width
further right (and those below it in its column, one frame-height lower) — a view offset,
not an edit, so expanding never changes the design or its undo history. Editing the inside
is done by entering the block (double-click); expanding is for reading a design in one view.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF

from backend.graph.definition import BLOCK
from backend.graph.ports import definition_of
from backend.layers import get_spec
from designer.canvas import style as st

SCALE = 0.62  # the inner layers, drawn a little smaller than the outer ones
PAD = 14.0
HEADER = st.HEADER_H + 6


@dataclass
class Inner:
    rect: QRectF  # in the frame's coordinates
    title: str
    kind: str
    category: str
    shape: str


@dataclass
class BlockContent:
    width: float
    height: float
    layers: list[Inner] = field(default_factory=list)
    wires: list[tuple[QPointF, QPointF]] = field(default_factory=list)


def block_content(doc, analysis, node_id: str) -> BlockContent | None:
    """What an expanded Block node `node_id` of `doc` shows, or None (not a block)."""
    node = doc.nodes.get(node_id)
    defn = definition_of(doc, node) if node is not None and node.type == BLOCK else None
    if defn is None or not defn.graph.nodes:
        return None
    body = defn.graph
    inner = analysis.inner((node_id,)) if analysis is not None else None
    xs = [n.pos[0] for n in body.nodes.values()]
    ys = [n.pos[1] for n in body.nodes.values()]
    x0, y0 = min(xs), min(ys)
    w = (max(xs) - x0 + st.NODE_W) * SCALE + 2 * PAD
    h = (max(ys) - y0 + st.NODE_H) * SCALE + 2 * PAD + HEADER
    content = BlockContent(max(w, st.NODE_W), max(h, st.NODE_H))
    where = {}
    for nid, n in body.nodes.items():
        rect = QRectF(PAD + (n.pos[0] - x0) * SCALE, HEADER + PAD + (n.pos[1] - y0) * SCALE,
                      st.NODE_W * SCALE, st.NODE_H * SCALE)
        where[nid] = rect
        spec = get_spec(n.type)
        shape = inner.shape_text(nid) if inner is not None else "?"
        content.layers.append(Inner(rect, n.title or nid, _kind(doc, n),
                                    spec.category if spec else "block", shape))
    for e in body.edges:
        if e.src in where and e.dst in where:
            a, b = where[e.src], where[e.dst]
            content.wires.append((QPointF(a.right(), a.center().y()),
                                  QPointF(b.left(), b.center().y())))
    return content


def _grid(v: float) -> float:
    """Room in whole grid steps, so layers shown further on still sit on the grid."""
    return -(-v // st.GRID) * st.GRID


def _kind(doc, node) -> str:
    """A layer's type; a nested block's definition title and repeat count."""
    if node.type != BLOCK:
        return node.type
    defn = definition_of(doc, node)
    repeat = str(node.params.get("repeat", 1)).replace("{", "").replace("}", "")
    return (defn.label if defn else "block") + ("" if repeat == "1" else f" ×{repeat}")


def view_offsets(doc, sizes: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    """How far each node is shown from its place so expanded blocks (`sizes`: node id ->
    frame width, height) have room: the layers after a block on its row, and what it feeds
    further right, one extra width; below it in its column, one extra height. The next band
    of a wrapped layout (further left) stays where it is."""
    from backend.graph.splice import downstream_right_of

    out: dict[str, tuple[float, float]] = {}
    for bid, (w, h) in sizes.items():
        if bid not in doc.nodes:
            continue
        bx, by = doc.nodes[bid].pos
        extra_w, extra_h = _grid(w - st.NODE_W), _grid(h - st.NODE_H)
        after = downstream_right_of(doc, bid, bx + st.NODE_W / 2)
        for nid, node in doc.nodes.items():
            if nid == bid:
                continue
            x, y = node.pos
            dx, dy = out.get(nid, (0.0, 0.0))
            if x > bx + st.NODE_W / 2 and (nid in after or abs(y - by) < st.NODE_H):
                dx += extra_w
            elif y > by and abs(x - bx) < st.NODE_W and y - by < h + st.NODE_H:
                dy += extra_h
            out[nid] = (dx, dy)
    return {nid: d for nid, d in out.items() if d != (0.0, 0.0)}


def paint_expanded(painter, item, lod: float) -> None:
    """Paint an expanded block: a frame with the block's header, its layers and wires."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QFontMetricsF, QPen

    from designer.canvas.node_paint import fonts

    s, c = item.style, item.content
    frame = QRectF(0, 0, c.width, c.height)
    accent = st.category_accent("block")
    painter.setPen(QPen(s.selection if item.isSelected() else accent, 2.0))
    tint = QColor(accent)
    tint.setAlpha(22)
    painter.setBrush(tint)
    painter.drawRoundedRect(frame, 8, 8)
    header = QRectF(10, 4, c.width - 20, st.HEADER_H - 4)
    painter.setFont(fonts()["title"])
    painter.setPen(s.text)
    label = f"{item.title} · {item.block_label}" + (f" ×{item.repeat}" if item.repeated else "")
    painter.drawText(header, Qt.AlignmentFlag.AlignVCenter, QFontMetricsF(
        fonts()["title"]).elidedText(label.replace("{", "").replace("}", ""),
                                     Qt.TextElideMode.ElideRight, header.width()))
    painter.setPen(QPen(s.wire, 1.2))
    for a, b in c.wires:
        painter.drawLine(a, b)
    _paint_layers(painter, s, c, lod)


def _paint_layers(painter, s, c: BlockContent, lod: float) -> None:
    """The inner layers: small boxes with title, type and output shape."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QFontMetricsF, QPen

    from designer.canvas.node_paint import fonts

    small = fonts()["label"]
    for layer in c.layers:
        painter.setPen(QPen(s.node_border, 1.0))
        painter.setBrush(s.node_fill)
        painter.drawRoundedRect(layer.rect, 4, 4)
        painter.fillRect(QRectF(layer.rect.left(), layer.rect.top(), 3, layer.rect.height()),
                         st.category_accent(layer.category))
        if lod * SCALE < 0.35:
            continue
        painter.setFont(small)
        metrics = QFontMetricsF(small)
        third = (layer.rect.height() - 4) / 3
        for k, (text, pen) in enumerate(((layer.title, s.text), (layer.kind, s.text_muted),
                                         ("→ " + layer.shape, s.text))):
            row = QRectF(layer.rect.left() + 6, layer.rect.top() + 2 + k * third,
                         layer.rect.width() - 9, third)
            painter.setPen(pen)
            painter.drawText(row, Qt.AlignmentFlag.AlignVCenter, metrics.elidedText(
                text, Qt.TextElideMode.ElideRight, row.width()))
