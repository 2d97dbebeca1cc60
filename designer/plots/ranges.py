"""Plot ranges that move only when they must, so a live plot repaints cheaply.

pyqtgraph redraws an axis (ticks, labels) whenever its range changes; with auto-range on,
a growing curve changes the range at every refresh and the axes were most of the paint time
while training. `StickyRange` keeps a plot's range until the data leave it (or fill only a
small part of it), then jumps to a rounded range with some headroom; x can be pinned to a
known extent (0 .. the run's epochs), and stays there when auto-range comes back (a
double-click, the compared runs changing) while a run draws. A log axis shows half decades
around the data. A pan or zoom by the user takes the plot over; a double-click (auto-range)
gives it back.
"""

from __future__ import annotations

import math

import pyqtgraph as pg

HEADROOM = 0.08  # of the span, above and below the data
SHRINK = 0.25  # a range this much larger than the data span is refitted


def nice_range(lo: float, hi: float) -> tuple[float, float]:
    """[lo, hi] widened by the headroom and rounded to a step of the span's decade."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return 0.0, 1.0
    span = hi - lo
    if span <= 0:
        span = abs(hi) * 0.1 or 1.0
    lo, hi = lo - span * HEADROOM, hi + span * HEADROOM
    step = 10 ** math.floor(math.log10(hi - lo)) / 2
    return math.floor(lo / step) * step, math.ceil(hi / step) * step


def decade_range(lo: float, hi: float) -> tuple[float, float]:
    """A log10 range from half a decade below to half a decade above the data, in half
    decades (a constant learning rate of 0.001 shows 0.0005 .. 0.002)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return -4.0, 0.0
    return math.floor(lo * 2 - 1) / 2, math.ceil(hi * 2 + 1) / 2


class StickyRange:
    """Manages one plot's view range (see the module docstring)."""

    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        self.managed = True
        self.x_extent: tuple[float, float] | None = None
        plot.vb.sigRangeChangedManually.connect(self._taken_over)

    def _taken_over(self, *_args) -> None:
        self.managed = False

    def pin_x(self, lo: float, hi: float) -> None:
        self.x_extent = (lo, hi)
        self.managed = True
        self.plot.vb.disableAutoRange()
        self.plot.vb.setXRange(lo, hi, padding=0.02)

    def fit(self) -> None:
        """Bring the range to the data if they left it; otherwise leave it (no repaint)."""
        vb = self.plot.vb
        if any(vb.autoRangeEnabled()):  # a double-click (or new overlays) asked for everything
            self.managed = True
            vb.disableAutoRange()
            self._repin_x()
        if not self.managed:
            return
        bounds = self._bounds()
        if bounds is None:
            return
        (x0, x1), (y0, y1) = vb.viewRange()
        lo, hi = bounds
        span = max(hi - lo, 1e-12)
        if self.plot.getAxis("left").logMode:  # log10 units: whole decades around the data
            target = decade_range(lo, hi)
            if (y0, y1) != target:
                vb.setYRange(*target, padding=0)
        elif lo < y0 or hi > y1 or (y1 - y0) * SHRINK > span * (1 + 2 * HEADROOM):
            vb.setYRange(*nice_range(lo, hi), padding=0)
        xb = self._bounds(axis=0)
        if self.x_extent is None:
            if xb is not None and (xb[0] < x0 or xb[1] > x1):
                vb.setXRange(*nice_range(*xb), padding=0)
        elif xb is not None and xb[1] > x1:  # a compared run that trained longer
            vb.setXRange(self.x_extent[0], xb[1], padding=0.02)

    def _repin_x(self) -> None:
        """Back to the pinned x extent (wider if the data are): auto-range fitted x to the
        points so far, and the axis would otherwise move with every new point of the run."""
        if self.x_extent is None:
            return
        xb = self._bounds(axis=0)
        hi = max(self.x_extent[1], xb[1]) if xb is not None else self.x_extent[1]
        self.plot.vb.setXRange(self.x_extent[0], hi, padding=0.02)

    def _bounds(self, axis: int = 1) -> tuple[float, float] | None:
        lows, highs = [], []
        for item in self.plot.listDataItems():
            if not item.isVisible():
                continue
            try:
                lo, hi = item.dataBounds(axis)
            except (TypeError, ValueError):
                continue
            if lo is not None and hi is not None and math.isfinite(lo) and math.isfinite(hi):
                lows.append(lo)
                highs.append(hi)
        return (min(lows), max(highs)) if lows else None
