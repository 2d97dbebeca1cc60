"""Export the canvas as a picture: PNG (at twice screen resolution) or SVG.

The whole design is rendered (not just the visible part), in the current theme, without
selection outlines, the grid or the overlays, with a margin around it. Writes go through a
temporary file so a failed export never leaves half a file behind.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

MARGIN = 30.0
PNG_SCALE = 2.0


class ExportError(OSError):
    """The picture could not be written; the message says why and what to do."""


def _content_rect(scene) -> QRectF:
    rect = QRectF()
    for group in (scene.nodes, scene.comments):
        for item in group.values():
            rect = rect.united(item.sceneBoundingRect())
    for wire in scene.wires.values():
        rect = rect.united(wire.sceneBoundingRect())
    return rect.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)


def _render(scene, painter: QPainter, target: QRectF, source: QRectF) -> None:
    """Render without selection, grid or item caches (an SVG must hold vectors)."""
    selected = scene.selectedItems()
    cached = [i for i in scene.items() if i.cacheMode() != QGraphicsItem.CacheMode.NoCache]
    scene.blockSignals(True)  # the editor's selection stays as it is
    try:
        for item in selected:
            item.setSelected(False)
        for item in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.NoCache)
        scene.plain_background = True
        scene.render(painter, target, source)
    finally:
        scene.plain_background = False
        for item in cached:
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        for item in selected:
            item.setSelected(True)
        scene.blockSignals(False)


def export_image(scene, path: str | os.PathLike) -> Path:
    """Write the design to `path` (.png or .svg); returns the path written."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise ExportError(f"{path.name}: choose a .png or .svg file name")
    source = _content_rect(scene)
    if source.width() <= 2 * MARGIN:
        raise ExportError("the design is empty: add layers before exporting a picture")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    except OSError as exc:
        raise ExportError(f"cannot write in {path.parent}: {exc.strerror}; choose another "
                          "folder") from None
    os.close(fd)
    try:
        (_write_png if suffix == ".png" else _write_svg)(scene, source, tmp)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a normal file, not mkstemp's private 0600
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def _write_png(scene, source: QRectF, tmp: str) -> None:
    size = QSize(int(source.width() * PNG_SCALE), int(source.height() * PNG_SCALE))
    if size.width() * size.height() > 400_000_000:
        raise ExportError("the design is too large for a PNG: export it as SVG instead")
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(scene.style.background)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing
                           | QPainter.RenderHint.TextAntialiasing)
    _render(scene, painter, QRectF(0, 0, size.width(), size.height()), source)
    painter.end()
    if not image.save(tmp, "PNG"):
        raise ExportError(f"could not write {tmp}: check the folder is writable")


def _write_svg(scene, source: QRectF, tmp: str) -> None:
    from PySide6.QtSvg import QSvgGenerator

    generator = QSvgGenerator()
    generator.setFileName(tmp)
    generator.setSize(QSize(int(source.width()), int(source.height())))
    generator.setViewBox(QRectF(0, 0, source.width(), source.height()))
    generator.setTitle("Netwright design")
    painter = QPainter(generator)
    _render(scene, painter, QRectF(0, 0, source.width(), source.height()), source)
    painter.end()
