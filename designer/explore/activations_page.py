"""Activation functions side by side, with their derivatives and what they do to gradients.

Tick activations to compare them: f on the left plot, f′ on the right, saturation shaded for
the one selected. LeakyReLU's and ELU's α are editable. The table multiplies each one's
largest derivative over n layers: sigmoid's 0.25 to the tenth power is why deep sigmoid
stacks stop learning (vanishing gradients). Opened from an activation layer it selects that
layer's function and parameters.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.teaching.activations import ACTIVATIONS, curve
from designer.explore.activation_plot import ActivationPlot
from designer.explore.page import ExplorePage
from designer.explore.widgets import check_style, label
from designer.plots.base import style_plot
from designer.theme import SPACE

KINDS = ("Step", "Sigmoid", "Hardsigmoid", "Tanh", "ReLU", "ReLU6", "LeakyReLU", "PReLU",
         "ELU", "Softplus", "GELU", "SiLU", "Hardswish", "Mish", "Linear")
COLOURS = {"Step": "#999999", "Sigmoid": "#E69F00", "Tanh": "#009E73", "ReLU": "#0072B2",
           "LeakyReLU": "#56B4E9", "ELU": "#CC79A7", "GELU": "#D55E00", "SiLU": "#8C6D3F",
           "Linear": "#999999", "Hardsigmoid": "#B07A00", "ReLU6": "#004D80",
           "PReLU": "#2F9FD8", "Softplus": "#3A8C6E", "Hardswish": "#5E4A8C", "Mish": "#A6461A"}
LESSON = ("Each activation bends the weighted sum of a neuron. Its derivative decides how "
          "much gradient flows back through it: where the derivative is near zero (shaded: "
          "saturated) the layers below stop learning. Tick functions to compare them.")


def _swatch(colour: str, dashed: bool) -> QIcon:
    pix = QPixmap(14, 14)
    pix.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pix)
    painter.setPen(QPen(QColor(colour), 3, Qt.PenStyle.DashLine if dashed
                        else Qt.PenStyle.SolidLine))
    painter.drawLine(1, 7, 13, 7)
    painter.end()
    return QIcon(pix)


class ActivationsPage(ExplorePage):
    key = "activations"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Activation functions and their derivatives", LESSON, parent)
        self.curves: dict[str, tuple] = {}
        self._build()
        for kind in ("Sigmoid", "Tanh", "ReLU"):
            self.item(kind).setCheckState(Qt.CheckState.Checked)
        self.list.setCurrentRow(KINDS.index("Sigmoid"))
        self.redraw()

    def _build(self) -> None:
        row = QHBoxLayout()
        row.setSpacing(SPACE * 2)
        row.addLayout(self._build_list())
        row.addLayout(self._build_plots(), 1)
        self.body.addLayout(row)
        self.detail = ActivationPlot("Sigmoid", height=150)
        self.detail.plot_widget.setFixedHeight(170)
        self.detail_title = label("SELECTED", "section")
        detail = QVBoxLayout()
        detail.addWidget(self.detail_title)
        detail.addWidget(self.detail)
        detail.addStretch(1)
        lower = QHBoxLayout()
        lower.setSpacing(SPACE * 3)
        lower.addLayout(detail, 1)
        depth = QVBoxLayout()
        self._build_depth(depth)
        lower.addLayout(depth, 1)
        self.body.addLayout(lower)
        self.list.itemChanged.connect(self.redraw)
        self.list.currentItemChanged.connect(self._on_current)

    def _build_list(self) -> QVBoxLayout:
        """The activations to tick, and the α of LeakyReLU and ELU."""
        self.list = QListWidget()
        self.list.setFixedWidth(170)
        for kind in KINDS:
            item = QListWidgetItem(kind)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setIcon(_swatch(COLOURS[kind], kind == "Linear"))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self.slope, self.alpha = QDoubleSpinBox(), QDoubleSpinBox()
        for spin, value, hi in ((self.slope, 0.01, 10.0), (self.alpha, 1.0, 100.0)):
            spin.setRange(0.0, hi)
            spin.setDecimals(3)
            spin.setSingleStep(0.05)
            spin.setValue(value)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self.redraw)
        side = QVBoxLayout()
        side.addWidget(self.list, 1)
        for text, spin in (("LeakyReLU α", self.slope), ("ELU α", self.alpha)):
            side.addWidget(label(text, "caption", wrap=False))
            side.addWidget(spin)
        return side

    def _build_plots(self) -> QHBoxLayout:
        self.f_plot, self.df_plot = pg.PlotWidget(title="f(x)"), pg.PlotWidget(title="f′(x)")
        plots = QHBoxLayout()
        for p in (self.f_plot, self.df_plot):
            p.setMinimumHeight(250)
            p.getPlotItem().setMenuEnabled(False)
            plots.addWidget(p)
        return plots

    def _build_depth(self, box: QVBoxLayout) -> None:
        self.depth = QSpinBox()
        self.depth.setRange(1, 100)
        self.depth.setValue(10)
        self.depth.setKeyboardTracking(False)
        self.depth.valueChanged.connect(self._fill_depth)
        top = QHBoxLayout()
        top.addWidget(label("THROUGH A STACK OF", "section", wrap=False))
        top.addWidget(self.depth)
        top.addWidget(label("LAYERS", "section", wrap=False))
        top.addStretch(1)
        box.addLayout(top)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["activation", "largest f′",
                                              "gradient factor, at most"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        box.addWidget(self.table)
        box.addWidget(label("Weights multiply in too, so a good initialisation (Xavier "
                                  "for tanh/sigmoid, He for ReLU) keeps the product near 1; "
                                  "the activation's factor is what no weight can undo.",
                                  "caption"))
        box.addStretch(1)

    # -- state ----------------------------------------------------------------------------------
    def item(self, kind: str) -> QListWidgetItem:
        return self.list.item(KINDS.index(kind))

    def params(self) -> dict:
        return {"negative_slope": self.slope.value(), "alpha": self.alpha.value()}

    def checked(self) -> list[str]:
        return [k for k in KINDS if self.item(k).checkState() == Qt.CheckState.Checked]

    def current(self) -> str:
        item = self.list.currentItem()
        return "Sigmoid" if item is None else item.data(Qt.ItemDataRole.UserRole)

    def focus_node(self, editor, node_id: str) -> None:
        node = editor.doc.nodes.get(node_id)
        if node is None:
            return
        kind = node.type if node.type in KINDS else None
        params = {**editor.analysis.params.get(node_id, {}), **node.params}
        self.slope.setValue(float(params.get("negative_slope", self.slope.value())))
        self.alpha.setValue(float(params.get("alpha", self.alpha.value())))
        if kind is not None:
            self.item(kind).setCheckState(Qt.CheckState.Checked)
            self.list.setCurrentRow(KINDS.index(kind))
        elif node.type in ACTIVATIONS:  # Softmax / LogSoftmax: shown in the detail plot
            self.detail.set_kind(node.type, params)

    def _on_current(self, *_args) -> None:
        self.detail.set_kind(self.current(), self.params())
        self.detail_title.setText(f"SELECTED: {self.current().upper()}")

    # -- drawing --------------------------------------------------------------------------------
    def redraw(self, *_args) -> None:
        for p in (self.f_plot, self.df_plot):
            p.getPlotItem().clear()
            p.getPlotItem().addItem(pg.InfiniteLine(0, angle=0, pen=pg.mkPen("#999999")))
        for kind in self.checked():
            colour = COLOURS[kind]
            x, y, dy = curve(kind, self.params(), -6, 6, 481)
            style = Qt.PenStyle.DashLine if kind == "Linear" else Qt.PenStyle.SolidLine
            pen = pg.mkPen(colour, width=2, style=style)
            self.f_plot.plot(x, y, pen=pen, name=kind)
            self.df_plot.plot(x, dy, pen=pen, name=kind)
        self.f_plot.setYRange(-1.5, 3.0)
        self.df_plot.setYRange(-0.2, 1.3)
        self._on_current()
        self._fill_depth()

    def _fill_depth(self, *_args) -> None:
        kinds = self.checked() or [self.current()]
        n = self.depth.value()
        self.table.setRowCount(len(kinds))
        for row, kind in enumerate(kinds):
            _, _, dy = curve(kind, self.params(), -20, 20, 8001)
            peak = float(np.abs(dy).max())
            cells = (kind, f"{peak:.3g}", f"{peak ** n:.3g}")
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.setFixedHeight(32 + 30 * len(kinds))

    def apply_theme(self, dark: bool) -> None:
        for p in (self.f_plot, self.df_plot):
            style_plot(p, dark)
        self.list.setStyleSheet(check_style())
