"""Overview (minimap): the whole design in a corner, with the visible part outlined.

A second, non-interactive view on the same scene (items paint their zoomed-out form there),
shown only when the design does not fit in the canvas. Clicking or dragging in it centres
the canvas on that point.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QFrame, QGraphicsView

from designer.canvas import style as st

SIZE = (220, 130)


class Overview(QGraphicsView):
    def __init__(self, canvas_view) -> None:
        super().__init__(canvas_view.canvas, canvas_view)
        self.style_ = st.LIGHT
        self.content = QRectF()
        self.setInteractive(False)
        self.setFixedSize(*SIZE)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QFrame.Shape.Box)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.BoundingRectViewportUpdate)
        self.setToolTip("Overview: click or drag to move the canvas there")
        self.hide()

    @property
    def main(self):
        """The canvas view (our parent; not stored, so no reference cycle keeps it alive)."""
        return self.parentWidget()

    def set_style(self, s: st.CanvasStyle) -> None:
        self.style_ = s
        self.setStyleSheet(f"QGraphicsView {{ border: 1px solid {s.node_border.name()}; }}")
        self.viewport().update()

    def measure(self) -> None:
        """Recompute the design's extent (after edits; cheap enough for hundreds of nodes)."""
        rect = QRectF()
        for group in (self.main.canvas.nodes, self.main.canvas.comments):
            for item in group.values():
                rect = rect.united(item.sceneBoundingRect())
        self.content = rect
        self.refresh()

    def refresh(self) -> None:
        """Show, fit and outline, or hide when the whole design is already in view."""
        main = self.main
        visible = main.mapToScene(main.viewport().rect()).boundingRect()
        wanted = len(main.canvas.nodes) >= 2 and not visible.contains(self.content)
        if wanted != self.isVisible():
            self.setVisible(wanted)
        if not wanted:
            return
        area = main.viewport().geometry()
        self.move(area.left() + 10, area.bottom() - self.height() - 10)
        self.raise_()
        self.fitInView(self.content.adjusted(-60, -60, 60, 60),
                       Qt.AspectRatioMode.KeepAspectRatio)
        self.viewport().update()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        painter.fillRect(rect, self.style_.background)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        visible = self.main.mapToScene(self.main.viewport().rect()).boundingRect()
        colour = QColor(self.style_.selection)
        pen = QPen(colour, 0)
        colour.setAlpha(40)
        painter.setPen(pen)
        painter.setBrush(colour)
        painter.drawRect(visible)

    def _jump(self, event) -> None:
        self.main.centerOn(self.mapToScene(event.position().toPoint()))

    def mousePressEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self._jump(event)

    def mouseMoveEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if event.buttons() & Qt.MouseButton.LeftButton:
            self._jump(event)

    def wheelEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        event.ignore()
