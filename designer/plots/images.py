"""Pictures of samples for the generative views: any sample array as images, tiled.

`as_images(batch)` turns (N, C, H, W), (N, H, W) or (N, F) samples into (N, H, W) grey or
(N, H, W, 3) colour images (F values become a square when F is a square number, else a
strip). `tile(images, cols, low, high)` lays them out in one RGBA array with one-pixel
transparent gaps, grey levels scaled from `low..high` (the same scale for every tile, so a
faint reconstruction looks faint); `ImagePane` paints such an array scaled to its size.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

GAP = 1


def as_images(batch: np.ndarray) -> np.ndarray:
    a = np.asarray(batch, dtype=np.float32)
    if a.ndim == 4:
        return np.moveaxis(a[:, :3], 1, -1) if a.shape[1] == 3 else a[:, 0]
    if a.ndim == 3:
        return a
    if a.ndim == 2:
        side = math.isqrt(a.shape[1])
        if side * side == a.shape[1]:
            return a.reshape(len(a), side, side)
        return a[:, None, :]
    return a.reshape(len(a), 1, -1)


def tile(images: np.ndarray, cols: int, low: float, high: float) -> np.ndarray:
    """(rows·(H+gap), cols·(W+gap), 4) uint8 of the images in rows of `cols`."""
    n = len(images)
    cols = max(1, min(cols, n))
    rows = max(1, math.ceil(n / cols))
    h, w = images.shape[1], images.shape[2]
    scaled = np.clip((images - low) / (high - low if high > low else 1.0), 0.0, 1.0)
    grey = (scaled * 255).astype(np.uint8)
    out = np.zeros((rows * (h + GAP) - GAP, cols * (w + GAP) - GAP, 4), dtype=np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        cell = out[r * (h + GAP):r * (h + GAP) + h, c * (w + GAP):c * (w + GAP) + w]
        cell[..., :3] = grey[i][..., None] if grey.ndim == 3 else grey[i]
        cell[..., 3] = 255
    return out


def value_range(*arrays: np.ndarray | None) -> tuple[float, float]:
    """The low and high of the real values among `arrays` (for one shared grey scale)."""
    finite = [np.asarray(a)[np.isfinite(a)] for a in arrays if a is not None and np.size(a)]
    finite = [f for f in finite if f.size]
    if not finite:
        return 0.0, 1.0
    return (float(min(f.min() for f in finite)), float(max(f.max() for f in finite)))


class ImagePane(QWidget):
    """Paints an RGBA array scaled to fit the widget, crisp (nearest neighbour), centred."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(60, 30)
        self.rgba: np.ndarray | None = None
        self._image: QImage | None = None

    def set_rgba(self, rgba: np.ndarray | None) -> None:
        self.rgba = None if rgba is None else np.ascontiguousarray(rgba)
        if self.rgba is None:
            self._image = None
        else:
            h, w = self.rgba.shape[:2]
            self._image = QImage(self.rgba.data, w, h, 4 * w,
                                 QImage.Format.Format_RGBA8888).copy()
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        if self._image is None:
            return
        w, h = self._image.width(), self._image.height()
        scale = min(self.width() / w, self.height() / h)
        target = QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2,
                        w * scale, h * scale)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(target, self._image)
        painter.end()
