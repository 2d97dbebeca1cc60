"""The Sweep view: trials as a parallel-coordinates plot, and parameter importance as bars.

Each axis is one parameter (log ranges on a log scale, choices spread evenly) and the last is
the objective; a completed trial is a line coloured from worst (dark) to best (bright,
viridis), a pruned or failed one a thin grey line. Importance (fANOVA, from Optuna) is each
parameter's share of the objective's variation. PNG and CSV export as the other views.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QWidget

from designer.plots.base import PlotPanel, style_plot


def axis_position(param, value) -> float:
    """Where `value` sits on the parameter's axis, from 0 (low) to 1 (high)."""
    if param.choices is not None:
        choices = list(param.choices)
        i = choices.index(value) if value in choices else 0
        return 0.5 if len(choices) == 1 else i / (len(choices) - 1)
    lo, hi = float(param.low), float(param.high)
    v = min(max(float(value), lo), hi)
    if param.log:
        return (math.log(v) - math.log(lo)) / (math.log(hi) - math.log(lo))
    return (v - lo) / (hi - lo)


class SweepPlots(PlotPanel):
    export_name = "sweep"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Sweep", parent)
        self.coords = pg.PlotWidget()
        self.coords.setMouseEnabled(x=False, y=False)
        self.coords.hideButtons()
        self.coords.getPlotItem().setTitle("trials (bright = best)")
        self.coords.getAxis("left").setTicks([[(0, "low"), (1, "high")]])
        self.bars = pg.PlotWidget()
        self.bars.setMouseEnabled(x=False, y=False)
        self.bars.hideButtons()
        self.bars.getPlotItem().setTitle("parameter importance")
        self.bars.setMaximumHeight(170)
        self.note = QLabel("Start a sweep to see its trials here.")
        self.note.setWordWrap(True)
        self.body.addWidget(self.note)
        self.body.addWidget(self.coords, 3)
        self.body.addWidget(self.bars, 1)
        self._rows: list[list] = []
        self._headers: list[str] = []

    def show_trials(self, space, outcomes, metric: str, direction: str) -> None:
        self.coords.clear()
        names = [p.name for p in space] + [metric.replace("_", " ")]
        self.coords.getAxis("bottom").setTicks([list(enumerate(names))])
        done = [o for o in outcomes if o.state == "complete" and o.value is not None]
        values = [o.value for o in done]
        lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        lut = pg.colormap.get("viridis")
        for o in sorted(outcomes, key=lambda o: o.state == "complete"):
            ys = [axis_position(p, o.params.get(p.name, p.low if p.choices is None
                                                 else p.choices[0])) for p in space]
            if o.state == "complete" and o.value is not None:
                rank = 0.5 if hi == lo else (o.value - lo) / (hi - lo)
                rank = rank if direction == "maximize" else 1 - rank
                ys.append(rank)
                pen = pg.mkPen(lut.map(0.15 + 0.85 * rank, mode="qcolor"), width=2)
            else:
                ys.append(0.0)
                pen = pg.mkPen("#999999", width=1, style=pg.QtCore.Qt.PenStyle.DotLine)
            self.coords.plot(list(range(len(ys))), ys, pen=pen, symbol="o", symbolSize=4,
                             symbolPen=None, symbolBrush=pen.color())
        self.coords.setXRange(-0.2, len(names) - 0.8)
        self.coords.setYRange(-0.05, 1.05)
        self._headers = ["trial", "state", *[p.name for p in space], metric]
        self._rows = [[o.number, o.state, *[o.params.get(p.name) for p in space], o.value]
                      for o in outcomes]
        counts = {s: sum(o.state == s for o in outcomes) for s in ("complete", "pruned", "failed")}
        self.note.setText(f"{len(outcomes)} trials: {counts['complete']} complete, "
                          f"{counts['pruned']} pruned, {counts['failed']} failed. Each line is "
                          f"a trial; axes run from the low to the high end of each range.")

    def show_importance(self, importance: dict[str, float]) -> None:
        self.bars.clear()
        if not importance:
            self.bars.getPlotItem().setTitle("parameter importance (after 3 completed trials)")
            return
        names = list(importance)
        heights = np.array([importance[n] for n in names])
        self.bars.addItem(pg.BarGraphItem(x0=0, y=np.arange(len(names)), height=0.6,
                                          width=heights, brush="#4c72b0"))
        self.bars.getAxis("left").setTicks([list(enumerate(names))])
        self.bars.getPlotItem().setTitle("parameter importance (share of the variation)")
        self.bars.setXRange(0, 1)

    def apply_theme(self, dark: bool) -> None:
        style_plot(self.coords, dark)
        style_plot(self.bars, dark)

    def table(self) -> tuple[list[str], list[list]]:
        return self._headers, self._rows
