"""Reconstructions beside their inputs: the same validation samples, refreshed live.

Rows: the clean inputs, the noisy inputs the network actually sees (only when the dataset
corrupts them), and the reconstructions. All rows share one grey scale (the clean inputs'
range), so a faint or blurry reconstruction looks it. `set_images(inputs, noisy, outputs)`
takes numpy arrays of the normalised data.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from designer.plots.base import PlotPanel
from designer.plots.images import ImagePane, as_images, tile, value_range

ROWS = (("inputs", "input"), ("noisy", "noisy input"), ("outputs", "reconstruction"))


class ReconstructionPlot(PlotPanel):
    export_name = "reconstructions"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Reconstructions", parent)
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        self.captions: dict[str, QLabel] = {}
        self.panes: dict[str, ImagePane] = {}
        for i, (key, text) in enumerate(ROWS):
            self.captions[key] = QLabel(text)
            self.panes[key] = ImagePane()
            grid.addWidget(self.captions[key], i, 0)
            grid.addWidget(self.panes[key], i, 1)
            grid.setRowStretch(i, 1)
        self.body.addLayout(grid)
        self.arrays: dict[str, np.ndarray | None] = {}
        self.updates = 0
        self.clear()

    def set_images(self, inputs: np.ndarray, noisy: np.ndarray | None, outputs: np.ndarray,
                   epoch: int) -> None:
        self.arrays = {"inputs": inputs, "noisy": noisy, "outputs": outputs}
        low, high = value_range(inputs)
        for key, _ in ROWS:
            array = self.arrays[key]
            shown = array is not None
            self.captions[key].setVisible(shown)
            self.panes[key].setVisible(shown)
            if shown:
                images = as_images(array)
                self.panes[key].set_rgba(tile(images, len(images), low, high))
        seen = " · the network sees noisy inputs" if noisy is not None else ""
        self.set_status(f"epoch {epoch} · {len(inputs)} validation samples{seen}")
        self.updates += 1

    def clear(self) -> None:
        self.arrays = {}
        for key, _ in ROWS:
            self.panes[key].set_rgba(None)
            self.panes[key].setVisible(key != "noisy")
            self.captions[key].setVisible(key != "noisy")
        self.set_status("reconstructions of fixed validation samples appear while training")

    def table(self) -> tuple[list[str], list[list]]:
        rows = []
        for key, array in self.arrays.items():
            if array is None:
                continue
            flat = np.asarray(array).reshape(len(array), -1)
            rows += [[key, i, j, float(v)] for i, sample in enumerate(flat)
                     for j, v in enumerate(sample)]
        return ["row", "sample", "value index", "value"], rows
