"""Template thumbnails: a design drawn small, as the canvas lays it out, for the template dialog.

`render_preview` paints onto a QImage (no widget, no window: safe headless and on any thread
that owns a QGuiApplication), one rounded box per node in its category's accent colour (a
block as a stacked box), wires as curves, titles where the boxes are wide enough to read.
`PreviewCache` builds each template's design and summary once and keeps rendered images per
size and theme, so scrolling through the list never rebuilds a network.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPainterPath, QPen

from backend.graph import BLOCK, GraphDocument
from backend.layers import get_spec
from designer.canvas import style as st

BOX_W, BOX_H = st.NODE_W, st.NODE_H
MARGIN = 0.6  # of a box height, around the drawing


@dataclass(frozen=True)
class Summary:
    params: int
    input_shape: tuple[int, ...] | None
    nodes: int
    blocks: int
    layers: int  # layers inside blocks included


def layout_positions(doc: GraphDocument) -> dict[str, tuple[float, float]]:
    """Where the canvas will put each node: the template's own drawing, wrapped into bands
    when the design is long (the same rule `new_document` applies)."""
    from designer.canvas.layout import wrapped_positions

    positions = {nid: tuple(n.pos) for nid, n in doc.nodes.items()}
    wrapped = wrapped_positions(doc) if len(doc.nodes) > 1 else None
    return {**positions, **(wrapped or {})}


def render_preview(doc: GraphDocument, size: QSize, dark: bool) -> QImage:
    """The design's top level drawn to fit `size` (device-independent pixels)."""
    canvas = st.DARK if dark else st.LIGHT
    image = QImage(size, QImage.Format_ARGB32_Premultiplied)
    image.fill(canvas.background)
    positions = layout_positions(doc)
    if not positions:
        return image
    painter = QPainter(image)
    painter.setRenderHint(QPainter.Antialiasing)
    scale, offset = _fit(positions, size)
    boxes = {nid: QRectF(offset.x() + x * scale, offset.y() + y * scale, BOX_W * scale,
                         BOX_H * scale) for nid, (x, y) in positions.items()}
    _draw_wires(painter, doc, boxes, canvas, scale)
    for nid, rect in boxes.items():
        _draw_node(painter, doc, nid, rect, canvas, scale)
    painter.end()
    return image


def _fit(positions: dict, size: QSize) -> tuple[float, QPointF]:
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    margin = BOX_H * MARGIN
    width = max(xs) - min(xs) + BOX_W + 2 * margin
    height = max(ys) - min(ys) + BOX_H + 2 * margin
    scale = min(size.width() / width, size.height() / height, 1.0)
    left = (size.width() - width * scale) / 2 + (margin - min(xs)) * scale
    top = (size.height() - height * scale) / 2 + (margin - min(ys)) * scale
    return scale, QPointF(left, top)


def _draw_wires(painter: QPainter, doc, boxes, canvas, scale: float) -> None:
    painter.setPen(QPen(canvas.wire, max(1.0, 2.0 * scale)))
    painter.setBrush(Qt.NoBrush)
    for e in doc.edges:
        if e.src not in boxes or e.dst not in boxes:
            continue
        a = QPointF(boxes[e.src].right(), boxes[e.src].center().y())
        b = QPointF(boxes[e.dst].left(), boxes[e.dst].center().y())
        bend = max(abs(b.x() - a.x()) / 2, 30 * scale)
        path = QPainterPath(a)
        path.cubicTo(QPointF(a.x() + bend, a.y()), QPointF(b.x() - bend, b.y()), b)
        painter.drawPath(path)


def _accent(doc: GraphDocument, nid: str) -> QColor:
    node = doc.nodes[nid]
    if node.type == BLOCK:
        return QColor(st.OKABE_ITO["blue"])
    spec = get_spec(node.type)
    return st.category_accent(spec.category if spec else "")


def _draw_node(painter: QPainter, doc, nid: str, rect: QRectF, canvas, scale: float) -> None:
    accent = _accent(doc, nid)
    radius = 8 * scale
    if doc.nodes[nid].type == BLOCK:  # a stacked card: a block holds layers
        shadow = rect.translated(4 * scale, 4 * scale)
        painter.setPen(QPen(accent, max(1.0, 1.5 * scale)))
        painter.setBrush(canvas.node_fill)
        painter.drawRoundedRect(shadow, radius, radius)
    painter.setPen(QPen(canvas.node_border, max(1.0, 1.5 * scale)))
    painter.setBrush(canvas.node_fill)
    painter.drawRoundedRect(rect, radius, radius)
    header = QRectF(rect.x(), rect.y(), rect.width(), max(3.0, st.HEADER_H * scale))
    painter.setPen(Qt.NoPen)
    painter.setBrush(accent)
    painter.drawRoundedRect(header, radius, radius)
    if rect.width() >= 40:
        _draw_title(painter, doc.nodes[nid].title or doc.nodes[nid].type, rect, canvas)


def _draw_title(painter: QPainter, text: str, rect: QRectF, canvas) -> None:
    font = QFont()
    font.setPixelSize(max(8, min(13, int(rect.height() * 0.3))))
    painter.setFont(font)
    painter.setPen(canvas.text)
    body = rect.adjusted(4, rect.height() * 0.35, -4, -2)
    elided = painter.fontMetrics().elidedText(text, Qt.ElideRight, int(body.width()))
    painter.drawText(body, Qt.AlignHCenter | Qt.AlignVCenter, elided)


class PreviewCache:
    """Designs, summaries and rendered previews of templates, built once each."""

    def __init__(self) -> None:
        self._docs: dict[tuple, GraphDocument] = {}
        self._summaries: dict[tuple, Summary] = {}
        self._images: dict[tuple, QImage] = {}

    def design(self, name: str, classes: int | None = None,
               shape: tuple[int, ...] | None = None) -> GraphDocument:
        key = (name, classes, shape)
        if key not in self._docs:
            from backend.templates import make_template

            self._docs[key] = make_template(name, classes, shape)
        return self._docs[key]

    def summary(self, name: str, classes: int | None = None,
                shape: tuple[int, ...] | None = None) -> Summary:
        key = (name, classes, shape)
        if key not in self._summaries:
            self._summaries[key] = summarise(self.design(name, classes, shape))
        return self._summaries[key]

    def image(self, name: str, size: QSize, dark: bool) -> QImage:
        key = (name, size.width(), size.height(), dark)
        if key not in self._images:
            self._images[key] = render_preview(self.design(name), size, dark)
        return self._images[key]


def summarise(doc: GraphDocument) -> Summary:
    from backend.shapes import analyse

    analysis = analyse(doc)
    inputs = [n for n in doc.nodes.values() if n.type == "Input"]
    shape = tuple(inputs[0].params.get("shape", ())) if len(inputs) == 1 else None
    blocks = sum(n.type == BLOCK for n in doc.nodes.values())
    return Summary(analysis.total_params if analysis.ok else 0, shape, len(doc.nodes), blocks,
                   _layer_count(doc, doc, analysis))


def _layer_count(root: GraphDocument, graph: GraphDocument, analysis) -> int:
    """Layers in a graph with every block expanded, each repeated copy counted."""
    total = 0
    for nid in analysis.order:
        node = graph.nodes[nid]
        if node.type == BLOCK:
            body = root.blocks[node.params["definition"]].graph
            total += sum(_layer_count(root, body, run)
                         for run in analysis.instances.get(nid, []))
        elif node.type not in ("Input", "BlockInput", "BlockOutput"):
            total += 1
    return total
