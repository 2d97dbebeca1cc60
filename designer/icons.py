"""Icons drawn from the SVG files in resources/icons, tinted for the current theme.

Each SVG strokes or fills with `currentColor`; `icon(name)` substitutes the theme's icon
colour (or a given one, e.g. the error colour for severity icons). Icons render crisp
pixmaps when Qt first asks for a size (an icon engine), not every size up front: the window
opens faster. Icons are cached per (name, colour).
"""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from designer import theme

ICON_DIR = Path(__file__).resolve().parents[1] / "resources" / "icons"
# Disabled icons lie well between the icon colour and the panel behind them, in both themes
DISABLED_LIGHT, DISABLED_DARK = "#a0a7b0", "#5c636c"


def icon(name: str, color: str | None = None) -> QIcon:
    """The icon `name` tinted with `color` (default: the theme's icon colour)."""
    c = theme.colors()
    return _render(name, color or c.icon, DISABLED_DARK if c.dark else DISABLED_LIGHT)


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


class _SvgIconEngine(QIconEngine):
    """Renders the SVG in the normal or the disabled tint at the size asked for, once."""

    def __init__(self, source: str, color: str, disabled: str):
        super().__init__()
        self.source, self.color, self.disabled = source, color, disabled
        self._pixmaps: dict[tuple[int, int, bool], QPixmap] = {}

    def pixmap(self, size, mode, state) -> QPixmap:  # noqa: N802  (Qt API)
        off = mode == QIcon.Mode.Disabled
        key = (size.width(), size.height(), off)
        if key not in self._pixmaps:
            tint = self.disabled if off else self.color
            renderer = QSvgRenderer(QByteArray(self.source.replace("currentColor",
                                                                   tint).encode()))
            self._pixmaps[key] = _paint(renderer, size.width(), size.height())
        return self._pixmaps[key]

    def paint(self, painter: QPainter, rect, mode, state) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def clone(self) -> QIconEngine:
        return _keep(_SvgIconEngine(self.source, self.color, self.disabled))


_ENGINES: list[_SvgIconEngine] = []  # their Python side must outlive the QIcons using them


def _keep(engine: _SvgIconEngine) -> _SvgIconEngine:
    _ENGINES.append(engine)
    return engine


@lru_cache(maxsize=512)
def _render(name: str, color: str, disabled: str) -> QIcon:
    path = ICON_DIR / f"{name}.svg"
    source = path.read_text(encoding="utf-8") if path.exists() else ""
    if not source:
        return QIcon()
    return QIcon(_keep(_SvgIconEngine(source, color, disabled)))


def _paint(renderer: QSvgRenderer, width: int, height: int | None = None) -> QPixmap:
    height = width if height is None else height
    pm = QPixmap(max(1, width), max(1, height))
    pm.fill(QColor(Qt.transparent))
    painter = QPainter(pm)
    painter.setRenderHint(QPainter.Antialiasing)
    side = min(width, height)  # square icons, centred
    renderer.render(painter, QRectF((width - side) / 2, (height - side) / 2, side, side))
    painter.end()
    return pm
