"""Gradient flow: per-layer mean and max |grad| as bars, their history, and warnings in words.

The course's gradient monitoring: a layer whose mean |grad| is a tiny fraction of the
strongest layer's is starving (vanishing gradients, typical of deep sigmoid/tanh stacks); a
layer whose |grad| is huge will blow the weights up (exploding gradients). `gradient_heat`
turns one probe into a value per node in [0, 1] on the canvas's scale (0 vanishing, 0.5
healthy, 1 exploding); the bars, the history image and the canvas nodes share that colour.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from designer.plots.base import (
    ElidedLabel,
    PlotPanel,
    reserve_tick_width,
    style_plot,
    theme_colours,
)

VANISH_RELATIVE = 1e-4  # mean |grad| below this fraction of the strongest layer's: vanishing
VANISH_ABSOLUTE = 1e-8  # or below this at all
ROW_LABEL_PX = 12.0  # a layer label needs this much height (8 pt text)
EXPLODE_ABSOLUTE = 1e2  # max |grad| above this: exploding
DECADES = 4.0  # relative decades between healthy (0.5) and the vanishing threshold (0.25)
HEAT_STOPS = ((0.0, "#0072B2"), (0.5, "#b9c2cc"), (1.0, "#D55E00"))

Stats = dict[str, tuple[float, float]]  # node id -> (mean |grad|, max |grad|)


def _log(v: float) -> float:
    """log10 of a magnitude; NaN and infinity count as huge (they are exploding)."""
    v = float(v)
    if not math.isfinite(v):
        return 6.0
    return math.log10(max(v, 1e-30))


def gradient_heat(stats: Stats) -> dict[str, float]:
    """node id -> heat in [0, 1]: < 0.25 vanishing, around 0.5 healthy, > 0.75 exploding."""
    finite = [m for m, _ in stats.values() if math.isfinite(m) and m > 0]
    ref = _log(max(finite)) if finite else 0.0
    heat = {}
    for nid, (mean, peak) in stats.items():
        if not math.isfinite(mean) or not math.isfinite(peak) or peak > EXPLODE_ABSOLUTE:
            over = _log(peak) - _log(EXPLODE_ABSOLUTE) if math.isfinite(peak) else 3.0
            heat[nid] = min(1.0, 0.8 + 0.2 * over / 3.0)
        elif mean < VANISH_ABSOLUTE:
            heat[nid] = 0.1
        else:
            rel = (_log(mean) - ref) / DECADES  # 0 for the strongest layer, -1 at threshold
            heat[nid] = max(0.0, 0.5 + 0.25 * rel)
    return heat


def gradient_warnings(stats: Stats, titles: dict[str, str]) -> list[str]:
    """Sentences naming the layers with vanishing or exploding gradients, with the fix."""
    heat = gradient_heat(stats)
    vanishing = [titles.get(n, n) for n, h in heat.items() if h < 0.25]
    exploding = [titles.get(n, n) for n, h in heat.items() if h > 0.75]
    out = []
    if vanishing:
        out.append(f"Vanishing gradients in {_names(vanishing)}: their |grad| is under "
                   f"{VANISH_RELATIVE:g} of the strongest layer's — try ReLU instead of "
                   "sigmoid/tanh, batch normalisation, He initialisation or skip connections.")
    if exploding:
        out.append(f"Exploding gradients in {_names(exploding)}: max |grad| over "
                   f"{EXPLODE_ABSOLUTE:g} — lower the learning rate or turn on gradient "
                   "clipping.")
    return out


def _names(names: list[str]) -> str:
    shown = ", ".join(f"'{n}'" for n in names[:4])
    return shown + (f" and {len(names) - 4} more" if len(names) > 4 else "")


def heat_qcolor(value: float) -> QColor:
    """The heat colour (same stops as the canvas): blue -> grey -> vermillion."""
    v = min(1.0, max(0.0, float(value)))
    for (p0, c0), (p1, c1) in zip(HEAT_STOPS, HEAT_STOPS[1:], strict=False):
        if v <= p1:
            t = (v - p0) / (p1 - p0)
            a, b = QColor(c0), QColor(c1)
            return QColor(round(a.red() + (b.red() - a.red()) * t),
                          round(a.green() + (b.green() - a.green()) * t),
                          round(a.blue() + (b.blue() - a.blue()) * t))
    return QColor(HEAT_STOPS[-1][1])


def heat_lut(n: int = 256) -> np.ndarray:
    cols = [heat_qcolor(i / (n - 1)) for i in range(n)]
    return np.array([[c.red(), c.green(), c.blue(), 255] for c in cols], dtype=np.uint8)


NO_ROWS = [[], []]  # the left axes' ticks before any layer's gradient arrives


class HeatLegend(QWidget):
    """A small colour bar: vanishing · healthy · exploding (also explains the canvas colours)."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QLabel()
        stops = ", ".join(f"stop:{p} {c}" for p, c in HEAT_STOPS)
        bar.setStyleSheet(f"background: qlineargradient(x1:0, y1:0, x2:1, y2:0, {stops});")
        bar.setFixedSize(80, 10)
        layout.addWidget(QLabel("vanishing"))
        layout.addWidget(bar)
        layout.addWidget(QLabel("exploding"))
        self.setToolTip("Node and bar colour: mean |grad| relative to the strongest layer; "
                        "blue = vanishing, grey = healthy, vermillion = exploding.")


class HeatHistory:
    """layers × probes heat values, grown by doubling along time."""

    def __init__(self):
        self.data = np.zeros((0, 64), dtype=np.float32)
        self.x = np.zeros(64)
        self.n = 0

    def add(self, x: float, values: list[float]) -> None:
        rows = len(values)
        if rows != self.data.shape[0]:  # layers changed: start over
            self.data = np.zeros((rows, 64), dtype=np.float32)
            self.n = 0
        if self.n == self.data.shape[1]:
            self.data = np.concatenate([self.data, np.zeros_like(self.data)], axis=1)
            self.x = np.concatenate([self.x, np.zeros_like(self.x)])
        self.data[:, self.n] = values
        self.x[self.n] = x
        self.n += 1

    def view(self) -> np.ndarray:
        return self.data[:, :self.n]


def short_name(name: str, limit: int = 16) -> str:
    """A layer title that fits an axis, keeping its most specific end: the last parts of a
    module path ('encoder.block14.conv2' -> '…block14.conv2'); one long part loses its middle."""
    if len(name) <= limit:
        return name
    parts = name.split(".")
    tail = parts[-1]
    for part in reversed(parts[:-1]):
        room = limit - len(tail) - 2  # the dot and the "…"
        if len(part) > room:
            tail = f"{part[-room:]}.{tail}" if room >= 3 else tail  # the end of a part counts
            break
        tail = f"{part}.{tail}"
    if len(tail) + 1 <= limit:
        return "…" + tail
    keep = limit - 1
    return tail[:keep - keep // 2] + "…" + tail[-(keep // 2):]


def _same_range(current, wanted) -> bool:
    return all(abs(a - b) <= 1e-9 * max(1.0, abs(b)) for a, b in zip(current, wanted, strict=True))


def label_stride(rows: int, height_px: float, min_px: float = ROW_LABEL_PX) -> int:
    """Every how many rows a label fits without overprinting its neighbours."""
    if rows <= 0 or height_px <= 0:
        return 1
    return max(1, math.ceil(rows * min_px / height_px))


class GradientFlowView(PlotPanel):
    """Per layer, one row: a bar of log10 mean |grad| (max marked) beside its heat history.

    Layers are rows, labelled once on the left in model order (first layer on top), so 20 or
    more layers stay readable: a long title is shortened, and when rows get thinner than a
    line of text only every k-th row is labelled (all are in the tooltip and the CSV).
    """

    export_name = "gradient-flow"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Gradient flow", parent)
        self.legend = HeatLegend()
        self.bar.insertWidget(self.bar.count() - 2, self.legend)  # beside PNG… and CSV…
        self.warning_label = ElidedLabel("")  # one line; the whole advice in its tooltip
        self.warning_label.setStyleSheet("color: #D55E00;")
        self.warning_label.hide()
        self.body.addWidget(self.warning_label)
        self.view = pg.GraphicsLayoutWidget()
        self.body.addWidget(self.view, 1)
        self.bars_plot = self.view.addPlot(row=0, col=0, title="log₁₀ |grad|: mean ▬ max |")
        self.hist_plot = self.view.addPlot(row=0, col=1, title="history")
        self.hist_plot.setLabel("bottom", "epoch")
        self.hist_plot.setYLink(self.bars_plot)
        self.hist_plot.getAxis("left").setStyle(showValues=False)
        small = QFont()
        small.setPointSizeF(8.0)
        self.bars_plot.getAxis("left").setTickFont(small)  # 20 layers fit in 250 px
        self.view.ci.layout.setColumnStretchFactor(0, 3)
        self.view.ci.layout.setColumnStretchFactor(1, 2)
        for plot in (self.bars_plot, self.hist_plot):
            plot.invertY(True)
            plot.setMouseEnabled(x=True, y=False)
            plot.getAxis("left").setTicks(NO_ROWS)  # rows are layers: no numbers without them
        self.mean_bars = pg.BarGraphItem(x0=[], y=[], width=[], height=0.6)
        self.max_marks = pg.ScatterPlotItem(symbol="|", size=14, pen=pg.mkPen("#888", width=2))
        self.bars_plot.addItem(self.mean_bars)
        self.bars_plot.addItem(self.max_marks)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(heat_lut())
        self.image.setLevels((0.0, 1.0))
        self.hist_plot.addItem(self.image)
        self.history = HeatHistory()
        self.latest: Stats = {}
        self.titles: dict[str, str] = {}
        self.heat: dict[str, float] = {}
        self.records: list[tuple[float, str, float, float]] = []
        self.warnings: list[str] = []
        self._label_key = None
        self._ticks_set = False  # row labels on the left axes
        self.extent: float | None = None  # the run's epochs: the history's x axis stays put
        self.bars_plot.vb.sigResized.connect(self._relabel)
        self.bars_plot.setXRange(-7.0, 0.5, padding=0)  # where healthy gradients draw
        self.set_extent(1.0)

    def set_extent(self, epochs: float | None) -> None:
        """Pin the history's x axis to 0 .. `epochs` now (None: follow the probes)."""
        self.extent = epochs
        if epochs and not _same_range(self.hist_plot.vb.viewRange()[0], (0.0, epochs)):
            self.hist_plot.setXRange(0.0, epochs, padding=0)

    def reserve_labels(self, titles: dict[str, str]) -> None:
        """Room for these layers' row labels before the first probe (labels wider than the
        axis would lay the view out again and redraw all its axes at the run's first draw)."""
        reserve_tick_width(self.bars_plot.getAxis("left"),
                           *(short_name(t) for t in titles.values()))

    def add_probe(self, x: float, stats: Stats, titles: dict[str, str],
                  draw: bool = True) -> None:
        """One gradient probe at epoch `x`: node id -> (mean |grad|, max |grad|).

        With draw=False only the data is kept; `redraw()` then draws once for many probes.
        """
        if not stats:
            return
        self.latest, self.titles = dict(stats), dict(titles)
        self.heat = gradient_heat(stats)
        self.records.extend((x, n, float(m), float(p)) for n, (m, p) in stats.items())
        self.history.add(x, [self.heat[n] for n in stats])
        if draw:
            self.redraw()

    def redraw(self) -> None:
        if not self.latest:
            return
        ids = list(self.latest)
        self._draw_bars(ids)
        self._draw_history(ids)
        self.warnings = gradient_warnings(self.latest, self.titles)
        self.warning_label.setText(" ".join(self.warnings))
        self.warning_label.setVisible(bool(self.warnings))
        self.set_status("warnings below" if self.warnings else "healthy",
                        warn=bool(self.warnings))

    def _draw_bars(self, ids: list[str]) -> None:
        means = np.array([_log(self.latest[n][0]) for n in ids])
        peaks = np.array([_log(self.latest[n][1]) for n in ids])
        floor = math.floor(min(means.min(), -6.0)) - 1
        rows = np.arange(len(ids))
        brushes = [heat_qcolor(self.heat[n]) for n in ids]
        self.mean_bars.setOpts(x0=floor, y=rows, width=means - floor, height=0.6,
                               brushes=brushes)
        self.max_marks.setData(peaks, rows)
        (x0, x1), (y0, y1) = self.bars_plot.vb.viewRange()
        top = math.ceil(max(peaks.max(), 0.0)) + 0.5
        if floor < x0 or top > x1 or x0 < floor - 2 or x1 > top + 2:  # moves only in steps
            self.bars_plot.setXRange(floor, top, padding=0)
        if not _same_range((y0, y1), (-0.6, len(ids) - 0.4)):  # a new range redraws the axes
            self.bars_plot.setYRange(-0.6, len(ids) - 0.4, padding=0)
        self._relabel()

    def _relabel(self, *_args) -> None:
        """Row labels on the left axis: shortened titles, every k-th row when rows are thin."""
        ids = list(self.latest)
        stride = label_stride(len(ids), self.bars_plot.vb.height())
        key = (stride, tuple(ids))
        if key == self._label_key or not ids:  # new ticks redraw both axes: only on change
            return
        self._label_key = key
        ticks = [(i, short_name(self.titles.get(n, n))) for i, n in enumerate(ids)
                 if i % stride == 0]
        self.bars_plot.getAxis("left").setTicks([ticks, []])
        self.hist_plot.getAxis("left").setTicks([ticks, []])
        self._ticks_set = True
        names = ", ".join(self.titles.get(n, n) for n in ids)
        self.view.setToolTip(f"Layers from top to bottom: {names}. Double-click to reset.")

    def _draw_history(self, ids: list[str]) -> None:
        data = self.history.view()
        self.image.setImage(data, autoLevels=False, levels=(0.0, 1.0))
        x0 = float(self.history.x[0])
        x1 = float(self.history.x[self.history.n - 1])
        width = max(x1 - x0, 1e-6)
        self.image.setRect(QRectF(x0, -0.5, width, len(ids)))
        start, end = (0.0, self.extent) if self.extent else (x0, x0 + width)
        if not _same_range(self.hist_plot.vb.viewRange()[0], (start, end)):
            self.hist_plot.setXRange(start, end, padding=0)

    def reset_view(self) -> None:
        self._label_key = None
        self.redraw()

    def clear(self) -> None:
        self.history = HeatHistory()
        self.records.clear()
        self.latest, self.heat, self.warnings = {}, {}, []
        self.warning_label.setText("")
        self.warning_label.setVisible(False)
        self.mean_bars.setOpts(x0=[], y=[], width=[], height=0.6)
        self.max_marks.setData([], [])
        self.image.clear()
        if self._ticks_set:  # new ticks redraw both axes: only when there are some to remove
            for plot in (self.bars_plot, self.hist_plot):
                plot.getAxis("left").setTicks(NO_ROWS)
            self._ticks_set = False
        self._label_key = None
        self.set_status("")

    def apply_theme(self, dark: bool) -> None:
        self.view.setBackground(theme_colours(dark)[0])
        style_plot(self.bars_plot, dark)
        style_plot(self.hist_plot, dark)

    def table(self) -> tuple[list[str], list[list]]:
        rows = [[x, n, self.titles.get(n, n), m, p] for x, n, m, p in self.records]
        return ["epoch", "node_id", "layer", "mean_abs_grad", "max_abs_grad"], rows
