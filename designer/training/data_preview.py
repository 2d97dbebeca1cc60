"""The data preview: what a run will train on, as a picture.

A grid of samples for images, a scatter for 2-D point sets, curves for series, the adjacency
matrix for a graph (nodes ordered by class, so communities show as blocks), a table for other
tabular data, beside the class balance. `show_data(dataset)` draws an already loaded
dataset (the Data panel loads it off the GUI thread).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QStackedWidget, QTableWidget, QTableWidgetItem, QWidget

from backend.data import class_counts
from designer.plots.base import PALETTE, is_dark, style_plot, theme_colours
from designer.plots.feature_maps import mosaic


class DataPreview(QStackedWidget):
    """Samples (image grid, scatter or series) with the class balance; or a table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.plots = pg.GraphicsLayoutWidget()
        self.samples = self.plots.addPlot(row=0, col=0, title="samples")
        self.balance = self.plots.addPlot(row=0, col=1, title="class balance")
        self.plots.ci.layout.setColumnStretchFactor(0, 2)
        self.table = QTableWidget()
        self.addWidget(self.plots)
        self.addWidget(self.table)
        self.kind = ""
        self.setMinimumHeight(140)

    def show_data(self, data) -> None:
        info = data.info
        self.kind = info.kind
        self.samples.clear()
        self.balance.clear()
        self.samples.setTitle("adjacency (nodes by class)" if info.kind == "graph" else "samples")
        self.samples.setAspectLocked(False)
        if info.kind == "tabular" and len(info.input_shape) == 1 and info.input_shape[0] != 2:
            self._table(data)
        else:
            self.setCurrentWidget(self.plots)
            {"image": self._images, "series": self._series,
             "graph": self._adjacency}.get(info.kind, self._points)(data)
        if info.num_classes:
            counts = class_counts(data.y[data.y >= 0] if info.kind == "graph" else data.y,
                                  info.num_classes)
            bars = pg.BarGraphItem(x=np.arange(len(counts)), height=counts, width=0.7,
                                   brushes=[PALETTE[i % len(PALETTE)] for i in range(len(counts))])
            self.balance.addItem(bars)
        self.apply_theme(is_dark(self))

    def _images(self, data) -> None:
        x = data.x[:48]
        grey = x[:, 0] if x.ndim == 4 else x.reshape(len(x), *x.shape[-2:])
        lut = np.stack([np.linspace(0, 255, 256)] * 3 + [np.full(256, 255)], 1).astype(np.uint8)
        image, _ = mosaic(grey, lut)
        item = pg.ImageItem(image, axisOrder="row-major")
        self.samples.addItem(item)
        self.samples.invertY(True)
        self.samples.setAspectLocked(True)

    def _points(self, data) -> None:
        x = data.x.reshape(len(data.x), -1)[:800]
        y = np.asarray(data.y).astype(int).ravel()[:800] if data.info.num_classes else None
        brushes = [PALETTE[k % len(PALETTE)] for k in y] if y is not None else "#0072B2"
        self.samples.invertY(False)
        self.samples.addItem(pg.ScatterPlotItem(x[:, 0], x[:, 1], size=4, pen=None,
                                                brush=brushes))

    def _adjacency(self, data) -> None:
        """The graph's adjacency, nodes sorted by class (unlabelled last), at most 400 × 400
        cells (a cell then counts the edges between two groups of nodes)."""
        n, classes = data.num_nodes, data.info.num_classes
        order = np.argsort(np.where(data.y >= 0, data.y, classes), kind="stable")
        rank = np.empty(n, np.int64)
        rank[order] = np.arange(n)
        cells = min(n, 400)
        i, j = rank[data.edges[:, 0]] * cells // n, rank[data.edges[:, 1]] * cells // n
        grid = np.zeros((cells, cells), np.float32)
        np.add.at(grid, (i, j), 1.0)
        np.add.at(grid, (j, i), 1.0)
        lut = np.zeros((256, 4), np.uint8)  # see-through to blue: reads on either theme
        lut[:, :3], lut[:, 3] = (0, 114, 178), np.arange(256)
        item = pg.ImageItem(np.log1p(grid), axisOrder="row-major", lut=lut)
        item.setLevels((0.0, max(float(np.log1p(grid).max()), 1e-6)))
        self.samples.addItem(item)
        self.samples.invertY(True)
        self.samples.setAspectLocked(True)

    def _series(self, data) -> None:
        self.samples.invertY(False)
        for i, window in enumerate(data.x[:5]):
            self.samples.plot(np.asarray(window).ravel(), pen=PALETTE[i % len(PALETTE)])

    def _table(self, data) -> None:
        self.setCurrentWidget(self.table)
        rows = min(len(data.x), 30)
        cols = data.x.shape[1]
        self.table.setRowCount(rows)
        self.table.setColumnCount(cols + 1)
        self.table.setHorizontalHeaderLabels([f"x{i}" for i in range(cols)] + ["target"])
        for r in range(rows):
            for c in range(cols):
                self.table.setItem(r, c, QTableWidgetItem(f"{data.x[r, c]:.3g}"))
            self.table.setItem(r, cols, QTableWidgetItem(str(np.asarray(data.y[r]).tolist())))

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802  (Qt API name)
        """Follow a theme switch (the preview was drawn in the theme of its time)."""
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self.apply_theme(is_dark(self))
        super().changeEvent(event)

    def apply_theme(self, dark: bool) -> None:
        self.plots.setBackground(theme_colours(dark)[0])
        style_plot(self.samples, dark)
        style_plot(self.balance, dark)
