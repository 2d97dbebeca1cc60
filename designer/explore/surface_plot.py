"""A 2-D loss surface drawn for the optimiser race: shaded levels, contour lines, minima.

`SurfacePlot(plot_item)` paints a `Surface` into a pyqtgraph PlotItem (a grey-scale image of
log(1 + f − min f) with contour lines on top, the minima as stars, the start as a ring) and
keeps one path item per optimiser. `show_paths(paths, upto)` draws every trajectory up to step
`upto`, with a dot at its head — the animation frame.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from backend.teaching.surfaces import SURFACES, Surface

LEVELS = 14
COLOURS = {"sgd": "#D55E00", "sgd_momentum": "#0072B2", "nesterov": "#56B4E9",
           "adagrad": "#009E73", "adadelta": "#999999", "rmsprop": "#CC79A7",
           "adam": "#E69F00", "adamw": "#E69F00", "nadam": "#8C6D3F"}
DASHED = {"adamw", "nesterov"}


def pen(key: str, width: float = 2.0) -> pg.QtGui.QPen:
    style = Qt.PenStyle.DashLine if key in DASHED else Qt.PenStyle.SolidLine
    return pg.mkPen(COLOURS[key], width=width, style=style)


def _crossings(z: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Where `level` crosses the four edges of every grid cell (marching squares):
    points (4, rows−1, cols−1, 2) in (column, row) index units, and which edges cross."""
    a, b, c, d = z[:-1, :-1], z[:-1, 1:], z[1:, 1:], z[1:, :-1]
    i, j = np.meshgrid(np.arange(z.shape[0] - 1), np.arange(z.shape[1] - 1), indexing="ij")
    with np.errstate(divide="ignore", invalid="ignore"):
        edges = ((a, b, j + (level - a) / (b - a), i + 0.0),
                 (b, c, j + 1.0, i + (level - b) / (c - b)),
                 (d, c, j + (level - d) / (c - d), i + 1.0),
                 (a, d, j + 0.0, i + (level - a) / (d - a)))
        mask = np.stack([(p - level) * (q - level) < 0 for p, q, _, _ in edges])
        pts = np.stack([np.stack([np.broadcast_to(x, a.shape), np.broadcast_to(y, a.shape)],
                                 -1) for _, _, x, y in edges])
    return pts, mask


def contour_segments(z: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                     levels: int) -> tuple[np.ndarray, np.ndarray]:
    """Contour lines of z (rows = ys, columns = xs) at evenly spaced levels, as segment end
    points in pairs (draw with connect='pairs'), computed with numpy in one pass per level."""
    starts, ends = [], []
    for level in np.linspace(float(z.min()), float(z.max()), levels + 2)[1:-1]:
        pts, mask = _crossings(z, float(level))
        count = mask.sum(0)
        two = count == 2
        first = np.argmax(mask, 0)
        second = 3 - np.argmax(mask[::-1], 0)
        rows, cols = np.nonzero(two)
        starts.append(pts[first[two], rows, cols])
        ends.append(pts[second[two], rows, cols])
        rows, cols = np.nonzero(count == 4)  # a saddle cell: pair the edges in order
        starts += [pts[0, rows, cols], pts[2, rows, cols]]
        ends += [pts[1, rows, cols], pts[3, rows, cols]]
    start, end = np.concatenate(starts), np.concatenate(ends)
    seg = np.empty((2 * len(start), 2))
    seg[0::2], seg[1::2] = start, end
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    return xs[0] + seg[:, 0] * dx, ys[0] + seg[:, 1] * dy


@lru_cache(maxsize=16)
def surface_picture(key: str, n: int = 180):
    """(xs, ys, shade, contour xs, contour ys) of a surface: computed once per surface."""
    xs, ys, f = SURFACES[key].grid(n)
    shade = np.log1p(f - f.min())
    cx, cy = contour_segments(shade, xs, ys, LEVELS)
    return xs, ys, shade, cx, cy


class SurfacePlot:
    def __init__(self, plot: pg.PlotItem):
        self.plot = plot
        plot.setMenuEnabled(False)
        plot.hideButtons()
        plot.setAspectLocked(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(-20)
        plot.addItem(self.image)
        self.contours = pg.PlotCurveItem(connect="pairs")  # every level, as segments
        self.contours.setZValue(-5)
        plot.addItem(self.contours)
        self.marks = pg.ScatterPlotItem(size=14, symbol="star", brush=pg.mkBrush("#ffffff"),
                                        pen=pg.mkPen("#000000"))
        self.start = pg.ScatterPlotItem(size=12, symbol="o", brush=pg.mkBrush(None),
                                        pen=pg.mkPen("#000000", width=2))
        for item in (self.marks, self.start):
            item.setZValue(10)
            plot.addItem(item)
        self.paths: dict[str, pg.PlotCurveItem] = {}
        self.heads = pg.ScatterPlotItem(size=9, pen=pg.mkPen("#000000"))  # one item, 9 dots
        self.heads.setZValue(6)
        plot.addItem(self.heads)
        for item in (self.image, self.contours):  # static while the paths animate
            item.setCacheMode(item.CacheMode.DeviceCoordinateCache)
        self.dark = False

    def set_surface(self, surface: Surface, dark: bool) -> None:
        self.dark = dark
        xs, ys, shade, cx, cy = surface_picture(surface.key)
        self.image.setImage(shade, autoLevels=False, levels=(0, float(shade.max()) or 1.0))
        lut = pg.colormap.get("CET-L1").getLookupTable(0.0, 1.0, 256)
        self.image.setLookupTable(lut[::-1][:110] if not dark else lut[10:120])
        x0, x1, y0, y1 = surface.window
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.contours.setData(cx, cy, pen=pg.mkPen("#5a5a5a" if not dark else "#b8b8b8"))
        self.marks.setData([m[0] for m in surface.minima], [m[1] for m in surface.minima])
        self.plot.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)

    def set_start(self, x: float, y: float) -> None:
        self.start.setData([x], [y])

    def show_paths(self, paths: dict[str, np.ndarray], upto: int) -> None:
        for key in list(self.paths):
            if key not in paths:
                self.plot.removeItem(self.paths.pop(key))
        heads, brushes = [], []
        for key, pts in paths.items():
            if key not in self.paths:
                self.paths[key] = pg.PlotCurveItem(pen=pen(key))
                self.paths[key].setZValue(5)
                self.plot.addItem(self.paths[key])
            shown = pts[:max(1, min(upto, len(pts) - 1) + 1)]
            self.paths[key].setData(shown[:, 0], shown[:, 1])
            heads.append(shown[-1])
            brushes.append(pg.mkBrush(COLOURS[key]))
        points = np.array(heads).reshape(-1, 2)
        self.heads.setData(points[:, 0], points[:, 1], brush=brushes)
