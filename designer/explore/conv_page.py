"""The Convolution explorer: type an input and a kernel, then watch the window slide.

Prefilled with the course's worked example (5×5 binary input, 3×3 X kernel → [[4,3,4],
[2,4,3],[2,3,4]]). Stride, padding and dilation per axis, and convolution, max or average
pooling. For each output position the page outlines the window on the input, shows the
element-wise products and their sum, and marks the output cell; ◀ ▶ step, Play animates.
The output size is shown as the formula with the real numbers. Opened on a Conv/Pool node it
takes that node's settings, and after a run its learned kernels and its input for the probe
sample (`run_data_changed`). All arithmetic comes from backend.teaching.conv; the controls'
layout is `conv_layout.ConvolutionLayout`, this module makes them work.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QWidget

from backend.teaching.conv import EXAMPLE_INPUT, EXAMPLE_KERNEL, Convolution
from designer.explore.conv_layout import ConvolutionLayout
from designer.explore.conv_node import NodeSettings, node_settings
from designer.explore.run_data import LearnedKernel

PLAY_MS = 700


class ConvolutionPage(ConvolutionLayout):
    key = "convolution"

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.position = 0
        self.conv: Convolution | None = None
        self.editor = self.node_id = self.run_data = None
        self.source = ""  # what the numbers are (course example, a node's probe data)
        self._connect()
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_MS)
        self.timer.timeout.connect(self.advance)
        self.load_example()

    def _connect(self) -> None:
        """What each control does: the widgets are laid out by ConvolutionLayout."""
        for spin in (self.in_rows, self.in_cols, self.k_rows, self.k_cols):
            spin.valueChanged.connect(self._resize_grids)
        for spin in (*self.stride, *self.padding, *self.dilation, self.bias):
            spin.valueChanged.connect(self.recompute)
        self.mode.currentIndexChanged.connect(self.recompute)
        self.example_button.clicked.connect(self.load_example)
        self.random_button.clicked.connect(self.load_random)
        for spin in (self.filter_spin, self.channel_spin):
            spin.valueChanged.connect(self._load_node)
        for grid in (self.input_grid, self.kernel_grid):
            grid.edited.connect(self._on_typed)
            grid.refused.connect(self.show_error)
        self.first_button.clicked.connect(self.first)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.advance)
        self.last_button.clicked.connect(self.last)
        self.play_button.clicked.connect(self.toggle_play)
        self.slider.valueChanged.connect(self.go)

    # -- content --------------------------------------------------------------------------------
    def load_example(self) -> None:
        self.node_id = None
        self.run_row.hide()
        self.apply(NodeSettings("conv", EXAMPLE_INPUT, EXAMPLE_KERNEL, source=""))

    def load_random(self) -> None:
        self.follow_box.setChecked(False)
        rng = np.random.default_rng()
        rows, cols = self.in_rows.value(), self.in_cols.value()
        kernel = rng.integers(-2, 3, (self.k_rows.value(), self.k_cols.value()))
        self.apply(NodeSettings(self._mode(), rng.integers(0, 5, (rows, cols)), kernel,
                                self._pairs("stride"), self._pairs("padding"),
                                self._pairs("dilation"), source=""))

    def focus_node(self, editor, node_id: str) -> None:
        self.editor, self.node_id = editor, node_id
        self._load_node()

    def run_data_changed(self, data) -> None:
        """New probe data from the run: show it if this page follows that node."""
        self.run_data = data
        probe = data.kernels.get(self.node_id) if self.node_id else None
        if probe is not None and self.follow_box.isChecked() and not self.timer.isActive():
            self._load_node()

    def _load_node(self, *_args) -> None:
        if self.node_id is None or self.editor is None:
            return
        probe = self.run_data.kernels.get(self.node_id) if self.run_data else None
        learned = None
        if probe is not None:
            learned = LearnedKernel(probe, self.filter_spin.value(), self.channel_spin.value())
            self._fit_run_row(learned)
        self.run_row.setVisible(learned is not None)
        try:
            self.apply(node_settings(self.editor, self.node_id, learned))
        except ValueError as exc:
            self.show_error(f"{exc}.")

    def _fit_run_row(self, learned: LearnedKernel) -> None:
        for spin, top in ((self.filter_spin, learned.filters), (self.channel_spin,
                                                                learned.channels)):
            spin.blockSignals(True)
            spin.setRange(0, max(0, top - 1))
            spin.setEnabled(top > 1)
            spin.blockSignals(False)

    def apply(self, s: NodeSettings) -> None:
        """Show these settings and numbers (every widget set first, one recompute after)."""
        self.stop()
        widgets = (self.mode, self.in_rows, self.in_cols, self.k_rows, self.k_cols, self.bias,
                   *self.stride, *self.padding, *self.dilation)
        for w in widgets:
            w.blockSignals(True)
        try:
            self.mode.setCurrentIndex(max(0, self.mode.findData(s.mode)))
            inp, ker = np.asarray(s.input, float), np.asarray(s.kernel, float)
            for spin, v in zip((self.in_rows, self.in_cols, self.k_rows, self.k_cols),
                               (*inp.shape, *ker.shape), strict=True):
                spin.setValue(v)
            for spins, v in ((self.stride, s.stride), (self.padding, s.padding),
                             (self.dilation, s.dilation)):
                spins[0].setValue(v[0])
                spins[1].setValue(v[1])
            self.bias.setValue(s.bias)
        finally:
            for w in widgets:
                w.blockSignals(False)
        self.source = s.source
        self.input_grid.set_values(inp)
        self.kernel_grid.set_values(ker)
        self.position = 0
        self.recompute()

    def _on_typed(self) -> None:
        """The user typed a number: stop following the run, or it would overwrite it."""
        self.follow_box.setChecked(False)
        self.recompute()

    def _mode(self) -> str:
        return self.mode.currentData()

    def _pairs(self, name: str) -> tuple[int, int]:
        a, b = getattr(self, name)
        return a.value(), b.value()

    def _resize_grids(self) -> None:
        """Input/kernel size changed: keep the overlapping numbers, new cells are 0."""
        for grid, shape in ((self.input_grid, (self.in_rows.value(), self.in_cols.value())),
                            (self.kernel_grid, (self.k_rows.value(), self.k_cols.value()))):
            old = grid.values()
            new = np.zeros(shape)
            r, c = min(shape[0], old.shape[0]), min(shape[1], old.shape[1])
            new[:r, :c] = old[:r, :c]
            grid.set_values(new)
        self.recompute()

    def recompute(self) -> None:
        try:
            self.conv = Convolution(self.input_grid.values(), self.kernel_grid.values(),
                                    self._pairs("stride"), self._pairs("padding"),
                                    self._pairs("dilation"), self._mode(), self.bias.value())
        except ValueError as exc:
            self.conv = None
            self.show_error(f"These settings do not fit: {exc}.")
            self._show_invalid()
            return
        self.show_error("")
        pooling = self._mode() != "conv"
        self.kernel_grid.setEnabled(not pooling)
        self.bias.setEnabled(not pooling)
        self.kernel_title.setText("WINDOW (values unused)" if pooling else "KERNEL")
        self.input_grid.set_values(self.conv.input, self.conv.padding)
        self.output_grid.set_values(self.conv.output())
        rows, cols = self.conv.output_shape
        self.size_label.setText(f"rows:    {self.conv.formulas()[0]}\n"
                                f"columns: {self.conv.formulas()[1]}\n"
                                f"output:  {rows} × {cols}")
        self.source_label.setText(self.source)
        self.source_label.setVisible(bool(self.source))
        self.slider.blockSignals(True)
        self.slider.setRange(0, self.conv.positions - 1)
        self.slider.blockSignals(False)
        self.go(min(self.position, self.conv.positions - 1))

    def _show_invalid(self) -> None:
        self.stop()
        self.output_grid.set_values(np.zeros((0, 0)))
        self.products_grid.set_values(np.zeros((0, 0)))
        self.sum_label.setText("")
        self.size_label.setText("")
        self.where.setText("")

    # -- stepping -------------------------------------------------------------------------------
    def go(self, index: int) -> None:
        if self.conv is None:
            return
        self.position = max(0, min(int(index), self.conv.positions - 1))
        win = self.conv.window(self.position)
        self.input_grid.mark(win.cells)
        self.output_grid.mark([(win.row, win.col)], kind=2)
        self.products_grid.set_values(win.products)
        self.sum_label.setText(f"output[{win.row}, {win.col}] = "
                               f"{win.sum_text(self.conv.bias, self.conv.mode)}")
        self.where.setText(f"position {self.position + 1} of {self.conv.positions}")
        self.slider.blockSignals(True)
        self.slider.setValue(self.position)
        self.slider.blockSignals(False)

    def first(self) -> None:
        self.go(0)

    def back(self) -> None:
        self.go(self.position - 1)

    def last(self) -> None:
        self.go(10**6)

    def advance(self) -> None:
        if self.conv is None:
            return
        if self.position + 1 >= self.conv.positions:
            if self.timer.isActive():
                self.stop()
                return
        self.go(self.position + 1)

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.stop()
            return
        if self.conv is not None and self.position + 1 >= self.conv.positions:
            self.go(0)
        self.timer.start()
        self.play_button.setText("Pause")

    def stop(self) -> None:
        self.timer.stop()
        self.play_button.setText("Play")

    def hideEvent(self, event) -> None:  # noqa: N802  (Qt API)
        self.stop()
        super().hideEvent(event)
