"""A 2-D loss surface drawn for the optimiser race: shaded levels, contour lines, minima.

`SurfacePlot(plot_item)` paints a `Surface` into a pyqtgraph PlotItem (a grey-scale image of
log(1 + f − min f) with contour lines on top, the minima as stars, the start as a ring) and
keeps one path item per optimiser. `show_paths(paths, upto)` draws every trajectory up to step
`upto`, with a dot at its head — the animation frame.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from backend.teaching.surfaces import Surface

LEVELS = 14
COLOURS = {"sgd": "#D55E00", "sgd_momentum": "#0072B2", "nesterov": "#56B4E9",
           "adagrad": "#009E73", "adadelta": "#999999", "rmsprop": "#CC79A7",
           "adam": "#E69F00", "adamw": "#E69F00", "nadam": "#8C6D3F"}
DASHED = {"adamw", "nesterov"}


def pen(key: str, width: float = 2.0) -> pg.QtGui.QPen:
    style = Qt.PenStyle.DashLine if key in DASHED else Qt.PenStyle.SolidLine
    return pg.mkPen(COLOURS[key], width=width, style=style)


def contour_lines(z: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                  levels: int) -> tuple[np.ndarray, np.ndarray]:
    """Contour lines of z (rows = ys, columns = xs) at evenly spaced levels, as x and y
    arrays with NaN between separate lines (one curve item draws them all)."""
    out_x, out_y = [], []
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    for level in np.linspace(float(z.min()), float(z.max()), levels + 2)[1:-1]:
        for line in pg.functions.isocurve(z, float(level), connected=True):
            pts = np.asarray(line, dtype=float) - 0.5  # (row, column) + 0.5 -> indices
            out_x += [xs[0] + pts[:, 1] * dx, [np.nan]]
            out_y += [ys[0] + pts[:, 0] * dy, [np.nan]]
    if not out_x:
        return np.array([]), np.array([])
    return np.concatenate(out_x), np.concatenate(out_y)


class SurfacePlot:
    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-20)
        plot.addItem(self.image)
        self.contours = pg.PlotCurveItem(connect="finite")  # every level, NaN-separated
        self.contours.setZValue(-5)
        plot.addItem(self.contours)
        self.marks = pg.ScatterPlotItem(size=14, symbol="star", brush=pg.mkBrush("#ffffff"),
                                        pen=pg.mkPen("#000000"))
        self.start = pg.ScatterPlotItem(size=12, symbol="o", brush=pg.mkBrush(None),
                                        pen=pg.mkPen("#000000", width=2))
        for item in (self.marks, self.start):
            item.setZValue(10)
            plot.addItem(item)
        self.paths: dict[str, pg.PlotDataItem] = {}
        self.heads: dict[str, pg.ScatterPlotItem] = {}
        self.dark = False

    def set_surface(self, surface: Surface, dark: bool) -> None:
        self.dark = dark
        xs, ys, f = surface.grid(180)
        shade = np.log1p(f - f.min())
        self.image.setImage(shade, autoLevels=False, levels=(0, float(shade.max()) or 1.0))
        lut = pg.colormap.get("CET-L1").getLookupTable(0.0, 1.0, 256)
        self.image.setLookupTable(lut[::-1][:110] if not dark else lut[10:120])
        x0, x1, y0, y1 = surface.window
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        cx, cy = contour_lines(shade, xs, ys, LEVELS)
        self.contours.setData(cx, cy, pen=pg.mkPen("#5a5a5a" if not dark else "#b8b8b8"))
        self.marks.setData([m[0] for m in surface.minima], [m[1] for m in surface.minima])
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def set_start(self, x: float, y: float) -> None:
        self.start.setData([x], [y])

    def show_paths(self, paths: dict[str, np.ndarray], upto: int) -> None:
        for key in list(self.paths):
            if key not in paths:
                self.plot.removeItem(self.paths.pop(key))
                self.plot.removeItem(self.heads.pop(key))
        for key, pts in paths.items():
            if key not in self.paths:
                self.paths[key] = self.plot.plot([], [], pen=pen(key))
                self.heads[key] = pg.ScatterPlotItem(size=9, brush=pg.mkBrush(COLOURS[key]),
                                                     pen=pg.mkPen("#000000"))
                self.paths[key].setZValue(5)
                self.heads[key].setZValue(6)
                self.plot.addItem(self.heads[key])
            shown = pts[:max(1, min(upto, len(pts) - 1) + 1)]
            self.paths[key].setData(shown[:, 0], shown[:, 1])
            self.heads[key].setData([shown[-1, 0]], [shown[-1, 1]])
