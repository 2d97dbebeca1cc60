"""The unrolled recurrent layer: one copy of the cell per time step, all the same cell.

`UnrolledView.draw(unrolled, step)` draws up to MAX_CELLS steps (a window around `step` when
the sequence is longer): each step's cell as the same tinted box (same weights), x_t below it,
the hidden state h_t above it as a row of coloured squares (one per unit, blue negative, red
positive), and the arrows carrying h (and the LSTM's cell state C) from step to step. The
selected step is outlined. A line above says that every copy shares W, U and b.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsScene, QGraphicsView

from backend.teaching.recurrent import Unrolled
from designer import theme

MAX_CELLS = 12
CELL_W, CELL_H, GAP = 74.0, 46.0, 36.0
SHARED = "#56B4E9"


def value_colour(v: float) -> QColor:
    """−1 blue … 0 neutral … +1 vermillion."""
    v = float(np.clip(v, -1.0, 1.0))
    base = QColor(theme.colors().base)
    target = QColor("#D55E00" if v > 0 else "#0072B2")
    a = abs(v)
    return QColor(int(base.red() * (1 - a) + target.red() * a),
                  int(base.green() * (1 - a) + target.green() * a),
                  int(base.blue() * (1 - a) + target.blue() * a))


class UnrolledView(QGraphicsView):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(210)
        self.shown_steps: list[int] = []

    def _window(self, steps: int, step: int) -> list[int]:
        if steps <= MAX_CELLS:
            return list(range(steps))
        start = min(max(0, step - MAX_CELLS // 2), steps - MAX_CELLS)
        return list(range(start, start + MAX_CELLS))

    def draw(self, u: Unrolled, step: int) -> None:
        scene = self.scene()
        scene.clear()
        c = theme.colors()
        scene.setBackgroundBrush(QColor(c.base))
        self.shown_steps = self._window(u.steps, step)
        units = u.h.shape[1]
        for i, t in enumerate(self.shown_steps):
            x = i * (CELL_W + GAP)
            self._cell(u, t, x, t == step, units, c)
            if i:
                self._arrows(u.kind, x - GAP, x, c)
        first, last = self.shown_steps[0], self.shown_steps[-1]
        width = len(self.shown_steps) * (CELL_W + GAP) - GAP
        note = (f"steps {first + 1}–{last + 1} of {u.steps}: " if u.steps > MAX_CELLS else "")
        self._text(f"{note}the same {u.kind} cell at every step — one set of weights "
                   "W, U, b, shared across time", c.muted, QPointF(width / 2, -86))
        rect = scene.itemsBoundingRect().adjusted(-12, -12, 12, 12)
        scene.setSceneRect(rect)
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event) -> None:  # noqa: N802  (Qt API)
        super().resizeEvent(event)
        rect = self.scene().sceneRect()
        if not rect.isEmpty():
            self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)

    def _text(self, text: str, colour: str, centre: QPointF, size: float = 0, bold=False):
        item = self.scene().addSimpleText(text)
        font = QFont(self.font())
        if size:
            font.setPointSizeF(size)
        font.setBold(bold)
        item.setFont(font)
        item.setBrush(QBrush(QColor(colour)))
        box = item.boundingRect()
        item.setPos(centre.x() - box.width() / 2, centre.y() - box.height() / 2)

    def _cell(self, u: Unrolled, t: int, x: float, selected: bool, units: int, c) -> None:
        fill = QColor(SHARED)
        fill.setAlpha(70)
        pen = QPen(QColor(c.warning if selected else SHARED), 3 if selected else 1.5)
        box = QPainterPath()
        box.addRoundedRect(QRectF(x, 0, CELL_W, CELL_H), 8, 8)
        self.scene().addPath(box, pen, QBrush(fill))
        self._text(u.kind if u.kind != "SimpleRNN" else "RNN", c.text,
                   QPointF(x + CELL_W / 2, CELL_H / 2), bold=True)
        xv = u.x[t]
        label = f"{xv[0]:.2f}" if len(xv) == 1 else f"{len(xv)} values"
        self.scene().addLine(x + CELL_W / 2, CELL_H + 22, x + CELL_W / 2, CELL_H + 2,
                             QPen(QColor(c.muted), 1.2))
        self._text(f"x{t + 1} = {label}", c.muted, QPointF(x + CELL_W / 2, CELL_H + 32), 8.5)
        shown = min(units, 8)
        size = CELL_W / shown
        for k in range(shown):
            square = QRectF(x + k * size, -38, size - 1, 16)
            self.scene().addRect(square, QPen(QColor(c.border)), QBrush(value_colour(u.h[t, k])))
        self.scene().addLine(x + CELL_W / 2, -2, x + CELL_W / 2, -20, QPen(QColor(c.muted), 1.2))
        more = f" (first {shown} of {units})" if units > shown else ""
        self._text(f"h{t + 1}{more}", c.muted, QPointF(x + CELL_W / 2, -52), 8.5)

    def _arrows(self, kind: str, x0: float, x1: float, c) -> None:
        rows = [(CELL_H * 0.35, "h")] + ([(CELL_H * 0.75, "C")] if kind == "LSTM" else [])
        if kind != "LSTM":
            rows = [(CELL_H / 2, "h")]
        for y, name in rows:
            pen = QPen(QColor(c.text if name == "h" else c.ok), 1.6)
            self.scene().addLine(x0 + 2, y, x1 - 4, y, pen)
            head = QPainterPath(QPointF(x1 - 2, y))
            head.lineTo(x1 - 9, y - 4)
            head.lineTo(x1 - 9, y + 4)
            head.closeSubpath()
            self.scene().addPath(head, pen, QBrush(pen.color()))
            self._text(name, c.ok if name == "C" else c.text, QPointF((x0 + x1) / 2, y - 9), 8)
