"""Weight histograms: one ridge per layer (latest probe), so spreads can be compared at a glance.

`set_histograms(x, hists, titles)` takes node id -> (counts, bin edges), computed off the GUI
thread. Each layer is a filled step curve on its own baseline, scaled to its own peak; the
layer's title labels the ridge and the value range is on the x axis. `highlight(node)` draws
the selected layer's ridge bolder and names it in the status line.
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
        self.selected: str | None = None
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
        self._emphasise()

    def highlight(self, node_id: str | None) -> None:
        """Draw `node_id`'s ridge bolder (the node selected on the canvas)."""
        self.selected = node_id
        self._emphasise()

    def _emphasise(self) -> None:
        order = list(reversed(list(self.hists)))
        for i, nid in enumerate(order):
            c = colour(i)
            bold = nid == self.selected
            self._curves[i].setPen(pg.mkPen(c, width=3.0 if bold else 1.5))
            self._curves[i].setFillBrush(qcolor(c, 150 if bold else 70))
        status = f"epoch {self.x:.2f}, {len(self.hists)} layers" if self.hists else ""
        if self.selected in self.hists:
            status += f" · selected: {self.titles.get(self.selected, self.selected)}"
        elif self.selected is not None and self.hists:
            status += " · the selected layer has no weights"
        self.set_status(status)

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
        self.selected = None
        self._ensure(0)
        self.set_status("")

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
