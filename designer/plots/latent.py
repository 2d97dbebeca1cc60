"""The code (latent) layer in 2-D: one point per validation sample, coloured by its class.

Codes wider than two values are shown on their first two principal components (the axis
titles give each one's share of the variance); one or two values are drawn as they are. Each
class is its own scatter item, so the legend names the classes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QWidget

from designer.plots.base import PlotPanel, style_plot, theme_colours

# Okabe-Ito plus two more distinguishable hues: ten classes (the digits) stay apart
CLASS_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
                 "#F0E442", "#999999", "#882255", "#44AA99"]


class LatentScatterPlot(PlotPanel):
    export_name = "latent-space"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Latent space", parent)
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.legend = self.plot.addLegend(offset=(-5, 5), labelTextSize="8pt")
        self.body.addWidget(self.plot)
        self.items: list[pg.ScatterPlotItem] = []
        self.points: np.ndarray | None = None
        self.labels: np.ndarray | None = None
        self.warning = ""
        self.updates = 0
        self.clear()

    def set_codes(self, points: np.ndarray, labels: np.ndarray | None, names: list[str],
                  width: int, explained: tuple[float, ...], title: str, epoch: int) -> None:
        self._remove_items()
        self.points = np.asarray(points, dtype=float)
        self.labels = None if labels is None else np.asarray(labels)
        groups = [None] if self.labels is None else sorted(set(self.labels.tolist()))
        for k in groups:
            mask = slice(None) if k is None else self.labels == k
            colour = CLASS_COLOURS[(k or 0) % len(CLASS_COLOURS)]
            name = None if k is None else (names[k] if k < len(names) else str(k))
            item = pg.ScatterPlotItem(self.points[mask, 0], self.points[mask, 1], size=6,
                                      pen=None, brush=pg.mkBrush(colour), name=name)
            self.plot.addItem(item)
            self.items.append(item)
        self._axes(width, explained)
        how = "" if width <= 2 else " (first two principal components)"
        self._status(f"epoch {epoch}: '{title}', {width} value{'s' if width > 1 else ''}"
                     f"{how}, {len(self.points)} validation samples")
        self.updates += 1

    def _axes(self, width: int, explained: tuple[float, ...]) -> None:
        if width > 2 and len(explained) == 2:
            self.plot.setLabel("bottom", f"PC 1 ({explained[0]:.0%} of the variance)")
            self.plot.setLabel("left", f"PC 2 ({explained[1]:.0%})")
        else:
            self.plot.setLabel("bottom", "code value 0")
            self.plot.setLabel("left", "code value 1" if width > 1 else "")

    def set_warning(self, text: str) -> None:
        self.warning = text
        self._status(self.status_label.text().split(" — ")[0])

    def _status(self, text: str) -> None:
        self.set_status(f"{text} — {self.warning}" if self.warning else text,
                        warn=bool(self.warning))

    def _remove_items(self) -> None:
        for item in self.items:
            self.plot.removeItem(item)
            self.legend.removeItem(item)
        self.items = []

    def clear(self) -> None:
        self._remove_items()
        self.points = self.labels = None
        self.warning = ""
        self.set_status("the code layer's values for validation samples appear after each "
                        "epoch")

    def apply_theme(self, dark: bool) -> None:
        style_plot(self.plot, dark)
        self.legend.setLabelTextColor(theme_colours(dark)[1])

    def table(self) -> tuple[list[str], list[list]]:
        if self.points is None:
            return [], []
        labels = self.labels if self.labels is not None else [""] * len(self.points)
        return (["x", "y", "class"],
                [[float(x), float(y), int(k) if k != "" else ""]
                 for (x, y), k in zip(self.points, labels, strict=True)])
