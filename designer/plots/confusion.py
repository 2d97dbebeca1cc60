"""Validation confusion matrix: rows are true classes, columns predictions, counts written in.

Colours are row-normalised (the share of each true class that went to each prediction), so a
rare class is as readable as a common one; the status line gives overall and worst per-class
accuracy.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QWidget

from designer.plots.base import PlotPanel, heat_lut, style_plot

MAX_TEXT_CLASSES = 20


class CountsItem(pg.GraphicsObject):
    """The count in every cell, painted in one pass at screen size (not scaled with the data).

    One item instead of K² text items keeps a 10-class update to a few milliseconds.
    """

    def __init__(self):
        super().__init__()
        self.matrix = np.zeros((0, 0), dtype=np.int64)
        self.share = np.zeros((0, 0))

    def set_counts(self, matrix: np.ndarray, share: np.ndarray) -> None:
        self.prepareGeometryChange()
        self.matrix, self.share = matrix, share
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802  (Qt API name)
        k = self.matrix.shape[0]
        return QRectF(-0.5, -0.5, k, k)

    def paint(self, painter: QPainter, *_args) -> None:
        k = self.matrix.shape[0]
        if not k or k > MAX_TEXT_CLASSES:
            return
        to_screen = painter.transform()
        cell = abs(to_screen.map(QPointF(1, 0)).x() - to_screen.map(QPointF(0, 0)).x())
        if cell < 14:
            return
        painter.save()
        painter.resetTransform()
        font = painter.font()
        font.setPixelSize(int(min(12, cell / 2.5)))
        painter.setFont(font)
        for i in range(k):
            for j in range(k):
                if self.matrix[i, j]:
                    centre = to_screen.map(QPointF(j, i))
                    painter.setPen(QColor("#000000" if self.share[i, j] > 0.6 else "#ffffff"))
                    box = QRectF(centre.x() - cell / 2, centre.y() - cell / 2, cell, cell)
                    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(self.matrix[i, j]))
        painter.restore()


class ConfusionMatrixView(PlotPanel):
    export_name = "confusion-matrix"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Confusion matrix (validation)", parent)
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.plot.setLabel("left", "true class")
        self.plot.setLabel("bottom", "predicted class")
        self.body.addWidget(self.plot_widget)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(heat_lut())
        self.plot.addItem(self.image)
        self.counts = CountsItem()
        self.plot.addItem(self.counts)
        self.matrix: np.ndarray | None = None
        self.labels: list[str] = []

    def set_matrix(self, matrix: np.ndarray, labels: list[str] | None = None) -> None:
        m = np.asarray(matrix, dtype=np.int64)
        k = m.shape[0]
        self.matrix = m
        self.labels = list(labels) if labels else [str(i) for i in range(k)]
        rows = m.sum(axis=1, keepdims=True)
        share = m / np.where(rows > 0, rows, 1)
        self.image.setImage(share.astype(np.float32), autoLevels=False, levels=(0.0, 1.0))
        ticks = [(i, self.labels[i]) for i in range(k)]
        self.plot.getAxis("bottom").setTicks([ticks])
        self.plot.getAxis("left").setTicks([ticks])
        self._write_counts(m, share)
        self.plot.setRange(xRange=(-0.5, k - 0.5), yRange=(-0.5, k - 0.5), padding=0.02)
        self.image.setRect(-0.5, -0.5, k, k)
        total = m.sum()
        acc = np.trace(m) / total if total else 0.0
        per_class = np.diag(m) / np.where(rows[:, 0] > 0, rows[:, 0], 1)
        worst = int(np.argmin(per_class))
        self.set_status(f"accuracy {acc:.1%} · weakest: {self.labels[worst]} "
                        f"({per_class[worst]:.0%})")

    def _write_counts(self, m: np.ndarray, share: np.ndarray) -> None:
        self.counts.set_counts(m, share)

    def clear(self) -> None:
        self.matrix = None
        self.image.clear()
        self._write_counts(np.zeros((0, 0), dtype=int), np.zeros((0, 0)))
        self.plot.getAxis("bottom").setTicks(None)
        self.plot.getAxis("left").setTicks(None)
        self.set_status("")

    def apply_theme(self, dark: bool) -> None:
        style_plot(self.plot_widget, dark)

    def table(self) -> tuple[list[str], list[list]]:
        if self.matrix is None:
            return [], []
        header = ["true \\ predicted", *self.labels]
        rows = [[self.labels[i], *map(int, self.matrix[i])] for i in range(len(self.labels))]
        return header, rows
