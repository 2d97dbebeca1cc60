"""An activation function and its derivative, drawn small: the inspector's plot and the page's.

`ActivationPlot` draws f (solid) and f' (dashed) on x ∈ [−5, 5], shades where the unit
saturates (its output within 2 % of a limit), and lists both formulas and the one-sentence
lesson. `for_node(editor, node_id)` is the inspector's section for activation layers: it
follows the node's parameters (LeakyReLU's α, ELU's α) as they are edited, and a link opens
the Activations page.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from backend.teaching.activations import ACTIVATIONS, curve, saturated_inputs
from designer.explore.widgets import formula_label, label
from designer.plots.base import is_dark, style_plot, theme_colours

F_COLOUR, DF_COLOUR = "#0072B2", "#E69F00"
DARK_F = "#56B4E9"


def _spans(mask: np.ndarray, x: np.ndarray) -> list[tuple[float, float]]:
    """Runs of True in `mask` as (x from, x to)."""
    spans, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        if not m and start is not None:
            spans.append((x[start], x[i - 1]))
            start = None
    if start is not None:
        spans.append((x[start], x[-1]))
    return spans


class ActivationPlot(QWidget):
    """f and f' of one activation type, with saturation shaded and the formulas below."""

    def __init__(self, kind: str, params: dict | None = None, height: int = 170,
                 formulas: bool = True, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind, self.params = kind, dict(params or {})
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.plot_widget = pg.PlotWidget()
        self.plot_widget.setMinimumHeight(height)
        self.plot_widget.setMenuEnabled(False)
        self.plot = self.plot_widget.getPlotItem()
        self.plot.showGrid(x=False, y=False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.f_curve = self.plot.plot([], [])
        self.df_curve = self.plot.plot([], [])
        self.zero = pg.InfiniteLine(0, angle=0, pen=pg.mkPen("#999999", width=1))
        self.plot.addItem(self.zero)
        self.regions: list[pg.LinearRegionItem] = []
        layout.addWidget(self.plot_widget)
        self.key = QLabel()
        self.key.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.key)
        self.formulas = formula_label() if formulas else None
        self.note = label("", "caption") if formulas else None
        for w in (self.formulas, self.note):
            if w is not None:
                layout.addWidget(w)
        self.set_kind(kind, self.params)

    def set_kind(self, kind: str, params: dict | None = None) -> None:
        self.kind, self.params = kind, dict(params or {})
        act = ACTIVATIONS[kind]
        x, y, dy = curve(kind, self.params)
        self.data = (x, y, dy)
        self.f_curve.setData(x, y)
        self.df_curve.setData(x, dy)
        for region in self.regions:
            self.plot.removeItem(region)
        self.regions = []
        for lo, hi in _spans(saturated_inputs(kind, x, self.params), x):
            region = pg.LinearRegionItem((lo, hi), movable=False, pen=pg.mkPen(None),
                                         brush=pg.mkBrush(213, 94, 0, 28))
            region.setZValue(-10)
            self.plot.addItem(region)
            self.regions.append(region)
        lo, hi = float(min(y.min(), dy.min())), float(max(y.max(), dy.max()))
        pad = 0.08 * max(hi - lo, 1.0)
        self.plot.setRange(xRange=(x[0], x[-1]), yRange=(lo - pad, hi + pad), padding=0)
        if self.formulas is not None:
            self.formulas.setText(f"{act.formula}\n{act.derivative}")
            self.note.setText(act.note)
        self.apply_theme(is_dark(self))

    def apply_theme(self, dark: bool) -> None:
        style_plot(self.plot_widget, dark)
        f = DARK_F if dark else F_COLOUR
        self.f_curve.setPen(pg.mkPen(f, width=2))
        self.df_curve.setPen(pg.mkPen(DF_COLOUR, width=2, style=Qt.PenStyle.DashLine))
        fg = theme_colours(dark)[1]
        shaded = " · <span style='color:#D55E00'>▮</span> saturated" if self.regions else ""
        self.key.setText(f"<span style='color:{f}'>━</span> f(x) &nbsp; "
                         f"<span style='color:{DF_COLOUR}'>╍</span> f′(x)"
                         f"<span style='color:{fg}'>{shaded}</span>")

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802  (Qt API)
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_theme(is_dark(self))
        super().changeEvent(event)
