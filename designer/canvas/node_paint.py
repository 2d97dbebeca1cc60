"""How a layer looks on the canvas: `paint_node` draws a NodeItem at the zoom it is shown at.

Level of detail: far out a box in the category (or heat) colour; then the card with only its
title, large; close up the card with its glyph, title, type, parameter count, output shape (or
the fix for a problem), the gradient heat bar, its ports and the problem badge. Everything is
read from the item's state; nothing here changes it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QPainter,
    QPainterPath,
    QPen,
    QPolygonF,
)

from designer.canvas import style as st

_FONTS: dict | None = None
STACK = 5.0  # offset of each card drawn behind a repeated block


def fonts() -> dict:
    global _FONTS
    if _FONTS is None:
        _FONTS = st.fonts()
    return _FONTS


def format_count(n: int) -> str:
    return f"{n:,} params".replace(",", "\u2009") if n else "no params"


def short_fix(message: str) -> str:
    """The fix part of a problem sentence ("...: insert a Flatten before it")."""
    fix = message.rsplit(": ", 1)[-1].strip()
    return fix[:1].upper() + fix[1:]


def paint_node(item, painter: QPainter, lod: float) -> None:
    rect = QRectF(0, 0, st.NODE_W, st.NODE_H)
    accent = st.category_accent(item.category)
    selected = item.isSelected()
    if item.content is not None:
        _paint_expanded(item, painter, lod)
        return
    if lod < st.FAR_LOD:  # a box in the category (or heat) colour; selected: outlined
        painter.fillRect(rect, st.heat_colour(item.heat) if item.heat is not None else accent)
        if selected or item.has_error():
            pen = QPen(item.style.selection if selected else item.style.problem, 4)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(rect.adjusted(-6, -6, 6, 6))
        return
    _paint_body(item, painter, rect, accent, selected, lod)
    _paint_heat_tint(item, painter, rect, selected)
    if lod >= st.DETAIL_LOD:
        _paint_text(item, painter, accent)
        _paint_heat(item, painter)
    else:
        _paint_far_title(item, painter, lod)
    _paint_names(item, painter, lod)
    if lod >= 0.35:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.6)
        for port in item.ports():
            port.draw(painter, item.style)
    if item.problems:
        _paint_badge(item, painter)


def _paint_names(item, painter, lod: float) -> None:
    """A block's marks; the names of a layer's ports when it has several of a kind."""
    if item.block_label is not None:
        from designer.canvas.block_paint import paint_block_marks

        paint_block_marks(painter, item, lod)
    elif lod >= st.DETAIL_LOD and max(len(item.inputs), len(item.outputs)) > 1:
        from designer.canvas.block_paint import paint_port_names

        # a graph layer's x and adj, Sampling's mu and log_var: while a port is free, or
        # when the node is hovered or selected (a wire's label tells what it carries)
        paint_port_names(painter, item, everywhere=item.hovered or item.isSelected())


def _paint_expanded(item, painter, lod) -> None:
    from designer.canvas.expand import paint_expanded

    paint_expanded(painter, item, lod)
    for port in item.ports():
        port.draw(painter, item.style)
    if item.problems:
        _paint_badge(item, painter)


def _paint_body(item, painter, rect, accent, selected, lod) -> None:
    s = item.style
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.6)
    if item.repeated:  # copies stacked behind, like a deck of cards
        painter.setPen(QPen(s.node_border, 1.0))
        painter.setBrush(s.node_fill)
        for k in (2, 1):
            painter.drawRoundedRect(rect.translated(k * STACK, k * STACK), 6, 6)
    if lod > 0.6:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(s.node_shadow)
        painter.drawRoundedRect(rect.translated(0, 2), 6, 6)
    error = item.has_error()
    border = s.selection if selected else (s.problem if error else
                                           s.text_muted if item.hovered else s.node_border)
    painter.setPen(QPen(border, 2.2 if selected or error else 1.0))
    painter.setBrush(s.node_fill)
    painter.drawRoundedRect(rect, 6, 6)
    if item.block_label is not None:  # a block: a second outline inside the first
        painter.setPen(QPen(accent, 1.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(rect.adjusted(3, 3, -3, -3), 4, 4)
    header = QColor(accent)
    header.setAlpha(58 if s.dark else 46)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(header)
    path = QPainterPath()
    path.addRoundedRect(rect.adjusted(1, 1, -1, 0), 5, 5)
    clip = QPainterPath()
    clip.addRect(QRectF(0, 0, st.NODE_W, st.HEADER_H))
    painter.drawPath(path.intersected(clip))
    painter.setBrush(accent)
    painter.drawRoundedRect(QRectF(1, 1, 5, st.NODE_H - 2), 2.5, 2.5)


def _paint_text(item, painter, accent) -> None:
    s, f = item.style, fonts()
    painter.setPen(accent.darker(135) if not s.dark else accent.lighter(150))
    painter.setFont(f["glyph"])
    painter.drawText(QRectF(10, 3, 18, st.HEADER_H - 4), Qt.AlignmentFlag.AlignCenter,
                     st.category_glyph(item.category))
    painter.setPen(s.text)
    painter.setFont(f["title"])
    if item.editor is None:
        title = QFontMetricsF(f["title"]).elidedText(item.title, Qt.TextElideMode.ElideRight,
                                                      item.title_rect().width())
        painter.drawText(item.title_rect(), Qt.AlignmentFlag.AlignVCenter, title)
    _paint_rows(item, painter)


def _paint_rows(item, painter) -> None:
    """Type and parameter count; then the output shape, or the fix for a problem."""
    s, f = item.style, fonts()
    painter.setFont(f["body"])
    painter.setPen(s.text_muted)
    row = QRectF(14, st.HEADER_H + 3, st.NODE_W - 26, 18)
    kind = item.layer_type if item.block_label is None else item.block_label
    if item.count is not None:  # leave room for the count
        room = row.width() - QFontMetricsF(f["body"]).horizontalAdvance(
            format_count(item.count)) - 8
        kind = QFontMetricsF(f["body"]).elidedText(kind, Qt.TextElideMode.ElideRight, room)
    painter.drawText(row, Qt.AlignmentFlag.AlignVCenter, kind)
    if item.count is not None:
        painter.drawText(row, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                         format_count(item.count))
    shape_row = QRectF(14, st.HEADER_H + 22, st.NODE_W - 26, 18)
    if item.problems and item.shape_text == "?":
        font, text = f["body"], "⚠ " + short_fix(item.problems[0].message)
        painter.setPen(s.problem if item.has_error() else s.text_muted)
    else:
        font = f["mono"]
        text = "→ " + (item.shape_text if item.shape_text != "?" else "shape unknown")
        painter.setPen(s.text if item.shape_text != "?" else s.text_muted)
    painter.setFont(font)
    painter.drawText(shape_row, Qt.AlignmentFlag.AlignVCenter,
                     QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight,
                                                    shape_row.width()))


def _paint_far_title(item, painter, lod) -> None:
    """Zoomed out: only the title, drawn large enough to stay readable."""
    font = QFont(fonts()["title"])
    lod = max(lod, 0.05)
    font.setPointSizeF(min(26.0, 8.0 / lod))
    rect = QRectF(10, 2, st.NODE_W - 14, st.NODE_H - 4)
    width = QFontMetricsF(font).horizontalAdvance(item.title)
    if width > rect.width():  # shrink a long name to fit rather than cut it (down to 6 pt)
        font.setPointSizeF(max(6.0 / lod, font.pointSizeF() * rect.width() / width * 0.97))
    painter.setFont(font)
    painter.setPen(item.style.text)
    text = QFontMetricsF(font).elidedText(item.title, Qt.TextElideMode.ElideRight,
                                          rect.width())
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


def _paint_heat_tint(item, painter, rect: QRectF, selected: bool) -> None:
    """The gradient heat as a tint of the whole node and a thick border in its colour,
    visible at any zoom (the scale bar below is for a closer look)."""
    if item.heat is None:
        return
    colour = st.heat_colour(item.heat)
    fill = QColor(colour)
    fill.setAlpha(50 if item.style.dark else 80)  # tinted, the text stays readable
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(fill)
    painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 5, 5)
    if not selected:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, 4.0))
        painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 5, 5)


def _paint_heat(item, painter) -> None:
    if item.heat is None:
        return
    bar = QRectF(10, st.NODE_H - 7, st.NODE_W - 20, 4)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(st.heat_colour(item.heat))
    painter.drawRoundedRect(bar, 2, 2)
    x = bar.left() + bar.width() * min(1.0, max(0.0, item.heat))
    painter.setPen(QPen(item.style.text, 1.5))
    painter.drawLine(QPointF(x, bar.top() - 3), QPointF(x, bar.bottom() + 3))


def _paint_badge(item, painter) -> None:
    s = item.style
    colour = s.problem if item.has_error() else s.warning
    r = item.badge_rect()
    tri = QPolygonF([QPointF(r.center().x(), r.top()), QPointF(r.right(), r.bottom()),
                     QPointF(r.left(), r.bottom())])
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(s.background, 2))
    painter.setBrush(QBrush(colour))
    painter.drawPolygon(tri)
    painter.setPen(QColor("#ffffff") if item.has_error() else QColor("#1f2328"))
    painter.setFont(fonts()["title"])
    painter.drawText(r.adjusted(0, 5, 0, 0), Qt.AlignmentFlag.AlignCenter, "!")
