"""Feature maps of the selected node: the probe sample beside a grid of channel images.

`set_maps(title, sample, maps)` takes numpy arrays: the probe sample (C, H, W), (H, W) or
(F,), and the node's activation for it, (C, H, W) for conv/pool nodes or (F,) / (T, F) for
dense and sequence nodes. Each channel is normalised on its own and tiled into one mosaic
drawn by a single ImageItem (one texture upload per refresh, however many channels).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from designer.plots.base import PlotPanel, heat_lut, theme_colours

MAX_CHANNELS = 64
GAP = 1


def _as_channels(a: np.ndarray) -> np.ndarray:
    """Any activation as (C, H, W): 1-D becomes one row, 2-D one channel."""
    a = np.asarray(a, dtype=np.float32)
    if a.ndim == 1:
        return a.reshape(1, 1, -1)
    if a.ndim == 2:
        return a[None]
    if a.ndim > 3:
        return a.reshape(-1, *a.shape[-2:])
    return a


def _normalise(tiles: np.ndarray) -> np.ndarray:
    lo = np.nanmin(tiles, axis=(1, 2), keepdims=True)
    hi = np.nanmax(tiles, axis=(1, 2), keepdims=True)
    span = np.where(hi - lo > 1e-12, hi - lo, 1.0)
    return np.clip((tiles - lo) / span, 0.0, 1.0)


def mosaic(maps: np.ndarray, lut: np.ndarray) -> tuple[np.ndarray, int]:
    """Tile channels into one RGBA image (gaps transparent); returns (image, channels shown)."""
    tiles = _normalise(_as_channels(maps)[:MAX_CHANNELS])
    c, h, w = tiles.shape
    cols = max(1, math.ceil(math.sqrt(c * h / max(w, 1))))
    cols = min(cols, c)
    rows = math.ceil(c / cols)
    out = np.zeros((rows * (h + GAP) - GAP, cols * (w + GAP) - GAP, 4), dtype=np.uint8)
    idx = (np.nan_to_num(tiles) * (len(lut) - 1)).astype(np.intp)
    coloured = lut[idx]
    for i in range(c):
        r, k = divmod(i, cols)
        out[r * (h + GAP):r * (h + GAP) + h, k * (w + GAP):k * (w + GAP) + w] = coloured[i]
    return out, c


def sample_image(sample: np.ndarray) -> np.ndarray:
    """The probe sample as something ImageItem shows: (H, W) grey or (H, W, 3) colour."""
    s = np.asarray(sample, dtype=np.float32)
    if s.ndim == 3 and s.shape[0] in (3, 4):
        s = np.moveaxis(s[:3], 0, -1)
        lo, hi = float(s.min()), float(s.max())
        return (s - lo) / (hi - lo if hi > lo else 1.0)
    return _as_channels(s)[0]


class FeatureMapView(PlotPanel):
    """Probe sample | channel mosaic of the selected node's activation."""

    export_name = "feature-maps"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Feature maps", parent)
        self.view = pg.GraphicsLayoutWidget()
        self.body.addWidget(self.view)
        self.sample_box = self.view.addViewBox(row=0, col=0, lockAspect=True, invertY=True)
        self.maps_box = self.view.addViewBox(row=0, col=1, lockAspect=True, invertY=True)
        self.view.ci.layout.setColumnStretchFactor(0, 1)
        self.view.ci.layout.setColumnStretchFactor(1, 3)
        for box in (self.sample_box, self.maps_box):
            box.setMouseEnabled(False, False)
        self.sample_item = pg.ImageItem(axisOrder="row-major")
        self.maps_item = pg.ImageItem(axisOrder="row-major")
        self.sample_box.addItem(self.sample_item)
        self.maps_box.addItem(self.maps_item)
        self._lut = heat_lut()
        self.maps: np.ndarray | None = None
        self.sample: np.ndarray | None = None
        self.node_title = ""
        self.updates = 0
        self.set_status("select a node on the canvas to see its activations")

    def set_maps(self, title: str, sample: np.ndarray | None, maps: np.ndarray) -> None:
        """Show `maps` (the activation of node `title` for `sample`)."""
        self.node_title = title
        self.maps = np.asarray(maps)
        image, shown = mosaic(self.maps, self._lut)
        self.maps_item.setImage(image, autoLevels=False, levels=(0, 255))
        if sample is not None:
            self.sample = np.asarray(sample)
            self.sample_item.setImage(sample_image(self.sample), autoLevels=True)
        total = _as_channels(self.maps).shape[0]
        more = f" (first {shown} of {total})" if shown < total else ""
        shape = "×".join(str(d) for d in self.maps.shape)
        self.set_status(f"{title}: {shape}{more}")
        self.sample_box.autoRange(padding=0.02)
        self.maps_box.autoRange(padding=0.02)
        self.updates += 1

    def show_message(self, text: str) -> None:
        self.set_status(text)

    def clear(self) -> None:
        self.maps = self.sample = None
        self.maps_item.clear()
        self.sample_item.clear()

    def apply_theme(self, dark: bool) -> None:
        self.view.setBackground(theme_colours(dark)[0])

    def table(self) -> tuple[list[str], list[list]]:
        if self.maps is None:
            return [], []
        maps = _as_channels(self.maps)
        rows = [[self.node_title, c, y, x, float(maps[c, y, x])]
                for c in range(maps.shape[0]) for y in range(maps.shape[1])
                for x in range(maps.shape[2])]
        return ["node", "channel", "row", "column", "activation"], rows
