"""Shared pieces of the live plot views: colours, theme following, the export bar.

Every view is a `PlotPanel`: a titled QWidget with a small bar offering "PNG…" and "CSV…".
Subclasses implement `table()` (the plotted data as a header and rows) and
`apply_theme(dark)`; the panel follows the application palette (light or dark) by itself.
A double-click on any of the panel's plots calls `reset_view()` (by default: every view box
follows its data again), so a stray drag or zoom never loses a plot.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPalette
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.plots import export

pg.setConfigOptions(antialias=False, useOpenGL=False)

# Okabe-Ito: distinguishable with the common colour-vision deficiencies.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#999999"]


def colour(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def is_dark(widget: QWidget) -> bool:
    return widget.palette().color(QPalette.ColorRole.Window).lightness() < 128


def theme_colours(dark: bool) -> tuple[str, str]:
    """(background, foreground) for plots in the given theme."""
    return ("#1e2227", "#d0d4da") if dark else ("#ffffff", "#303030")


def style_plot(plot: pg.PlotWidget | pg.PlotItem, dark: bool) -> None:
    """Recolour a plot's background, axes and title for the theme."""
    bg, fg = theme_colours(dark)
    item = plot.getPlotItem() if isinstance(plot, pg.PlotWidget) else plot
    if isinstance(plot, pg.PlotWidget):
        plot.setBackground(bg)
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        axis.setPen(pg.mkPen(fg))
        axis.setTextPen(pg.mkPen(fg))
        # no "(x0.001)" re-layout of the label each time the range moves (it showed in
        # profiles of a training run); the tick labels carry the scale
        axis.enableAutoSIPrefix(False)
        # an axis grows to its widest tick labels and never shrinks back: a narrower label
        # ("0.5" after "0.25") would re-lay out every plot of the view and redraw all axes
        axis.setStyle(autoReduceTextSpace=False)
    if item.titleLabel is not None:
        item.titleLabel.setAttr("color", fg)
        item.titleLabel.setText(item.titleLabel.text, color=fg)


def reserve_tick_width(axis: pg.AxisItem, *samples: str) -> None:
    """Room beside a vertical axis for tick labels as wide as the widest sample from the start.

    An axis grows to its widest label; each time it grows, its whole view is laid out again
    and every axis of every plot in it rebuilds its picture (tens of ms at a run's first
    points). Reserving the usual width up front keeps that for unusual labels only.
    """
    font = axis.style.get("tickFont") or axis.font()
    metrics = QFontMetricsF(font)
    width = math.ceil(max((metrics.horizontalAdvance(s) for s in samples), default=0.0))
    if width > axis.textWidth:
        axis.textWidth = width
        axis.setStyle(autoExpandTextSpace=True)  # lays the axis out for the new width


def heat_lut(n: int = 256) -> np.ndarray:
    """A perceptually ordered lookup table (viridis), (n, 4) uint8."""
    return pg.colormap.get("viridis").getLookupTable(0.0, 1.0, n, alpha=True)


def diverging_lut(n: int = 256) -> np.ndarray:
    return pg.colormap.get("CET-D1").getLookupTable(0.0, 1.0, n, alpha=True)


class ElidedLabel(QLabel):
    """One line of text that ends in "…" when the space is short (the whole text in the
    tooltip), so a narrow panel never grows a tall wrapped status."""

    def __init__(self, text: str = "", parent: QWidget | None = None):
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:  # noqa: N802  (Qt API name)
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight,
                                             self.contentsRect().width())
        painter.drawText(self.contentsRect(), int(self.alignment()), text)
        painter.end()


class PlotPanel(QWidget):
    """A titled plot view with PNG/CSV export; subclasses fill `self.body`."""

    export_name = "plot"

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        self.bar = bar = QHBoxLayout()
        self.title_label = QLabel(f"<b>{title}</b>")
        self.status_label = ElidedLabel("")
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignLeft |
                                       Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(self.title_label)
        bar.addWidget(self.status_label, 1)
        for text, slot in (("PNG…", self.ask_png), ("CSV…", self.ask_csv)):
            button = QToolButton(text=text, autoRaise=True)
            button.setToolTip(f"Save this view as {text[:-1]}")
            button.clicked.connect(slot)
            bar.addWidget(button)
        layout.addLayout(bar)
        self.body = QVBoxLayout()
        self.body.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.body, 1)
        self._watched: set[int] = set()

    # -- view reset -----------------------------------------------------------------------------
    def watch_double_clicks(self) -> None:
        """Connect every plot scene of the panel to `reset_view` on a double-click."""
        for view in self.findChildren(pg.GraphicsView):
            scene = view.scene()
            if scene is not None and id(scene) not in self._watched:
                self._watched.add(id(scene))
                scene.sigMouseClicked.connect(self._on_scene_click)
                view.setToolTip("Drag to pan, wheel to zoom; double-click to see everything "
                                "again.")

    def _on_scene_click(self, event) -> None:
        if event.double() and event.button() == Qt.MouseButton.LeftButton:
            self.reset_view()
            event.accept()

    def view_boxes(self) -> list[pg.ViewBox]:
        boxes = []
        for view in self.findChildren(pg.GraphicsView):
            boxes.extend(i for i in view.scene().items() if isinstance(i, pg.ViewBox))
        return boxes

    def reset_view(self) -> None:
        """Show all the data again (after a pan or zoom), following new data from now on."""
        for box in self.view_boxes():
            box.enableAutoRange(enable=True)

    # -- theme ----------------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:  # noqa: N802  (Qt API name)
        # a theme switch sends each widget several of these: a shown view restyles once, a
        # hidden one when it is next shown (restyling every view of the window, shown or
        # not, made switching theme take seconds)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange) \
                and self.isVisible():
            dark = is_dark(self)
            if dark != getattr(self, "_styled_dark", None):
                self._restyle(dark)
        super().changeEvent(event)

    def _restyle(self, dark: bool) -> None:
        self._styled_dark = dark
        self.apply_theme(dark)

    def showEvent(self, event) -> None:  # noqa: N802  (Qt API name)
        self._restyle(is_dark(self))
        self.watch_double_clicks()
        super().showEvent(event)

    def apply_theme(self, dark: bool) -> None:
        """Recolour for the theme; subclasses restyle their plots."""

    # -- data and export ------------------------------------------------------------------------
    def table(self) -> tuple[list[str], list[list]]:
        """The plotted data: a header and rows (what CSV export writes)."""
        return [], []

    def clear(self) -> None:
        """Forget everything plotted."""

    def ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save view as PNG",
                                              f"{self.export_name}.png", "PNG image (*.png)")
        if path:
            self.save_png(path)

    def ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save plotted data as CSV",
                                              f"{self.export_name}.csv", "CSV (*.csv)")
        if path:
            self.save_csv(path)

    def save_png(self, path: str) -> bool:
        return export.save_png(self, path)

    def save_csv(self, path: str) -> int:
        header, rows = self.table()
        return export.save_csv(path, header, rows)

    def set_status(self, text: str, warn: bool = False) -> None:
        colour_ = "#D55E00" if warn else ""
        self.status_label.setStyleSheet(f"color: {colour_};" if colour_ else "")
        self.status_label.setText(text)


def qcolor(hex_: str, alpha: int = 255) -> QColor:
    c = QColor(hex_)
    c.setAlpha(alpha)
    return c
