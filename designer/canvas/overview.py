"""Overview (minimap): the whole design in a corner, with the visible part outlined.

Shown only when the layers do not all fit in the canvas. The design is drawn once into a
small picture after edits and analyses (debounced by the view; from 500 layers on with
array operations, see overview_raster), so panning the canvas only
repaints that picture and the outline. The picture is drawn from the items' geometry (boxes in
the category colours, problems in the problem colour, wires as lines), never with
`QGraphicsScene.render`: rendering cached items elsewhere would mark them clean and leave stale
pictures of them on the canvas. Clicking or dragging in it centres the canvas on that point.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QTransform
from PySide6.QtWidgets import QWidget

from designer.canvas import overview_raster
from designer.canvas import style as st
from designer.canvas.scene_analysis import content_rect
from designer.editor import DEBOUNCE_MS

SIZE = QSize(220, 130)
PAD = 6.0
RASTER_FROM = 500  # layers from which the picture is drawn with arrays (overview_raster)


class Overview(QWidget):
    def __init__(self, canvas_view) -> None:
        super().__init__(canvas_view)
        self.style_ = st.LIGHT
        self.content = QRectF()
        self.layers = QRectF()  # the layers and comments, without the margin
        self.picture = QPixmap()
        self.enabled = True  # the user can switch the overview off (CanvasView.set_overview)
        self.setFixedSize(SIZE)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Overview: click or drag to move the canvas there")
        self.hide()
        # an edit's re-measure waits for the analysis that follows it (see `_analysed`)
        self._measure = QTimer(self, singleShot=True, interval=DEBOUNCE_MS + 40)
        self._measure.timeout.connect(self.measure)

    def follow(self, editor) -> None:
        """Draw `editor`'s design again after its edits and analyses."""
        editor.document_event.connect(self._document_changed)
        editor.analysis_changed.connect(self._analysed)

    def _document_changed(self, name: str, payload: dict) -> None:
        """Measure the design again: a new design at once (so its picture is drawn once, with
        the analysis that follows), edits once they pause."""
        if name == "reset":
            self._measure.stop()
            self.measure()
        else:
            self._measure.start()

    def _analysed(self) -> None:
        """New problem colours: an edit's re-measure, if due, is done now with them (drawing a
        big design's overview twice per edit doubled its cost)."""
        if self._measure.isActive():
            self._measure.stop()
            self.measure()
        else:
            self.recolour()

    @property
    def main(self):
        """The canvas view (our parent; not stored, so no reference cycle keeps it alive)."""
        return self.parentWidget()

    def set_style(self, s: st.CanvasStyle) -> None:
        self.style_ = s
        self.measure()

    # -- geometry ---------------------------------------------------------------------------
    def _frame(self) -> tuple[float, QPointF]:
        """Scale and offset mapping scene coordinates into this widget."""
        box = QRectF(self.rect()).adjusted(PAD, PAD, -PAD, -PAD)
        if self.content.isEmpty():
            return 1.0, QPointF()
        scale = min(box.width() / self.content.width(), box.height() / self.content.height())
        used = QRectF(0, 0, self.content.width() * scale, self.content.height() * scale)
        used.moveCenter(box.center())
        return scale, used.topLeft() - self.content.topLeft() * scale

    def to_scene(self, point: QPointF) -> QPointF:
        scale, offset = self._frame()
        return (point - offset) / scale

    def to_widget(self, rect: QRectF) -> QRectF:
        scale, offset = self._frame()
        return QRectF(rect.topLeft() * scale + offset, rect.size() * scale)

    # -- content ----------------------------------------------------------------------------
    def measure(self) -> None:
        """Recompute the design's extent and its small picture (after edits)."""
        rect = content_rect(self.main.canvas)
        self.layers = rect
        self.content = rect.adjusted(-40, -40, 40, 40) if not rect.isEmpty() else QRectF()
        self.picture = QPixmap()
        self.refresh()

    def recolour(self) -> None:
        """Draw the small picture again (problem colours changed; the extent did not)."""
        self.picture = QPixmap()
        if self.isVisible():
            self.update()

    def _render(self) -> None:
        big = len(self.main.canvas.nodes) >= RASTER_FROM and not self.content.isEmpty()
        if big:  # drawn into an image's memory, then shown as a pixmap
            image = QImage(self.size(), QImage.Format.Format_RGBA8888)
            image.fill(self.style_.background)
        else:
            self.picture = QPixmap(self.size())
            self.picture.fill(self.style_.background)
            if self.content.isEmpty():
                return
        painter = QPainter(image if big else self.picture)
        try:
            if big:
                self._draw_comments(painter)
            else:
                self._draw_design(painter)
        finally:
            painter.end()
        if big:
            scale, offset = self._frame()
            overview_raster.draw(image, self.main.canvas, self.style_, scale, offset.x(),
                                 offset.y())
            self.picture = QPixmap.fromImage(image)

    def _draw_comments(self, painter: QPainter) -> None:
        s, (scale, offset) = self.style_, self._frame()
        to_widget = QTransform(scale, 0, 0, scale, offset.x(), offset.y())
        painter.setPen(QPen(s.comment_border, 1))
        painter.setBrush(s.comment_fill)
        for item in self.main.canvas.comments.values():
            painter.drawRect(to_widget.mapRect(item.sceneBoundingRect()))

    def _draw_design(self, painter: QPainter) -> None:
        """Comments as tinted boxes, wires as thin lines, layers as boxes in their colours
        (one transform for all: a design of hundreds of layers draws in a few ms)."""
        canvas, s = self.main.canvas, self.style_
        scale, offset = self._frame()
        to_widget = QTransform(scale, 0, 0, scale, offset.x(), offset.y())
        self._draw_comments(painter)
        for bad in (False, True):  # a wire at this size is a line between its ends
            painter.setPen(QPen(s.problem if bad else s.wire, 1))
            painter.drawLines([to_widget.map(QLineF(*w.ends()))
                               for w in canvas.wires.values() if w.bad == bad])
        painter.setPen(Qt.PenStyle.NoPen)
        for colour, rects in _boxes(canvas, s, to_widget).items():
            painter.setBrush(QColor(colour))
            painter.drawRects(rects)

    def refresh(self) -> None:
        """Show and outline, or hide when the whole design is already in view."""
        main = self.main
        port = main.viewport().rect()
        visible = main.mapToScene(port).boundingRect()
        roomy = port.width() >= 3 * SIZE.width() and port.height() >= 3 * SIZE.height()
        wanted = (self.enabled and roomy and len(main.canvas.nodes) >= 2
                  and not visible.contains(self.layers))
        if wanted != self.isVisible():
            self.setVisible(wanted)
        if wanted:
            area = main.viewport().geometry()
            self.move(area.left() + 10, area.bottom() - self.height() - 10)
            self.raise_()
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self.picture.isNull():
            self._render()
        painter = QPainter(self)
        painter.drawPixmap(0, 0, self.picture)
        s = self.style_
        painter.setPen(QPen(s.node_border, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5))
        main = self.main
        visible = main.mapToScene(main.viewport().rect()).boundingRect()
        colour = QColor(s.selection)
        painter.setPen(QPen(colour, 1.2))
        colour.setAlpha(40)
        painter.setBrush(colour)
        painter.setClipRect(self.rect().adjusted(1, 1, -1, -1))
        painter.drawRect(self.to_widget(visible))

    # -- navigation -------------------------------------------------------------------------
    def mousePressEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self.main.centerOn(self.to_scene(event.position()))

    def mouseMoveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if event.buttons() & Qt.MouseButton.LeftButton:
            self.main.centerOn(self.to_scene(event.position()))


def _boxes(canvas, s: st.CanvasStyle, to_widget: QTransform) -> dict[str, list[QRectF]]:
    """The layers' rectangles in the overview, grouped by colour (one fill per colour), from
    where the scene placed them (reading Qt's positions is slower)."""
    accents: dict[str, str] = {}
    boxes: dict[str, list[QRectF]] = {}
    problem = s.problem.name()
    scale, dx, dy = to_widget.m11(), to_widget.dx(), to_widget.dy()
    w, h = st.NODE_W * scale, st.NODE_H * scale
    nodes, moved = canvas.doc.nodes, canvas._offsets
    for nid, item in canvas.nodes.items():
        if item.has_error():
            colour = problem
        else:
            colour = accents.get(item.category)
            if colour is None:
                colour = accents[item.category] = st.category_accent(item.category).name()
        node = nodes.get(nid)
        if node is None or item.content is not None:  # an expanded block: its own size
            rect = to_widget.mapRect(item.sceneBoundingRect())
        else:
            ox, oy = moved.get(nid, (0.0, 0.0))
            rect = QRectF((node.pos[0] + ox) * scale + dx, (node.pos[1] + oy) * scale + dy, w, h)
        boxes.setdefault(colour, []).append(rect)
    return boxes
