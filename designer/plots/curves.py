"""Live training curves: loss, accuracy (or another metric) and learning rate, plus overlays.

X is the epoch (fractional for per-step points) so runs with different batch sizes overlay
correctly. Every series lives in a `SeriesBuffer`, a preallocated numpy buffer that grows by
doubling; appending never reallocates per point, and the curve gets `setData` on views of the
buffers, with auto-downsampling and clip-to-view so long runs stay cheap to draw.

The live series' legend sits under the plots, never over the data. Other runs are drawn as
overlays of their epoch curves (validation dashed, training dotted) in
colours the live run never uses, so a compared run is never mistaken for the live one. Their
legend is a strip of text under the plots, wrapping as needed, so it always fits and never
covers data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from designer.plots.base import (
    PlotPanel,
    colour,
    reserve_tick_width,
    style_plot,
    theme_colours,
)


class SeriesBuffer:
    """x/y float64 buffers grown by doubling; `x`/`y` are views of the filled part."""

    def __init__(self, capacity: int = 256):
        self._x = np.empty(capacity)
        self._y = np.empty(capacity)
        self.n = 0

    def extend(self, xs, ys) -> None:
        xs = np.asarray(xs, dtype=float).ravel()
        ys = np.asarray(ys, dtype=float).ravel()
        need = self.n + len(xs)
        if need > len(self._x):
            size = max(need, 2 * len(self._x))
            self._x = np.resize(self._x, size)
            self._y = np.resize(self._y, size)
        self._x[self.n:need] = xs
        self._y[self.n:need] = ys
        self.n = need

    @property
    def x(self) -> np.ndarray:
        return self._x[:self.n]

    @property
    def y(self) -> np.ndarray:
        return self._y[:self.n]

    def clear(self) -> None:
        self.n = 0


@dataclass(frozen=True)
class SeriesStyle:
    plot: str  # "loss" | "metric" | "lr"
    label: str
    colour: int
    width: float = 2.0
    symbol: str | None = None
    faint: bool = False


# key -> how it is drawn; keys are what the worker's metrics use.
SERIES = {
    "train_loss_step": SeriesStyle("loss", "train (step)", 0, 1.0, faint=True),
    "train_loss": SeriesStyle("loss", "train (epoch)", 0, 2.0, "o"),
    "val_loss": SeriesStyle("loss", "validation", 3, 2.0, "s"),
    "train_metric_step": SeriesStyle("metric", "train (step)", 0, 1.0, faint=True),
    "train_metric": SeriesStyle("metric", "train (epoch)", 0, 2.0, "o"),
    "val_metric": SeriesStyle("metric", "validation", 3, 2.0, "s"),
    "lr": SeriesStyle("lr", "learning rate", 2, 2.0),
}
TICK_SAMPLE = "0.0005"  # the widest usual tick label of the value axes
OVERLAY_KEYS = ("train_loss", "val_loss", "train_metric", "val_metric", "lr")
LIVE_COLOURS = {style.colour for style in SERIES.values()}
# Okabe-Ito colours the live series (blue, vermillion, green) do not use, the most unlike them
# first: reddish purple, grey, orange, sky blue, yellow.
OVERLAY_COLOURS = tuple(i for i in (4, 7, 1, 5, 6) if i not in LIVE_COLOURS)


def overlay_colour(i: int) -> int:
    """The palette index of the i-th compared run (after the last colour they repeat, wider)."""
    return OVERLAY_COLOURS[i % len(OVERLAY_COLOURS)]


@dataclass
class Overlay:
    """Another run's curves to draw dashed beside the live one."""

    label: str
    colour: int
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    width: float = 1.5


class LogAxis(pg.AxisItem):
    """A log axis that labels only 1, 2 and 5 times a power of ten (pyqtgraph labels every
    minor tick, and they print over each other)."""

    def logTickStrings(self, values, scale, spacing):  # noqa: N802  (pyqtgraph API)
        labels = []
        for v in values:
            mantissa = 10 ** (v - math.floor(v + 1e-9))
            keep = any(abs(mantissa - k) < 1e-6 * k for k in (1, 2, 5))
            labels.append(_short_number(10 ** v) if keep else "")
        return labels


def _short_number(x: float) -> str:
    """0.001, 0.02, 5e-4, 2e-6: at most six characters."""
    if 1e-3 <= abs(x) < 1e4:
        return f"{x:g}"
    mantissa, exponent = f"{x:.0e}".split("e")
    return f"{mantissa}e{int(exponent)}"


class TrainingCurves(PlotPanel):
    """Loss | metric | learning rate, per step and per epoch, with run overlays."""

    export_name = "training-curves"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Curves", parent)
        self.view = pg.GraphicsLayoutWidget()
        self.body.addWidget(self.view)
        self.overlay_legend = QLabel()
        self.overlay_legend.setWordWrap(True)
        self.overlay_legend.setTextFormat(Qt.TextFormat.RichText)
        self.overlay_legend.setVisible(False)
        self.body.addWidget(self.overlay_legend)
        self.plots = {
            "loss": self.view.addPlot(row=0, col=0, title="loss"),
            "metric": self.view.addPlot(row=0, col=1, title="accuracy"),
            "lr": self.view.addPlot(row=0, col=2, title="learning rate",
                                    axisItems={"left": LogAxis("left")}),
        }
        self.legends = {}
        for plot in self.plots.values():
            plot.setLabel("bottom", "epoch")
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            # the usual labels (0.925, 0.0005) fit from the start: the run's first points
            # never make the axes wider, which would lay out and redraw all three plots
            reserve_tick_width(plot.getAxis("left"), TICK_SAMPLE)
        # one legend under all the plots, never over the data: the loss and the metric plots
        # draw their series alike (the learning rate plot's title says what it shows)
        legend = pg.LegendItem(labelTextSize="8pt", colCount=2, frame=False)
        self.view.addItem(legend, row=1, col=0, colspan=len(self.plots))
        self.legends["loss"] = legend
        for col, stretch in enumerate((3, 3, 2)):  # the learning rate needs the least room
            self.view.ci.layout.setColumnStretchFactor(col, stretch)
        self.plots["lr"].setLogMode(y=True)  # schedules span decades; a constant rate shows
        self.plots["lr"].getAxis("left").enableAutoSIPrefix(False)
        self.buffers = {key: SeriesBuffer() for key in SERIES}
        self.items = {key: self._make_item(key) for key in SERIES}
        self._overlay_items: list[tuple[str, pg.PlotDataItem]] = []
        self._overlays: list[Overlay] = []
        self._dirty: set[str] = set()
        self._log_loss = False

    def _make_item(self, key: str) -> pg.PlotDataItem:
        style = SERIES[key]
        c = pg.mkColor(colour(style.colour))
        if style.faint:  # lighter but opaque: translucent lines are slow to rasterise
            c = c.lighter(150)
        pen = pg.mkPen(c, width=style.width)
        item = pg.PlotDataItem(pen=pen, symbol=style.symbol, symbolSize=5,
                               symbolBrush=colour(style.colour), symbolPen=None,
                               name=None if style.faint else style.label)
        item.setDownsampling(auto=True, method="peak")
        item.setClipToView(True)
        self.plots[style.plot].addItem(item)
        if item.name() and style.plot in self.legends:
            self.legends[style.plot].addItem(item, item.name())
        return item

    # -- feeding --------------------------------------------------------------------------------
    def append(self, key: str, xs, ys) -> None:
        """Add points to a series; drawing happens in `refresh()` (once per batch of events)."""
        if key not in self.buffers:
            return
        self.buffers[key].extend(xs, ys)
        self._dirty.add(key)

    def refresh(self, plot: str | None = None) -> None:
        """Push new points to the curves of one plot ("loss", "metric", "lr") or of all."""
        for key in [k for k in self._dirty if plot is None or SERIES[k].plot == plot]:
            buf = self.buffers[key]
            self.items[key].setData(buf.x, buf.y)
            self._dirty.discard(key)

    def dirty_plots(self) -> list[str]:
        """The plots with points not drawn yet, in the order they are laid out."""
        return [p for p in self.plots if any(SERIES[k].plot == p for k in self._dirty)]

    def set_metric_name(self, name: str) -> None:
        self.plots["metric"].setTitle(name)

    def set_log_loss(self, on: bool) -> None:
        self._log_loss = on
        self.plots["loss"].setLogMode(y=on)

    def clear(self) -> None:
        for key, buf in self.buffers.items():
            buf.clear()
            self.items[key].setData([], [])
        self._dirty.clear()

    def curves(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Copies of every non-empty series (what a run keeps)."""
        return {k: (b.x.copy(), b.y.copy()) for k, b in self.buffers.items() if b.n}

    def point_count(self, key: str) -> int:
        return self.buffers[key].n

    # -- overlays -------------------------------------------------------------------------------
    def set_overlays(self, overlays: list[Overlay]) -> None:
        """Draw these runs' epoch curves (validation dashed, training dotted), replacing the
        previous overlays; their legend goes in the strip under the plots."""
        if not overlays and not self._overlays:  # nothing to remove or fit (a run starts)
            return
        for plot_key, item in self._overlay_items:
            self.plots[plot_key].removeItem(item)
        self._overlay_items = []
        self._overlays = list(overlays)
        for ov in overlays:
            for key in OVERLAY_KEYS:
                if key in ov.curves:
                    self._add_overlay(ov, key)
        for plot in self.plots.values():
            plot.enableAutoRange()  # fit what is drawn now
        self._show_overlay_legend()

    def _add_overlay(self, ov: Overlay, key: str) -> None:
        style = SERIES[key]
        dash = Qt.PenStyle.DotLine if key.startswith("train") else Qt.PenStyle.DashLine
        pen = pg.mkPen(colour(ov.colour), width=ov.width, style=dash)
        xs, ys = ov.curves[key]
        symbol = "t" if key.startswith("val") else None  # single epochs stay visible
        item = pg.PlotDataItem(pen=pen, symbol=symbol, symbolSize=6, symbolPen=None,
                               symbolBrush=colour(ov.colour))  # no name: not in plot legends
        item.setDownsampling(auto=True, method="peak")
        item.setClipToView(True)
        self.plots[style.plot].addItem(item)  # add first: clip-to-view needs its view box
        item.setData(np.asarray(xs, dtype=float), np.asarray(ys, dtype=float))
        self._overlay_items.append((style.plot, item))

    def _show_overlay_legend(self) -> None:
        if not self._overlays:
            self.overlay_legend.setVisible(False)
            return
        entries = [f'<span style="color:{colour(ov.colour)}"><b>- - -</b></span>&nbsp;'
                   f'{_html(ov.label)}' for ov in self._overlays]
        self.overlay_legend.setText(
            "&nbsp;&nbsp; ".join(entries) + '&nbsp;&nbsp; <span style="color:gray">'
            "(compared runs: validation dashed, training dotted)</span>")
        self.overlay_legend.setVisible(True)

    def set_live_visible(self, on: bool) -> None:
        """Show or hide the live run's series (hidden while finished runs are compared)."""
        for item in self.items.values():
            item.setVisible(on)
        for legend in self.legends.values():  # their legend names only the live series
            legend.setVisible(on)

    def overlay_labels(self) -> list[str]:
        return [ov.label for ov in self._overlays]

    # -- theme and export -----------------------------------------------------------------------
    def apply_theme(self, dark: bool) -> None:
        bg, fg = theme_colours(dark)
        self.view.setBackground(bg)
        for plot in self.plots.values():
            style_plot(plot, dark)
        for legend in self.legends.values():
            legend.setLabelTextColor(fg)

    def table(self) -> tuple[list[str], list[list]]:
        rows: list[list] = []
        for key, buf in self.buffers.items():
            pairs = zip(buf.x, buf.y, strict=True)
            rows.extend(["current", key, float(x), float(y)] for x, y in pairs)
        for ov in self._overlays:
            for key, (xs, ys) in ov.curves.items():
                pairs = zip(xs, ys, strict=True)
                rows.extend([ov.label, key, float(x), float(y)] for x, y in pairs)
        return ["run", "series", "epoch", "value"], rows


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
