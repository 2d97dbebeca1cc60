"""Icons drawn from the SVG files in resources/icons, tinted for the current theme.

Each SVG strokes or fills with `currentColor`; `icon(name)` substitutes the theme's icon
colour (or a given one, e.g. the error colour for severity icons) and renders crisp pixmaps
at the usual sizes. Rendered icons are cached per (name, colour).
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from designer import theme

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZES = (16, 20, 24, 32, 40, 48)


def icon(name: str, color: str | None = None) -> QIcon:
    """The icon `name` tinted with `color` (default: the theme's icon colour)."""
    c = theme.colors()
    return _render(name, color or c.icon, c.muted if c.dark else "#a0a7b0")


def severity_icon(severity: str) -> QIcon:
    c = theme.colors()
    if severity == "error":
        return icon("error", c.error)
    if severity == "warning":
        return icon("warning", c.warning)
    return icon("ok", c.ok) if severity == "ok" else icon("info", c.accent)


def category_icon(category: str) -> QIcon:
    name = f"cat-{category}"
    return icon(name if (ICON_DIR / f"{name}.svg").exists() else "layer")


def image_file(name: str, color: str, size: int = 24) -> str:
    """A PNG of the icon in a cache folder, for stylesheets that need a file (url(...))."""
    user = os.getuid() if hasattr(os, "getuid") else 0
    folder = Path(tempfile.gettempdir()) / f"netwright-icons-{user}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{color.lstrip('#')}-{size}.png"
    if not path.exists():
        icon(name, color).pixmap(size, size).save(str(path))
    return path.as_posix()


def pixmap(name: str, size: int, color: str | None = None) -> QPixmap:
    return icon(name, color).pixmap(size, size)


@lru_cache(maxsize=512)
def _render(name: str, color: str, disabled: str) -> QIcon:
    path = ICON_DIR / f"{name}.svg"
    source = path.read_text(encoding="utf-8") if path.exists() else ""
    result = QIcon()
    if not source:
        return result
    for mode, tint in ((QIcon.Normal, color), (QIcon.Disabled, disabled)):
        renderer = QSvgRenderer(QByteArray(source.replace("currentColor", tint).encode()))
        for size in SIZES:
            result.addPixmap(_paint(renderer, size), mode)
    return result


def _paint(renderer: QSvgRenderer, size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(QColor(Qt.transparent))
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.Antialiasing)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return pm
