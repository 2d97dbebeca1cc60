"""Mean ± spread bands of seed groups, drawn on the Training curves.

`SeedBands(curves).show(groups)` draws, per selected group, its mean validation curve (as a
compared-run overlay, so it is named in the legend strip under the plots) and a translucent
band from mean − std to mean + std on the loss and metric plots. `clear()` removes them.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from backend.experiments.groups import SeedGroup, group_band
from designer.plots.base import colour
from designer.plots.curves import Overlay, overlay_colour

KEYS = {"val_metric": "metric", "val_loss": "loss", "train_loss": "loss"}


class SeedBands:
    def __init__(self, curves) -> None:
        self.curves = curves
        self.items: list[tuple[str, pg.GraphicsObject]] = []

    def clear(self) -> None:
        for plot_key, item in self.items:
            self.curves.plots[plot_key].removeItem(item)
        self.items = []

    def show(self, groups: list[SeedGroup], labels: dict[str, str]) -> None:
        self.clear()
        overlays = []
        for i, group in enumerate(groups):
            index = overlay_colour(i)
            means = {}
            for key, plot_key in KEYS.items():
                band = group_band(group, key)
                if not band.epochs:
                    continue
                means[key] = (band.epochs, band.mean)
                if key.startswith("val"):
                    self._band(plot_key, band, index)
            text = f"{group.name} mean ± std of {len(group.runs)} seeds"
            label = labels.get(group.id, "")
            overlays.append(Overlay(f"{text} · {label}" if label else text, index, means, 2.0))
        self.curves.set_overlays(overlays)

    def _band(self, plot_key: str, band, index: int) -> None:
        xs = np.asarray(band.epochs, dtype=float)
        fill = pg.mkColor(colour(index))
        fill.setAlpha(60)
        edge = pg.mkPen(fill, width=1)  # the band's edges, faint (a hidden curve fills nothing)
        low = pg.PlotCurveItem(xs, np.asarray(band.low, dtype=float), pen=edge)
        high = pg.PlotCurveItem(xs, np.asarray(band.high, dtype=float), pen=edge)
        between = pg.FillBetweenItem(low, high, brush=pg.mkBrush(fill))
        plot = self.curves.plots[plot_key]
        for item in (low, high, between):
            plot.addItem(item)
            self.items.append((plot_key, item))
