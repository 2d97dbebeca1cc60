"""NodeItem: one layer on the canvas (title, type, output shape, parameter count, ports).

The item paints what the scene tells it (`set_title`, `set_analysis`, `set_heat`) and reports
gestures to the scene (rename, moves through Qt's movable flag, committed by the scene on
release). It never touches the document. Zoomed out it paints less (level of detail).
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
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from backend.layers import LayerSpec
from designer.canvas import style as st
from designer.canvas.port_item import MOVABLE, PortItem
from designer.canvas.rename import TitleEditor

_FONTS: dict | None = None
_CHANGE = QGraphicsItem.GraphicsItemChange  # looked up once: thousands of items call in
_MOVING, _MOVED = _CHANGE.ItemPositionChange, _CHANGE.ItemPositionHasChanged
_SELECTED = _CHANGE.ItemSelectedHasChanged
STACK = 5.0  # offset of each card drawn behind a repeated block
DEVICE_CACHE = QGraphicsItem.CacheMode.DeviceCoordinateCache


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


class NodeItem(QGraphicsItem):
    def __init__(self, node_id: str, spec: LayerSpec | None, layer_type: str,
                 style: st.CanvasStyle) -> None:
        super().__init__()
        self.node_id = node_id
        self.layer_type = layer_type
        self.category = spec.category if spec else ""
        self.style = style
        self.title = node_id
        self.shape_text = "?"
        self.count: int | None = None
        self.problems: list = []  # backend Problem values
        self.heat: float | None = None
        self.block_label: str | None = None  # a Block node: its definition's title
        self.repeat: int | str = 1
        self.content = None  # an expanded block: what it shows inside (expand.BlockContent)
        self.syncing = False  # True while the scene sets the position from the document
        self.hovered = False
        self.editor: TitleEditor | None = None
        self.setFlags(MOVABLE)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(DEVICE_CACHE)
        self.setZValue(1)
        self.inputs = self._make_ports(spec, True)
        self.outputs = self._make_ports(spec, False)

    # -- ports ----------------------------------------------------------------------------------
    def _make_ports(self, spec: LayerSpec | None, inputs: bool) -> dict[str, PortItem]:
        if spec is None:
            return {}
        names = [(p.name, p.multi, p.optional) for p in spec.inputs] if inputs else \
            [(name, False, False) for name in spec.outputs]
        ports = {}
        for i, (name, multi, optional) in enumerate(names):
            port = PortItem(self, name, inputs, multi, optional)
            y = st.NODE_H * (i + 1) / (len(names) + 1)
            port.setPos(0.0 if inputs else st.NODE_W, y)
            ports[name] = port
        return ports

    def port(self, name: str, is_input: bool) -> PortItem | None:
        return (self.inputs if is_input else self.outputs).get(name)

    # -- state from the scene -------------------------------------------------------------------
    def set_style(self, style: st.CanvasStyle) -> None:
        self.style = style
        self.update()

    def set_title(self, title: str) -> None:
        if title != self.title:
            self.title = title
            self.update()

    def set_analysis(self, shape_text: str, count: int | None, problems: list) -> bool:
        """Take derived data; True when something visible changed."""
        state = (shape_text, count, [(p.message, p.severity) for p in problems])
        if state == (self.shape_text, self.count,
                     [(p.message, p.severity) for p in self.problems]):
            return False
        if bool(problems) != bool(self.problems):
            self.prepareGeometryChange()  # the badge joins or leaves the clickable shape
        self.shape_text, self.count, self.problems = shape_text, count, list(problems)
        self.update()
        return True

    def set_heat(self, value: float | None) -> None:
        if value != self.heat:
            self.heat = value
            self.update()

    def set_block(self, label: str, repeat: int | str) -> None:
        """Draw this node as a block: its definition's title, a repeat badge when > 1."""
        self.prepareGeometryChange()
        self.block_label, self.repeat = label, repeat
        self.update()

    def set_content(self, content) -> None:
        """Expand (a BlockContent) or collapse (None) the block in place."""
        self.prepareGeometryChange()
        self.content = content
        w, h = self.size()
        for ports, x in ((self.inputs, 0.0), (self.outputs, w)):
            for i, port in enumerate(ports.values()):
                port.setPos(x, h * (i + 1) / (len(ports) + 1) if content else
                            st.NODE_H * (i + 1) / (len(ports) + 1))
        self.update()

    def size(self) -> tuple[float, float]:
        return (self.content.width, self.content.height) if self.content else \
            (st.NODE_W, st.NODE_H)

    @property
    def repeated(self) -> bool:
        return self.block_label is not None and self.repeat not in (1, "1")

    def has_error(self) -> bool:
        return any(p.severity == "error" for p in self.problems)

    # -- geometry -------------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:  # noqa: N802  (Qt API name)
        extra = 2 * STACK if self.repeated else 0
        w, h = self.size()
        names = 70.0 if max(len(self.inputs), len(self.outputs)) > 1 else 0.0
        return QRectF(-10 - names, -12, w + 22 + extra + 2 * names, h + 18 + extra)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        w, h = self.size()
        path.addRoundedRect(QRectF(0, 0, w, h), 6, 6)
        if self.problems:  # the badge is clickable: it lists the problems and their fixes
            path.setFillRule(Qt.FillRule.WindingFill)  # the overlap stays inside, not a hole
            path.addRect(self.badge_rect())
        return path

    def title_rect(self) -> QRectF:
        return QRectF(30, 4, st.NODE_W - 58, st.HEADER_H - 6)

    def badge_rect(self) -> QRectF:
        return QRectF(self.size()[0] - 14, -10, 24, 22)

    def itemChange(self, change, value):  # noqa: N802  (Qt API name)
        if change is _MOVING and not self.syncing and self.scene():
            if getattr(self.scene(), "snap", True):
                return QPointF(round(value.x() / st.GRID) * st.GRID,
                               round(value.y() / st.GRID) * st.GRID)
        elif change is _MOVED and self.scene():
            self.scene().node_geometry_changed(self)
        elif change is _SELECTED:
            self.update()
        return value

    # -- painting -------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        s = self.style
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        rect = QRectF(0, 0, st.NODE_W, st.NODE_H)
        accent = st.category_accent(self.category)
        selected = self.isSelected()
        if self.content is not None:
            self._paint_expanded(painter, lod)
            return
        if lod < st.FAR_LOD:  # a box in the category (or heat) colour; selected: outlined
            painter.fillRect(rect, st.heat_colour(self.heat) if self.heat is not None
                             else accent)
            if selected or self.has_error():
                pen = QPen(s.selection if selected else s.problem, 4)
                pen.setCosmetic(True)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(-6, -6, 6, 6))
            return
        self._paint_body(painter, rect, accent, selected, lod)
        self._paint_heat_tint(painter, rect, selected)
        if lod >= st.DETAIL_LOD:
            self._paint_text(painter, accent)
            self._paint_heat(painter)
        else:
            self._paint_far_title(painter, lod)
        if self.block_label is not None:
            from designer.canvas.block_paint import paint_block_marks

            paint_block_marks(painter, self, lod)
        elif lod >= st.DETAIL_LOD and max(len(self.inputs), len(self.outputs)) > 1:
            from designer.canvas.block_paint import paint_port_names

            # a graph layer's x and adj, Sampling's mu and log_var: while a port is free, or
            # when the node is hovered or selected (a wire's label tells what it carries)
            paint_port_names(painter, self, everywhere=self.hovered or self.isSelected())
        if lod >= 0.35:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.6)
            for port in (*self.inputs.values(), *self.outputs.values()):
                port.draw(painter, self.style)
        if self.problems:
            self._paint_badge(painter)

    def _paint_expanded(self, painter, lod) -> None:
        from designer.canvas.expand import paint_expanded

        paint_expanded(painter, self, lod)
        for port in (*self.inputs.values(), *self.outputs.values()):
            port.draw(painter, self.style)
        if self.problems:
            self._paint_badge(painter)

    def _paint_body(self, painter, rect, accent, selected, lod) -> None:
        s = self.style
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.6)
        if self.repeated:  # copies stacked behind, like a deck of cards
            painter.setPen(QPen(s.node_border, 1.0))
            painter.setBrush(s.node_fill)
            for k in (2, 1):
                painter.drawRoundedRect(rect.translated(k * STACK, k * STACK), 6, 6)
        if lod > 0.6:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(s.node_shadow)
            painter.drawRoundedRect(rect.translated(0, 2), 6, 6)
        border = s.selection if selected else (s.problem if self.has_error() else
                                               s.text_muted if self.hovered else s.node_border)
        painter.setPen(QPen(border, 2.2 if selected or self.has_error() else 1.0))
        painter.setBrush(s.node_fill)
        painter.drawRoundedRect(rect, 6, 6)
        if self.block_label is not None:  # a block: a second outline inside the first
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

    def _paint_text(self, painter, accent) -> None:
        s, f = self.style, fonts()
        painter.setPen(accent.darker(135) if not s.dark else accent.lighter(150))
        painter.setFont(f["glyph"])
        painter.drawText(QRectF(10, 3, 18, st.HEADER_H - 4), Qt.AlignmentFlag.AlignCenter,
                         st.category_glyph(self.category))
        painter.setPen(s.text)
        painter.setFont(f["title"])
        if self.editor is None:
            title = QFontMetricsF(f["title"]).elidedText(self.title, Qt.TextElideMode.ElideRight,
                                                          self.title_rect().width())
            painter.drawText(self.title_rect(), Qt.AlignmentFlag.AlignVCenter, title)
        self._paint_rows(painter)

    def _paint_rows(self, painter) -> None:
        """Type and parameter count; then the output shape, or the fix for a problem."""
        s, f = self.style, fonts()
        painter.setFont(f["body"])
        painter.setPen(s.text_muted)
        row = QRectF(14, st.HEADER_H + 3, st.NODE_W - 26, 18)
        kind = self.layer_type if self.block_label is None else self.block_label
        if self.count is not None:  # leave room for the count
            room = row.width() - QFontMetricsF(f["body"]).horizontalAdvance(
                format_count(self.count)) - 8
            kind = QFontMetricsF(f["body"]).elidedText(kind, Qt.TextElideMode.ElideRight, room)
        painter.drawText(row, Qt.AlignmentFlag.AlignVCenter, kind)
        if self.count is not None:
            painter.drawText(row, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                             format_count(self.count))
        shape_row = QRectF(14, st.HEADER_H + 22, st.NODE_W - 26, 18)
        if self.problems and self.shape_text == "?":
            font, text = f["body"], "⚠ " + short_fix(self.problems[0].message)
            painter.setPen(s.problem if self.has_error() else s.text_muted)
        else:
            font = f["mono"]
            text = "→ " + (self.shape_text if self.shape_text != "?" else "shape unknown")
            painter.setPen(s.text if self.shape_text != "?" else s.text_muted)
        painter.setFont(font)
        painter.drawText(shape_row, Qt.AlignmentFlag.AlignVCenter,
                         QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight,
                                                        shape_row.width()))

    def _paint_far_title(self, painter, lod) -> None:
        """Zoomed out: only the title, drawn large enough to stay readable."""
        font = QFont(fonts()["title"])
        lod = max(lod, 0.05)
        font.setPointSizeF(min(26.0, 8.0 / lod))
        rect = QRectF(10, 2, st.NODE_W - 14, st.NODE_H - 4)
        width = QFontMetricsF(font).horizontalAdvance(self.title)
        if width > rect.width():  # shrink a long name to fit rather than cut it (down to 6 pt)
            font.setPointSizeF(max(6.0 / lod, font.pointSizeF() * rect.width() / width * 0.97))
        painter.setFont(font)
        painter.setPen(self.style.text)
        text = QFontMetricsF(font).elidedText(self.title, Qt.TextElideMode.ElideRight,
                                              rect.width())
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_heat_tint(self, painter, rect: QRectF, selected: bool) -> None:
        """The gradient heat as a tint of the whole node and a thick border in its colour,
        visible at any zoom (the scale bar below is for a closer look)."""
        if self.heat is None:
            return
        colour = st.heat_colour(self.heat)
        fill = QColor(colour)
        fill.setAlpha(50 if self.style.dark else 80)  # tinted, the text stays readable
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect.adjusted(1, 1, -1, -1), 5, 5)
        if not selected:
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(colour, 4.0))
            painter.drawRoundedRect(rect.adjusted(2, 2, -2, -2), 5, 5)

    def _paint_heat(self, painter) -> None:
        if self.heat is None:
            return
        bar = QRectF(10, st.NODE_H - 7, st.NODE_W - 20, 4)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(st.heat_colour(self.heat))
        painter.drawRoundedRect(bar, 2, 2)
        x = bar.left() + bar.width() * min(1.0, max(0.0, self.heat))
        painter.setPen(QPen(self.style.text, 1.5))
        painter.drawLine(QPointF(x, bar.top() - 3), QPointF(x, bar.bottom() + 3))

    def _paint_badge(self, painter) -> None:
        s = self.style
        colour = s.problem if self.has_error() else s.warning
        r = self.badge_rect()
        tri = QPolygonF([QPointF(r.center().x(), r.top()), QPointF(r.right(), r.bottom()),
                         QPointF(r.left(), r.bottom())])
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(s.background, 2))
        painter.setBrush(QBrush(colour))
        painter.drawPolygon(tri)
        painter.setPen(QColor("#ffffff") if self.has_error() else QColor("#1f2328"))
        f = fonts()["title"]
        painter.setFont(f)
        painter.drawText(r.adjusted(0, 5, 0, 0), Qt.AlignmentFlag.AlignCenter, "!")

    # -- gestures -------------------------------------------------------------------------------
    def hoverEnterEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self.scene() is not None:
            self.setToolTip(self.scene().node_tooltip(self.node_id))
        self.hovered = True
        self.update()
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self.hovered = False
        self.update()
        super().hoverLeaveEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self.problems and event.button() == Qt.MouseButton.LeftButton and \
                self.badge_rect().contains(event.pos()) and self.scene() is not None:
            event.accept()
            self.scene().badge_clicked.emit(self.node_id)
            return
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self.title_rect().adjusted(-20, -4, 20, 4).contains(event.pos()):
            self.start_rename()
        elif self.block_label is not None and self.scene() is not None:
            event.accept()
            self.scene().block_activated.emit(self.node_id)  # the view enters it later
        else:
            super().mouseDoubleClickEvent(event)

    def start_rename(self) -> None:
        if self.editor is None:
            self.editor = TitleEditor(self, self.title, fonts()["title"], self.style.text)
            self.editor.setPos(self.title_rect().topLeft() + QPointF(-4, -3))
            self.update()

    def finish_rename(self, text: str | None) -> None:
        """Called by the title editor: None cancels, text commits through the scene."""
        editor, self.editor = self.editor, None
        if editor is not None:
            editor.hide()
            editor.deleteLater()
        self.update()
        if text is not None and text.strip() and text.strip() != self.title and self.scene():
            self.scene().request_rename(self.node_id, text.strip())
