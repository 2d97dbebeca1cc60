"""Softmax and cross-entropy in numbers: logits → probabilities → loss in nats and bits.

Type the logits (the course's [1.0, 2.2, −0.5] to start) and pick the true class: a table shows
e^(z − max), their sum and each probability (4 decimals, so the slide's 0.220 / 0.730 / 0.049
read as the first three), a bar chart marks the true class, and the loss is written out as
−ln p = … nats = … bits. A temperature divides the logits. The multi-label mode uses one
sigmoid per class with binary cross-entropy instead. After a run, "Use the probe sample"
shows the output node's numbers for the run's probe sample (`set_probe`).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.teaching.softmax import sigmoid_numbers, softmax_numbers
from designer.explore.page import ExplorePage
from designer.explore.widgets import NumberGrid, formula_label, label
from designer.plots.base import style_plot
from designer.theme import SPACE

EXAMPLE = [1.0, 2.2, -0.5]
LESSON = ("A classifier's last layer outputs one number per class, the logits. Softmax turns "
          "them into probabilities: exponentiate, then divide by the sum. Cross-entropy is "
          "−log of the probability given to the true class: in nats with the natural log "
          "(what torch reports), in bits with log₂ — the bits needed to code the true class "
          "with the model's probabilities.")
MODES = (("softmax", "Softmax + cross-entropy"),
         ("multilabel", "Sigmoid per class + BCE (multi-label)"))


class SoftmaxPage(ExplorePage):
    key = "softmax"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Softmax and cross-entropy", LESSON, parent)
        self.probe = None
        self.showing_probe = False  # the numbers on the page are the run's (refresh them)
        self._build()
        self.set_logits(EXAMPLE, target=1)

    def _build(self) -> None:
        self._build_settings()
        self.logits = NumberGrid(editable=True, cell=58)
        self.targets = NumberGrid(editable=True, cell=58)
        grids = QVBoxLayout()
        for title, grid in (("LOGITS z (type to change)", self.logits),
                            ("TARGETS (0 or 1 per class)", self.targets)):
            grids.addWidget(label(title, "section", wrap=False))
            grids.addWidget(grid)
        self.targets_title = grids.itemAt(2).widget()
        self.source = label("", "caption")
        grids.addWidget(self.source)
        self.body.addLayout(grids)
        self._build_results()
        for grid in (self.logits, self.targets):
            grid.edited.connect(self._on_typed)
            grid.refused.connect(self.show_error)
        self.mode.currentIndexChanged.connect(self.recompute)
        self.classes.valueChanged.connect(self._resize)
        self.target.currentIndexChanged.connect(self.recompute)
        self.temperature.valueChanged.connect(self.recompute)
        self.example_button.clicked.connect(self.load_example)
        self.probe_button.clicked.connect(self.use_probe)

    def _build_settings(self) -> None:
        """Mode, number of classes, true class, temperature, and the two buttons."""
        self.mode = QComboBox()
        for key, text in MODES:
            self.mode.addItem(text, key)
        self.classes = QSpinBox()
        self.classes.setRange(1, 20)
        self.classes.setKeyboardTracking(False)
        self.target = QComboBox()
        self.temperature = QDoubleSpinBox()
        self.temperature.setRange(0.05, 20.0)
        self.temperature.setSingleStep(0.1)
        self.temperature.setValue(1.0)
        self.temperature.setKeyboardTracking(False)
        self.example_button = QPushButton("Course example")
        self.probe_button = QPushButton("Use the probe sample")
        self.probe_button.setEnabled(False)
        self.probe_button.setToolTip("Train the design: then the output layer's logits for the "
                                     "run's probe sample appear here")
        top = QHBoxLayout()
        for text, w in (("", self.mode), ("classes", self.classes), ("true class", self.target),
                        ("temperature", self.temperature)):
            if text:
                top.addWidget(label(text, wrap=False))
            top.addWidget(w)
        top.addStretch(1)
        self.body.addLayout(top)
        buttons = QHBoxLayout()
        buttons.addWidget(self.example_button)
        buttons.addWidget(self.probe_button)
        buttons.addStretch(1)
        self.body.addLayout(buttons)

    def _build_results(self) -> None:
        self.table = QTableWidget(0, 5)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumWidth(480)
        self.bars = pg.PlotWidget(title="probabilities")
        self.bars.setMinimumHeight(240)
        self.bars.getPlotItem().setMenuEnabled(False)
        self.bars.setMouseEnabled(x=False, y=False)
        self.bars.setFixedHeight(300)
        self.loss = formula_label()
        left = QVBoxLayout()
        left.addWidget(self.table)
        left.addWidget(label("THE LOSS FOR THE TRUE CLASS", "section"))
        left.addWidget(self.loss)
        left.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(SPACE * 2)
        row.addLayout(left, 3)
        row.addWidget(self.bars, 2, Qt.AlignmentFlag.AlignTop)
        self.body.addLayout(row)
        self.body.addStretch(1)

    # -- input ----------------------------------------------------------------------------------
    def load_example(self) -> None:
        self.showing_probe = False
        self.mode.setCurrentIndex(0)
        self.temperature.setValue(1.0)
        self.set_logits(EXAMPLE, target=1)

    def set_logits(self, logits, target: int | None = None, targets=None,
                   source: str = "") -> None:
        z = np.asarray(logits, dtype=float).ravel()
        self.classes.blockSignals(True)
        self.classes.setValue(len(z))
        self.classes.blockSignals(False)
        self.logits.set_values(z[None, :])
        t = np.zeros(len(z)) if targets is None else np.asarray(targets, float).ravel()
        if targets is None and target is not None:
            t[target] = 1.0
        self.targets.set_values(t[None, :])
        self._fill_targets(target or 0)
        self.source.setText(source)
        self.source.setVisible(bool(source))
        self.recompute()

    def _on_typed(self) -> None:
        self.showing_probe = False  # the user's own numbers now: the run must not replace them
        self.recompute()

    def _fill_targets(self, current: int) -> None:
        self.target.blockSignals(True)
        self.target.clear()
        for k in range(self.classes.value()):
            self.target.addItem(f"class {k}", k)
        self.target.setCurrentIndex(min(current, self.target.count() - 1))
        self.target.blockSignals(False)

    def _resize(self, k: int) -> None:
        old = self.logits.values().ravel()
        new = np.zeros(k)
        new[:min(k, len(old))] = old[:k]
        t = np.zeros(k)
        t[:min(k, len(old))] = self.targets.values().ravel()[:k]
        self.logits.set_values(new[None, :])
        self.targets.set_values(t[None, :])
        self._fill_targets(self.target.currentIndex())
        self.recompute()

    def use_probe(self) -> None:
        p = self.probe
        if p is None:
            return
        self.showing_probe = True
        multilabel = p.kind == "multilabel"
        self.mode.setCurrentIndex(1 if multilabel else 0)
        self.temperature.setValue(1.0)
        self.set_logits(p.logits, target=None if multilabel else p.target,
                        targets=p.targets if multilabel else None,
                        source=f"{p.node_label}, probe sample after epoch {p.epoch}"
                               f"{' (' + p.class_name + ')' if p.class_name else ''}.")

    def set_probe(self, probe) -> None:
        """The run's numbers for the probe sample (see backend.training.teaching_probes)."""
        self.probe = probe
        self.probe_button.setEnabled(probe is not None)
        if probe is None:
            self.showing_probe = False
        elif self.showing_probe:
            self.use_probe()

    def run_data_changed(self, data) -> None:
        if data.outputs is not self.probe:
            self.set_probe(data.outputs)

    def focus_node(self, editor, node_id: str) -> None:
        """Opened from a layer: show the run's numbers for the probe sample if there are."""
        if self.probe is not None:
            self.use_probe()

    # -- output ---------------------------------------------------------------------------------
    def recompute(self, *_args) -> None:
        multilabel = self.mode.currentData() == "multilabel"
        for w in (self.targets, self.targets_title):
            w.setVisible(multilabel)
        self.target.setEnabled(not multilabel)
        self.temperature.setEnabled(not multilabel)
        z = self.logits.values().ravel()
        try:
            if multilabel:
                self._show_multilabel(sigmoid_numbers(z, self.targets.values().ravel()))
            else:
                self._show_softmax(softmax_numbers(z / self.temperature.value(),
                                                   self.target.currentIndex()))
        except ValueError as exc:
            self.show_error(f"{exc}.")
            return
        self.show_error("")

    def _rows(self, header: list[str], rows: list[list[str]]) -> None:
        self.table.setColumnCount(len(header))
        self.table.setHorizontalHeaderLabels(header)
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.table.setFixedHeight(34 + 30 * len(rows))

    def _show_softmax(self, n) -> None:
        t = self.temperature.value()
        zt = "z / T" if t != 1 else "z"
        rows = [[f"class {k}{'  ← true' if k == n.target else ''}", f"{n.logits[k]:.4g}",
                 f"{n.logits[k] - n.shift:.4g}", f"{n.exps[k]:.4f}", f"{n.probs[k]:.4f}"]
                for k in range(len(n.logits))]
        rows.append(["sum", "", "", f"{n.total:.4f}", f"{n.probs.sum():.4f}"])
        self._rows(["class", zt, f"{zt} − max", f"e^({zt} − max)", "probability"], rows)
        self._bars(n.probs, n.target)
        p = n.probs[n.target]
        k = len(n.logits)
        self.loss.setText(
            f"loss = −ln p[{n.target}] = −ln {p:.4f} = {n.loss_nats:.4f} nats\n"
            f"     = −log₂ {p:.4f} = {n.loss_bits:.4f} bits   (nats ÷ ln 2)\n"
            f"a uniform guess over {k} classes: ln {k} = {math.log(k):.4f} nats = "
            f"log₂ {k} = {math.log2(k):.4f} bits\n"
            f"predicted class: {n.predicted} "
            f"({'right' if n.predicted == n.target else 'wrong'})")

    def _show_multilabel(self, n) -> None:
        rows = [[f"class {k}", f"{n.logits[k]:.4g}", f"{n.probs[k]:.4f}",
                 f"{int(n.targets[k])}", f"{n.losses_nats[k]:.4f}"]
                for k in range(len(n.logits))]
        self._rows(["class", "z", "σ(z)", "target", "BCE (nats)"], rows)
        self._bars(n.probs, None, n.targets)
        self.loss.setText(
            f"BCE per class = −[t·ln σ(z) + (1 − t)·ln(1 − σ(z))]; classes are independent,\n"
            f"so probabilities need not sum to 1 (here {n.probs.sum():.4f}).\n"
            f"loss = mean over classes = {n.loss_nats:.4f} nats = {n.loss_bits:.4f} bits")

    def _bars(self, probs: np.ndarray, target: int | None, targets=None) -> None:
        plot = self.bars.getPlotItem()
        plot.clear()
        truth = (np.arange(len(probs)) == target) if targets is None else targets > 0.5
        brushes = [pg.mkBrush("#009E73" if t else "#0072B2") for t in truth]
        plot.addItem(pg.BarGraphItem(x=np.arange(len(probs)), height=probs, width=0.7,
                                     brushes=brushes))
        plot.setYRange(0, 1.05, padding=0)
        plot.setXRange(-0.6, len(probs) - 0.4, padding=0)
        plot.getAxis("bottom").setTicks([[(i, str(i)) for i in range(len(probs))]])
        plot.setLabel("bottom", "class (green: true)")

    def apply_theme(self, dark: bool) -> None:
        style_plot(self.bars, dark)
