"""The Saturation view of a run: are the units still learning?

Per activation layer, from the run's teaching probes (`ActivationStats`): a table of the share
of saturated sigmoid/tanh outputs and of dead ReLUs with the middle of the distribution, the
warnings that say what to change, the chosen layer's output histogram over time (a heat map:
time across, value up, brighter = more outputs) with its median, and every layer's
dead/saturated share over time. Histograms of unbounded layers come with their own ranges;
they are re-binned onto one value grid for the heat map.

`ActivationsView` is its live view of the Training dock (the "Saturation" tab): it keeps the
newest `ActivationStats` of each batch on the epoch axis and draws them when the dock asks
(only while the tab is visible); selecting an activation layer on the canvas selects it in the
table.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QHBoxLayout, QTableWidget, QTableWidgetItem, QWidget

from backend.training.teaching_events import ActivationStats
from designer.explore.widgets import label
from designer.plots.base import PlotPanel, colour, heat_lut, style_plot
from designer.training.live_view import LiveView, RunContext

GRID = 48  # value bins of the heat map


def rebin(counts: np.ndarray, edges: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Counts on `edges` redistributed onto the bins of `grid` (through the CDF)."""
    cdf = np.concatenate([[0.0], np.cumsum(counts, dtype=float)])
    at = np.interp(grid, edges, cdf, left=0.0, right=cdf[-1])
    return np.diff(at)


class ActivationStatsView(PlotPanel):
    export_name = "activations"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Saturation", parent)
        self.history: list[tuple[float, object]] = []  # (epoch, ActivationStats)
        self.selected: str | None = None
        self.layers = QTableWidget(0, 4)
        self.layers.setHorizontalHeaderLabels(["layer", "saturated", "dead", "5–95 %"])
        self.layers.setToolTip("saturated: sigmoid/tanh outputs within 2 % of a limit; dead: "
                               "ReLU units at 0 for every probe sample; 5–95 %: where the "
                               "middle 90 % of the outputs lie")
        self.layers.verticalHeader().hide()
        self.layers.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.layers.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.layers.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.layers.horizontalHeader().setStretchLastSection(True)
        self.warnings = label("", "warning")
        self.heat = pg.PlotWidget(title="outputs over time")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(heat_lut())
        self.heat.addItem(self.image)
        self.median = self.heat.plot([], [], pen=pg.mkPen("#E69F00", width=2))
        self.shares = pg.PlotWidget(title="dead / saturated share")
        self.shares.setYRange(0, 1)
        self.share_curves: dict[str, pg.PlotDataItem] = {}
        for p in (self.heat, self.shares):
            p.getPlotItem().setMenuEnabled(False)
            p.setLabel("bottom", "epoch")
        row = QHBoxLayout()
        row.addWidget(self.layers, 3)
        row.addWidget(self.heat, 3)
        row.addWidget(self.shares, 2)
        self.body.addLayout(row, 1)
        self.body.addWidget(self.warnings)
        self.layers.itemSelectionChanged.connect(self._on_row)
        self.set_status("shown while a design with activation layers trains")

    # -- data -----------------------------------------------------------------------------------
    def add(self, stats, x: float) -> None:
        """Keep `stats` (at epoch `x`) and show it."""
        self.keep(stats, x)
        self.show_latest()

    def keep(self, stats, x: float) -> None:
        """Keep `stats` (at epoch `x`) for the next `show_latest` (no drawing)."""
        self.history.append((x, stats))
        if self.selected not in stats.nodes:
            self.selected = next((n for n, d, s in zip(stats.nodes, stats.dead, stats.saturated,
                                                       strict=True)
                                  if not (math.isnan(d) and math.isnan(s))), stats.nodes[0])

    def show_latest(self) -> None:
        if not self.history:
            return
        x, stats = self.history[-1]
        self._fill_table(stats)
        self.warnings.setText("\n".join(stats.warnings))
        self.warnings.setVisible(bool(stats.warnings))
        self._draw()
        self.set_status(f"epoch {x:.2f}, {stats.samples} probe samples", warn=bool(
            stats.warnings))

    def select_node(self, node_id: str) -> None:
        if self.history and node_id in self.history[-1][1].nodes:
            self.selected = node_id
            self._fill_table(self.history[-1][1])
            self._draw()

    def clear(self) -> None:
        self.history, self.selected = [], None
        self.layers.setRowCount(0)
        self.warnings.setText("")
        self.warnings.hide()
        self.image.clear()
        self.median.setData([], [])
        for curve in self.share_curves.values():
            self.shares.removeItem(curve)
        self.share_curves = {}

    # -- drawing --------------------------------------------------------------------------------
    def _fill_table(self, s) -> None:
        self.layers.blockSignals(True)
        self.layers.setRowCount(len(s.nodes))
        for r, (nid, lab, sat, dead, q) in enumerate(zip(s.nodes, s.labels, s.saturated,
                                                         s.dead, s.quantiles, strict=True)):
            cells = (lab, _share(sat), _share(dead), f"{q[0]:.2g} … {q[-1]:.2g}")
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, nid)
                if c in (1, 2) and not math.isnan((sat, dead)[c - 1]) and \
                        (sat, dead)[c - 1] >= 0.5:
                    item.setForeground(pg.mkColor("#D55E00"))
                self.layers.setItem(r, c, item)
            if nid == self.selected:
                self.layers.selectRow(r)
        self.layers.resizeColumnsToContents()
        self.layers.blockSignals(False)

    def _on_row(self) -> None:
        items = self.layers.selectedItems()
        if items:
            self.selected = items[0].data(Qt.ItemDataRole.UserRole)
            self._draw()

    def _draw(self) -> None:
        if not self.history or self.selected is None:
            return
        xs = np.array([x for x, _ in self.history])
        rows = [(s.nodes.index(self.selected), s) for _, s in self.history
                if self.selected in s.nodes]
        lo = min(float(s.edges[i][0]) for i, s in rows)
        hi = max(float(s.edges[i][-1]) for i, s in rows)
        grid = np.linspace(lo, hi if hi > lo else lo + 1e-6, GRID + 1)
        heat = np.array([rebin(s.counts[i], s.edges[i], grid) / max(s.counts[i].sum(), 1)
                         for i, s in rows]).T  # (value bins, times)
        self.image.setImage(heat ** 0.35, autoLevels=True)  # faint tails stay visible
        width = (xs[-1] - xs[0]) if len(xs) > 1 else 1.0
        step = width / max(len(xs) - 1, 1)
        self.image.setRect(QRectF(xs[0] - step / 2, lo, width + step, grid[-1] - lo))
        self.median.setData(xs, [s.quantiles[i][2] for i, s in rows])
        self.heat.setTitle(f"outputs of {rows[-1][1].labels[rows[-1][0]]}")
        self._draw_shares(xs)

    def _draw_shares(self, xs: np.ndarray) -> None:
        last = self.history[-1][1]
        for i, nid in enumerate(last.nodes):
            values = [(s.dead if not math.isnan(s.dead[s.nodes.index(nid)]) else s.saturated)[
                s.nodes.index(nid)] if nid in s.nodes else np.nan for _, s in self.history]
            if np.all(np.isnan(values)):
                continue
            if nid not in self.share_curves:
                self.share_curves[nid] = self.shares.plot([], [], pen=pg.mkPen(colour(i),
                                                                               width=2),
                                                          name=last.labels[i])
            self.share_curves[nid].setData(xs, np.asarray(values, dtype=float))

    def apply_theme(self, dark: bool) -> None:
        for p in (self.heat, self.shares):
            style_plot(p, dark)

    def table(self) -> tuple[list[str], list[list]]:
        rows = []
        for x, s in self.history:
            for nid, sat, dead, q in zip(s.nodes, s.saturated, s.dead, s.quantiles,
                                         strict=True):
                rows.append([x, nid, float(sat), float(dead), *map(float, q)])
        return ["epoch", "node", "saturated", "dead", "q05", "q25", "q50", "q75", "q95"], rows


class ActivationsView(LiveView):
    """The Training dock's Saturation tab (see the module docstring)."""

    name = "Saturation"  # dead and saturated units (the feature maps are "Activations")
    events = (ActivationStats,)

    def make_widget(self) -> ActivationStatsView:
        return ActivationStatsView()

    def handle(self, events: list, context: RunContext) -> None:
        newest = events[-1]  # the newest of a batch is enough to show
        self.widget.keep(newest, context.epoch_of(newest.step))

    def draw(self, context: RunContext) -> bool:
        self.widget.show_latest()
        return False

    def select(self, node_id: str, context: RunContext, live: bool) -> None:
        self.widget.select_node(node_id)
        return None


def _share(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.0%}"
