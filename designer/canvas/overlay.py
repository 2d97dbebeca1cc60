"""Widgets floating over the canvas: a toast for hints and refusals, and the heat legend.

Both are children of the view (not of its viewport, whose children scroll with the scene)
and are placed over the viewport's area, so they stay put while the scene pans and zooms.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QLabel, QWidget

from designer.canvas import style as st

TOAST_MS = 5000


class Toast(QLabel):
    """A one-line message at the bottom of the canvas that fades out on its own."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self._timer = QTimer(self, singleShot=True, interval=TOAST_MS)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def set_style(self, s: st.CanvasStyle) -> None:
        self.setStyleSheet(
            f"QLabel {{ background: {s.node_fill.name()}; color: {s.text.name()};"
            f" border: 1px solid {s.node_border.name()}; border-left: 4px solid"
            f" {s.problem.name()}; border-radius: 4px; padding: 6px 10px; }}")

    def show_text(self, text: str) -> None:
        self.setText(text[:1].upper() + text[1:] if text else text)
        area = self.parentWidget().viewport().geometry()
        self.setFixedWidth(max(120, min(560, area.width() - 24)))
        self.adjustSize()
        self.move(area.left() + (area.width() - self.width()) // 2,
                  area.bottom() - self.height() - 14)
        self.show()
        self.raise_()
        self._timer.start()


class HeatLegend(QWidget):
    """Gradient-flow legend: vanishing (blue) .. healthy (grey) .. exploding (vermillion)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.style_ = st.LIGHT
        self.setFixedSize(210, 46)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.hide()

    def set_style(self, s: st.CanvasStyle) -> None:
        self.style_ = s
        self.update()

    def place(self) -> None:
        area = self.parentWidget().viewport().geometry()
        self.move(area.right() - self.width() - 12, area.top() + 12)
        self.raise_()

    def paintEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        s = self.style_
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(s.node_border))
        p.setBrush(s.node_fill)
        p.drawRoundedRect(QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5), 5, 5)
        bar = QRectF(10, 8, self.width() - 20, 8)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        for t in (0.0, 0.25, 0.5, 0.75, 1.0):
            grad.setColorAt(t, st.heat_colour(t))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(grad)
        p.drawRoundedRect(bar, 3, 3)
        p.setPen(s.text_muted)
        font = p.font()
        font.setPointSizeF(7.5)
        p.setFont(font)
        text = QRectF(8, 20, self.width() - 16, 20)
        p.drawText(text, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, "vanishing")
        p.drawText(text, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter, "healthy")
        p.drawText(text, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, "exploding")
