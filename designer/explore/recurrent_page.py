"""Recurrent networks unrolled: the same cell at every step, its hidden state and its gates.

A SimpleRNN, LSTM or GRU runs over a sequence (a sine wave to start, weights as torch
initialises them); the page draws it unrolled (one copy per step, shared weights), the hidden
state h as a heat map over time (units × steps), for an LSTM the cell state C, and every
gate's activation per step (input, forget, output and the candidate; GRU: reset, update,
candidate). The forget-gate bias (LSTM) or update-gate bias (GRU) can be shifted to see memory
kept or dropped. Opened on a recurrent layer after a run, it shows that layer's learned
weights on the run's probe sequence, refreshed as training goes on (`set_probe`), and for
sequence outputs the output beside its target and the loss at every step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from backend.teaching.recurrent import STACK, random_weights, sine_sequence, unroll
from designer.explore.page import ExplorePage
from designer.explore.recurrent_view import UnrolledView
from designer.explore.widgets import formula_label, label
from designer.plots.base import diverging_lut, heat_lut, style_plot

KINDS = ("LSTM", "GRU", "SimpleRNN")
FORMULAS = {
    "SimpleRNN": "h_t = tanh(W x_t + U h_{t−1} + b)",
    "LSTM": "f = σ(W_f[h_{t−1}, x_t] + b_f)   i = σ(W_i[…] + b_i)   g = tanh(W_C[…] + b_C)\n"
            "C_t = f ∗ C_{t−1} + i ∗ g   o = σ(W_o[…] + b_o)   h_t = o ∗ tanh(C_t)",
    "GRU": "r = σ(W_r x_t + U_r h_{t−1})   z = σ(W_z x_t + U_z h_{t−1})\n"
           "n = tanh(W_n x_t + r ∗ U_n h_{t−1})   h_t = (1 − z) ∗ n + z ∗ h_{t−1}",
}
LESSON = ("A recurrent layer reads a sequence one step at a time and carries a hidden state h "
          "from step to step. Unrolled, it is one copy of the same cell per step: the same "
          "weights at every step. LSTM and GRU gates (between 0 and 1) decide what to keep "
          "and what to forget. Move the step slider to follow one step through all views.")
OUTPUTS = "output ŷ_t (solid, with dots) and target y_t (dashed) per step"


class RecurrentPage(ExplorePage):
    key = "recurrent"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Recurrent networks, unrolled", LESSON, parent)
        self.probe = None
        self.node_id = None
        self.using_probe = False
        self.result = None
        self._build_controls()
        self.view = UnrolledView()
        self.body.addWidget(self.view)
        self.formula = formula_label()
        self.body.addWidget(self.formula)
        self.step_text = formula_label()
        self.body.addWidget(self.step_text)
        self.heat = pg.GraphicsLayoutWidget()
        self.heat.setMinimumHeight(420)
        self.body.addWidget(self.heat)
        self.recompute()

    def _build_controls(self) -> None:
        self.kind = QComboBox()
        self.kind.addItems(KINDS)
        self.units, self.steps = QSpinBox(), QSpinBox()
        self.units.setRange(1, 64)
        self.units.setValue(6)
        self.steps.setRange(2, 200)
        self.steps.setValue(24)
        self.bias = QDoubleSpinBox()
        self.bias.setRange(-10.0, 10.0)
        self.bias.setSingleStep(0.5)
        self.seed_button = QPushButton("New weights")
        self.probe_button = QPushButton("Use the run's probe sequence")
        self.probe_button.setEnabled(False)
        self.probe_button.setToolTip("Train a design with a recurrent layer: its learned "
                                     "weights and the run's probe sequence appear here")
        self.bias_label = label("forget-gate bias shift", wrap=False)
        top = QHBoxLayout()
        for text, w in (("cell", self.kind), ("units", self.units), ("steps", self.steps)):
            top.addWidget(label(text, wrap=False))
            top.addWidget(w)
        top.addWidget(self.bias_label)
        top.addWidget(self.bias)
        top.addWidget(self.seed_button)
        top.addWidget(self.probe_button)
        top.addStretch(1)
        self.body.addLayout(top)
        self.seed = 0
        for w in (self.units, self.steps, self.bias):
            w.setKeyboardTracking(False)
            w.valueChanged.connect(self._standalone)
        self.kind.currentIndexChanged.connect(self._standalone)
        self.seed_button.clicked.connect(self.new_weights)
        self.probe_button.clicked.connect(self.use_probe)
        self._build_step_bar()

    def _build_step_bar(self) -> None:
        self.source = label("", "caption")
        self.body.addWidget(self.source)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.where = label("", wrap=False)
        bar = QHBoxLayout()
        bar.addWidget(label("step", wrap=False))
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.where)
        self.body.addLayout(bar)
        self.slider.valueChanged.connect(self.select_step)

    # -- data -----------------------------------------------------------------------------------
    def new_weights(self) -> None:
        self.seed += 1
        self._standalone()

    def _standalone(self, *_args) -> None:
        self.using_probe = False
        self.recompute()

    def _weights(self, kind: str, units: int) -> dict[str, np.ndarray]:
        w = random_weights(kind, 1, units, self.seed)
        shift = self.bias.value()
        if shift and kind in ("LSTM", "GRU"):
            # the 2nd block of rows: the LSTM's forget gate, the GRU's update gate
            for name in ("bias_ih_l0", "bias_hh_l0"):
                w[name][units:2 * units] += shift / 2
        return w

    def recompute(self) -> None:
        if self.using_probe and self.probe is not None:
            p = self.probe
            kind, weights, x = p.kind, p.weights, np.asarray(p.sequence, float)
        else:
            kind, units = self.kind.currentText(), self.units.value()
            weights, x = self._weights(kind, units), sine_sequence(self.steps.value())
        try:
            self.result = unroll(kind, weights, x)
        except ValueError as exc:
            self.show_error(f"{exc}.")
            return
        self.show_error("")
        self.bias_label.setText("update-gate bias shift" if kind == "GRU" else
                                "forget-gate bias shift")
        self.bias.setEnabled(kind != "SimpleRNN" and not self.using_probe)
        self._show_settings(kind)
        self.formula.setText(FORMULAS[kind])
        self.source.setText(self._source_text(kind))
        self.slider.blockSignals(True)
        self.slider.setRange(0, self.result.steps - 1)
        self.slider.blockSignals(False)
        self._draw_heat()
        self.select_step(min(self.slider.value(), self.result.steps - 1))

    def _show_settings(self, kind: str) -> None:
        """The cell, units and steps on show; fixed by the run while its weights are shown."""
        run = self.using_probe and self.probe is not None
        values = ((self.kind, kind), (self.units, self.result.h.shape[1]),
                  (self.steps, self.result.steps))
        for widget, value in values:
            widget.blockSignals(True)
            if widget is self.kind:
                widget.setCurrentText(value)
            else:
                widget.setValue(min(value, widget.maximum()))
            widget.setEnabled(not run)
            widget.blockSignals(False)
        self.seed_button.setText("Random weights instead" if run else "New weights")

    def _source_text(self, kind: str) -> str:
        if self.using_probe and self.probe is not None:
            p = self.probe
            extra = " (first layer, forward direction)" if p.note else ""
            return (f"{p.node_label} after epoch {p.epoch}: its learned weights{extra} on the "
                    f"run's probe sequence ({len(p.sequence)} steps).")
        return (f"A {kind} with {self.units.value()} units and the random weights torch "
                f"starts with, reading a sine wave of {self.steps.value()} steps.")

    def set_probe(self, probe) -> None:
        """The run's recurrent probe (weights + probe sequence); refreshes if it is shown."""
        self.probe = probe
        self.probe_button.setEnabled(probe is not None)
        if self.using_probe:
            self.recompute()

    def run_data_changed(self, data) -> None:
        probe = data.recurrent.get(self.node_id) if self.node_id else None
        if probe is None and data.recurrent:
            probe = next(iter(data.recurrent.values()))
        if probe is not self.probe:
            self.set_probe(probe)

    def use_probe(self) -> None:
        if self.probe is not None:
            self.using_probe = True
            self.recompute()

    # -- drawing --------------------------------------------------------------------------------
    def _rows(self) -> list[tuple[str, np.ndarray, str]]:
        u = self.result
        rows = [("hidden state h", u.h, "diverging")]
        if u.c is not None:
            rows.append(("cell state C", u.c, "diverging"))
        for name, values in u.gates.items():
            rows.append((name, values, "diverging" if name.startswith("cand") else "gate"))
        losses = getattr(self.probe, "step_losses", None) if self.using_probe else None
        if losses is not None and len(losses) == u.steps:
            rows.append(("loss per step", np.asarray(losses, float)[:, None], "loss"))
        return rows

    def _step_outputs(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The run's output and target at each step (sequence outputs), if shown."""
        p = self.probe if self.using_probe else None
        out, target = getattr(p, "step_outputs", None), getattr(p, "step_targets", None)
        if out is None or target is None or len(out) != self.result.steps:
            return None
        return np.asarray(out, float), np.asarray(target, float)

    def _draw_heat(self) -> None:
        """Heat maps over time: built once per set of rows, then only their images change."""
        u, rows, outputs = self.result, self._rows(), self._step_outputs()
        names = ([OUTPUTS] if outputs else []) + [name for name, _, _ in rows]
        if names != getattr(self, "_heat_names", None):
            self._build_heat(names)
        xs = np.arange(u.steps) + 0.5
        self.input_curve.setData(xs, u.x[:, 0])
        if outputs is not None:
            self.output_curve.setData(xs, outputs[0])
            self.target_curve.setData(xs, outputs[1])
        for (_, values, scale), img in zip(rows, self.images, strict=True):
            peak = (float(np.abs(values).max()) or 1.0) if scale == "loss" else 1.0
            img.setImage(values.T, autoLevels=False,
                         levels=(0, peak) if scale in ("gate", "loss") else (-1, 1))
            img.setLookupTable(heat_lut() if scale in ("gate", "loss") else diverging_lut())
        self.heat_plots[0].setXRange(0, u.steps, padding=0)

    def _build_heat(self, names: list[str]) -> None:
        self.heat.clear()
        self._heat_names = names
        top = self.heat.addPlot(row=0, col=0, title="input x_t")
        self.input_curve = top.plot([], [], pen=pg.mkPen("#0072B2", width=2), symbol="o",
                                    symbolSize=5)
        self.heat_plots, self.images, self.cursors = [top], [], []
        for i, name in enumerate(names, start=1):
            plot = self.heat.addPlot(row=i, col=0, title=name)
            plot.setXLink(top)
            self.heat_plots.append(plot)
            if name == OUTPUTS:
                self.target_curve = plot.plot([], [], pen=pg.mkPen("#0072B2", width=2,
                                                                   style=Qt.PenStyle.DashLine))
                self.output_curve = plot.plot([], [], pen=pg.mkPen("#D55E00", width=2),
                                              symbol="o", symbolSize=5, symbolBrush="#D55E00")
                continue
            img = pg.ImageItem(axisOrder="row-major")
            plot.addItem(img)
            plot.getAxis("left").setLabel("" if name == "loss per step" else "unit")
            self.images.append(img)
        for plot in self.heat_plots:
            plot.setMenuEnabled(False)
            plot.hideButtons()
            cursor = pg.InfiniteLine(0.5, angle=90, pen=pg.mkPen("#E69F00", width=2))
            plot.addItem(cursor)
            self.cursors.append(cursor)
            style_plot(plot, self._dark())
        self.heat.setMinimumHeight(110 * len(self.heat_plots))

    def _dark(self) -> bool:
        from designer.plots.base import is_dark

        return is_dark(self)

    def select_step(self, t: int) -> None:
        u = self.result
        if u is None:
            return
        t = max(0, min(int(t), u.steps - 1))
        self.view.draw(u, t)
        for cursor in getattr(self, "cursors", []):
            cursor.setValue(t + 0.5)
        self.where.setText(f"{t + 1} of {u.steps}")
        parts = [f"x = {u.x[t, 0]:+.3f}", f"mean |h| = {np.abs(u.h[t]).mean():.3f}"]
        if u.c is not None:
            parts.append(f"mean |C| = {np.abs(u.c[t]).mean():.3f}")
        for name, values in u.gates.items():
            parts.append(f"{name.split()[0]} {name.split()[-1]} = {values[t].mean():.3f}")
        parts += self._step_numbers(t)
        self.step_text.setText(f"step {t + 1}:  " + "   ".join(parts) + "   (gate means over "
                               "units)")

    def _step_numbers(self, t: int) -> list[str]:
        """The run's output, target and loss at step t (sequence outputs)."""
        outputs = self._step_outputs()
        if outputs is None:
            return []
        parts = [f"output ŷ = {outputs[0][t]:+.3f}", f"target y = {outputs[1][t]:+.3f}"]
        losses = getattr(self.probe, "step_losses", None)
        if losses is not None and len(losses) > t:
            parts.append(f"loss = {float(losses[t]):.4f}")
        return parts

    def apply_theme(self, dark: bool) -> None:
        self.heat.setBackground(pg.mkColor("#1e2227" if dark else "#ffffff"))
        for plot in getattr(self, "heat_plots", []):
            style_plot(plot, dark)
        if self.result is not None:
            self.select_step(self.slider.value())

    def focus_node(self, editor, node_id: str) -> None:
        node = editor.doc.nodes.get(node_id)
        if node is None or node.type not in STACK:
            return
        self.node_id = node_id
        params = editor.analysis.params.get(node_id, {})
        data = getattr(self.window(), "run_data", None)
        if data is not None and node_id in data.recurrent:
            self.set_probe(data.recurrent[node_id])
            self.use_probe()
            return
        self.kind.blockSignals(True)
        self.kind.setCurrentText(node.type)
        self.kind.blockSignals(False)
        self.units.blockSignals(True)
        self.units.setValue(min(int(params.get("units", 6)), 64))
        self.units.blockSignals(False)
        self._standalone()
        self.source.setText(f"{node.type} '{node.title}' has {params.get('units', '?')} units; "
                            "until the design is trained the page uses random weights. Train "
                            "it to see its learned weights on the probe sequence.")
