"""Weight histograms: one ridge per layer (latest probe), so spreads can be compared at a glance.

`set_histograms(x, hists, titles)` takes node id -> (counts, bin edges), computed off the GUI
thread. Each layer is a filled step curve on its own baseline, scaled to its own peak; the
layer's title labels the ridge and the value range is on the x axis.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from designer.plots.base import PlotPanel, colour, qcolor, style_plot, theme_colours

Hist = tuple[np.ndarray, np.ndarray]  # counts (B,), edges (B + 1,)


def histogram(values: np.ndarray, bins: int = 40) -> Hist:
    """Counts and edges of finite values (the worker's helper)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    v = v[np.isfinite(v)]
    if v.size == 0:
        return np.zeros(bins), np.linspace(-1, 1, bins + 1)
    return np.histogram(v, bins=bins)


class WeightHistogramView(PlotPanel):
    """Ridgeline of per-layer weight distributions."""

    export_name = "weight-histograms"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Weight histograms", parent)
        self.plot_widget = pg.PlotWidget()
        self.plot = self.plot_widget.getPlotItem()
        self.plot.setLabel("bottom", "weight value")
        self.plot.hideAxis("left")
        self.body.addWidget(self.plot_widget)
        self._curves: list[pg.PlotDataItem] = []
        self._labels: list[pg.TextItem] = []
        self.hists: dict[str, Hist] = {}
        self.titles: dict[str, str] = {}
        self.x = 0.0
        self._fg = "#303030"

    def set_histograms(self, x: float, hists: dict[str, Hist], titles: dict[str, str]) -> None:
        self.x, self.hists, self.titles = x, dict(hists), dict(titles)
        self._ensure(len(hists))
        for i, (nid, (counts, edges)) in enumerate(reversed(list(hists.items()))):
            counts = np.asarray(counts, dtype=float)
            peak = counts.max() if counts.size and counts.max() > 0 else 1.0
            ys = i + 0.9 * counts / peak
            self._curves[i].setData(np.asarray(edges, dtype=float), ys, stepMode="center",
                                    fillLevel=i)
            label = self._labels[i]
            label.setText(titles.get(nid, nid))
            label.setPos(float(edges[0]), i + 0.9)
        self.set_status(f"epoch {x:.2f}, {len(hists)} layers")

    def _ensure(self, n: int) -> None:
        while len(self._curves) < n:
            k = len(self._curves)
            c = colour(k)
            curve = pg.PlotDataItem(pen=pg.mkPen(c, width=1.5), fillBrush=qcolor(c, 70))
            label = pg.TextItem(color=self._fg, anchor=(0, 1))
            self.plot.addItem(curve)
            self.plot.addItem(label)
            self._curves.append(curve)
            self._labels.append(label)
        while len(self._curves) > n:
            self.plot.removeItem(self._curves.pop())
            self.plot.removeItem(self._labels.pop())

    def clear(self) -> None:
        self.hists = {}
        self._ensure(0)

    def apply_theme(self, dark: bool) -> None:
        self._fg = theme_colours(dark)[1]
        style_plot(self.plot_widget, dark)
        for label in self._labels:
            label.setColor(self._fg)

    def table(self) -> tuple[list[str], list[list]]:
        rows = []
        for nid, (counts, edges) in self.hists.items():
            for k, count in enumerate(counts):
                rows.append([self.x, self.titles.get(nid, nid), float(edges[k]),
                             float(edges[k + 1]), float(count)])
        return ["epoch", "layer", "bin_low", "bin_high", "count"], rows
