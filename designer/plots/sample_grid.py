"""A grid of images a network made: a GAN's samples from fixed noise, or a VAE's decoded
traversal of two latent dimensions. One picture, refreshed live; the caption says what the
rows and columns are, and for a GAN how diverse the samples are."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QWidget

from designer.plots.base import PlotPanel
from designer.plots.images import ImagePane, as_images, tile, value_range


class SampleGridPlot(PlotPanel):
    def __init__(self, title: str, waiting: str, export_name: str,
                 parent: QWidget | None = None):
        super().__init__(title, parent)
        self.export_name, self.waiting = export_name, waiting
        self.pane = ImagePane()
        self.body.addWidget(self.pane, 1)
        self.images: np.ndarray | None = None
        self.updates = 0
        self.warning = ""
        self.clear()

    def set_grid(self, images: np.ndarray, caption: str, epoch: int,
                 diversity: float | None = None) -> None:
        """`images`: (rows, cols, *sample shape)."""
        self.images = np.asarray(images)
        rows, cols = self.images.shape[:2]
        flat = as_images(self.images.reshape(rows * cols, *self.images.shape[2:]))
        low, high = value_range(flat)
        if 0.0 <= low and high <= 1.0:  # pixels in 0..1: black is 0, white is 1
            low, high = 0.0, 1.0
        self.pane.set_rgba(tile(flat, cols, low, high))
        spread = "" if diversity is None else f" · spread {diversity:.0%} of real"
        self._status(f"epoch {epoch} · {caption}{spread}")
        self.updates += 1

    def set_warning(self, text: str) -> None:
        self.warning = text
        self._status(self.status_label.text().split(" — ")[0])

    def _status(self, text: str) -> None:
        self.set_status(f"{text} — {self.warning}" if self.warning else text,
                        warn=bool(self.warning))

    def clear(self) -> None:
        self.images, self.warning = None, ""
        self.pane.set_rgba(None)
        self.set_status(self.waiting)

    def table(self) -> tuple[list[str], list[list]]:
        if self.images is None:
            return [], []
        rows, cols = self.images.shape[:2]
        flat = self.images.reshape(rows, cols, -1)
        return (["row", "column", "value index", "value"],
                [[r, c, j, float(v)] for r in range(rows) for c in range(cols)
                 for j, v in enumerate(flat[r, c])])
