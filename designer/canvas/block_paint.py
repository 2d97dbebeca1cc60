"""What a collapsed block adds to a node's look: the repeat badge and its ports' names.

A repeated block shows ×N (or the expression, ×blocks - 1) in a pill on its header; a block
with several inputs or outputs names each beside its port, and so does a layer with several
(a graph layer's x and adj; a single port needs no name). The stacked cards behind a
repeated block are drawn with the node's body.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter

from designer.canvas import style as st
from designer.canvas.node_paint import fonts

NAME_W = 64.0  # room for a port's name beside the node


def paint_block_marks(painter: QPainter, item, lod: float) -> None:
    if item.repeated and lod >= 0.35:
        paint_repeat(painter, item)
    if lod >= st.DETAIL_LOD:
        paint_port_names(painter, item)


def paint_port_names(painter, item, everywhere: bool = True) -> None:
    """A node with several inputs or outputs names each beside its port (only the free
    ports unless `everywhere`)."""
    font = fonts()["label"]
    painter.setFont(font)
    painter.setPen(item.style.text_muted)
    w = item.size()[0]
    for ports, left in ((item.inputs, True), (item.outputs, False)):
        if len(ports) < 2:
            continue
        for name, port in ports.items():
            if not everywhere and port.connected:
                continue
            y = port.pos().y()  # outside the node, just above the wire's last stretch
            box = QRectF(-NAME_W - 6, y - 15, NAME_W, 12) if left else \
                QRectF(w + 6, y - 15, NAME_W, 12)
            align = Qt.AlignmentFlag.AlignRight if left else Qt.AlignmentFlag.AlignLeft
            painter.drawText(box, align | Qt.AlignmentFlag.AlignVCenter, name)


def paint_repeat(painter, item) -> None:
    """The repeat count as a pill on the header's right: ×3."""
    s, font = item.style, fonts()["label"]
    text = f"×{item.repeat}".replace("{", "").replace("}", "")
    width = QFontMetricsF(font).horizontalAdvance(text) + 10
    pill = QRectF(st.NODE_W - 24 - width, 5, width, st.HEADER_H - 10)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(s.text)
    painter.drawRoundedRect(pill, pill.height() / 2, pill.height() / 2)
    painter.setPen(s.node_fill)
    painter.setFont(font)
    painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)
