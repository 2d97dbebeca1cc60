"""Decision boundary for 2-D datasets: predicted class over a grid, with the data on top.

The worker predicts on the grid at epoch end (never the GUI thread) and sends
`(xs, ys, classes)` where classes is (len(ys), len(xs)) ints, plus the points and labels.
Each class has its Okabe-Ito colour: the region pale, the points solid.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QWidget

from designer.plots.base import PALETTE, PlotPanel, qcolor, style_plot


def class_lut(alpha: int = 90) -> np.ndarray:
    return np.array([[*qcolor(c).getRgb()[:3], alpha] for c in PALETTE], dtype=np.uint8)


class DecisionBoundaryView(PlotPanel):
    export_name = "decision-boundary"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Decision boundary", parent)
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setAspectLocked(True)
        self.body.addWidget(self.plot_widget)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(class_lut())
        self.plot.addItem(self.image)
        self.scatter = pg.ScatterPlotItem(size=5, pen=None)
        self.plot.addItem(self.scatter)
        self.grid: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        self.points: tuple[np.ndarray, np.ndarray] | None = None
        self.set_status("shown for datasets with two input features")

    def set_points(self, points: np.ndarray, labels: np.ndarray) -> None:
        pts = np.asarray(points, dtype=float)
        lab = np.asarray(labels).astype(int).ravel()
        self.points = (pts, lab)
        brushes = [pg.mkBrush(PALETTE[k % len(PALETTE)]) for k in lab]
        self.scatter.setData(pts[:, 0], pts[:, 1], brush=brushes)

    def set_boundary(self, xs: np.ndarray, ys: np.ndarray, classes: np.ndarray,
                     epoch: float | None = None) -> None:
        xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
        cls = np.asarray(classes).astype(np.int64) % len(PALETTE)
        self.grid = (xs, ys, cls)
        self.image.setImage(cls.astype(np.uint8), autoLevels=False, levels=(0, len(PALETTE)))
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        self.image.setRect(QRectF(xs[0] - dx / 2, ys[0] - dy / 2,
                                  xs[-1] - xs[0] + dx, ys[-1] - ys[0] + dy))
        if epoch is not None:
            self.set_status(f"after epoch {epoch:g}")

    def clear(self) -> None:
        self.grid = self.points = None
        self.image.clear()
        self.scatter.clear()

    def apply_theme(self, dark: bool) -> None:
        style_plot(self.plot_widget, dark)

    def table(self) -> tuple[list[str], list[list]]:
        if self.grid is None:
            return [], []
        xs, ys, cls = self.grid
        rows = [[float(x), float(y), int(cls[i, j])]
                for i, y in enumerate(ys) for j, x in enumerate(xs)]
        return ["x1", "x2", "predicted_class"], rows
