"""The perceptron learning rule on 2-D sets: watch the line move, and fail on XOR.

Pick a set (two clouds, AND, OR: separable; XOR: not), a learning rate and the number of
epochs. The rule runs in backend.teaching.perceptron; the page replays it one update at a
time (Step, Play, or to the end of an epoch): the points with the mistakes ringed, the line
w·x + b = 0 with the side it calls 1 shaded, the update written out with its numbers, and the
mistakes per epoch. On XOR the mistakes never reach zero, the weights come back to an
earlier state (the rule cycles forever), and the best any straight line can do is 3 of the 4
corners: no line separates XOR, a hidden layer is needed.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QPushButton,
    QSpinBox,
    QWidget,
)

from backend.teaching import perceptron as rule
from designer.explore.page import ExplorePage
from designer.explore.widgets import formula_label, label
from designer.plots.base import style_plot

PLAY_MS = 350
CLASS_COLOURS = ("#0072B2", "#E69F00")
LESSON = ("A perceptron outputs 1 when w·x + b > 0, else 0: a straight line splits the plane. "
          "After each mistake the rule moves the line towards the misclassified point: "
          "w ← w + η·(t − y)·x, b ← b + η·(t − y). If some line separates the classes, the "
          "mistakes stop after finitely many updates; if none does, they never stop.")


class PerceptronPage(ExplorePage):
    key = "perceptron"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("The perceptron learning rule", LESSON, parent)
        self.run: rule.PerceptronRun | None = None
        self.x = self.y = None
        self.shown = 0  # updates replayed so far
        self.seed = 0
        self._build()
        self.timer = QTimer(self)
        self.timer.setInterval(PLAY_MS)
        self.timer.timeout.connect(self._tick)
        self.retrain()

    def _build(self) -> None:
        self._build_settings()
        self._build_buttons()
        self._build_plots()
        self.update_text, self.verdict = formula_label(), label("")
        self.body.addWidget(label("THE LAST UPDATE", "section"))
        self.body.addWidget(self.update_text)
        self.body.addWidget(label("WHAT HAPPENED", "section"))
        self.body.addWidget(self.verdict)
        self.body.addStretch(1)

    def _build_settings(self) -> None:
        self.dataset = QComboBox()
        for key, text in rule.SETS.items():
            self.dataset.addItem(text, key)
        self.lr = QDoubleSpinBox()
        self.lr.setRange(0.01, 10.0)
        self.lr.setValue(1.0)
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 500)
        self.epochs.setValue(30)
        for w in (self.lr, self.epochs):
            w.setKeyboardTracking(False)
            w.valueChanged.connect(self.retrain)
        self.dataset.currentIndexChanged.connect(self.retrain)
        self.new_button = QPushButton("New points")
        self.new_button.clicked.connect(self.new_points)
        top = QHBoxLayout()
        for text, w in (("data", self.dataset), ("learning rate η", self.lr),
                        ("epochs at most", self.epochs)):
            top.addWidget(label(text, wrap=False))
            top.addWidget(w)
        top.addWidget(self.new_button)
        top.addStretch(1)
        self.body.addLayout(top)

    def _build_buttons(self) -> None:
        self.step_button, self.epoch_button = QPushButton("Step"), QPushButton("Epoch")
        self.play_button, self.end_button = QPushButton("Play"), QPushButton("To the end")
        self.reset_button = QPushButton("Reset")
        bar = QHBoxLayout()
        for b in (self.reset_button, self.step_button, self.epoch_button, self.play_button,
                  self.end_button):
            bar.addWidget(b)
        self.where = label("", "caption", wrap=False)
        bar.addWidget(self.where, 1)
        self.body.addLayout(bar)
        self.step_button.clicked.connect(self.step)
        self.epoch_button.clicked.connect(self.finish_epoch)
        self.play_button.clicked.connect(self.toggle_play)
        self.end_button.clicked.connect(self.to_end)
        self.reset_button.clicked.connect(self.reset)

    def _build_plots(self) -> None:
        self.plane = pg.PlotWidget(title="the points and the perceptron's line")
        self.errors_plot = pg.PlotWidget(title="mistakes per epoch")
        self.plane.setMinimumHeight(380)
        self.plane.setAspectLocked(True)
        self.regions = pg.ImageItem(axisOrder="row-major")
        self.regions.setZValue(-10)
        self.plane.addItem(self.regions)
        self.line = self.plane.plot([], [], pen=pg.mkPen("#D55E00", width=3))
        self.points = pg.ScatterPlotItem(size=11)
        self.mistakes = pg.ScatterPlotItem(size=20, brush=pg.mkBrush(None),
                                           pen=pg.mkPen("#D55E00", width=2))
        self.current = pg.ScatterPlotItem(size=26, symbol="s", brush=pg.mkBrush(None),
                                          pen=pg.mkPen("#CC79A7", width=3))
        for item in (self.points, self.mistakes, self.current):
            self.plane.addItem(item)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush="#D55E00")
        self.errors_plot.addItem(self.bars)
        self.errors_plot.setLabel("bottom", "epoch")
        for p in (self.plane, self.errors_plot):
            p.getPlotItem().setMenuEnabled(False)
        row = QHBoxLayout()
        row.addWidget(self.plane, 3)
        row.addWidget(self.errors_plot, 2)
        self.body.addLayout(row)
        self.body.addWidget(label(
            f"<span style='color:{CLASS_COLOURS[0]}'>●</span> class 0 &nbsp; "
            f"<span style='color:{CLASS_COLOURS[1]}'>▼</span> class 1 &nbsp; "
            "<span style='color:#D55E00'>◯</span> on the wrong side of the line &nbsp; "
            "<span style='color:#CC79A7'>□</span> the point of the last update · the shaded "
            "side is where the perceptron says 1", "caption"))

    # -- the run --------------------------------------------------------------------------------
    def new_points(self) -> None:
        self.seed += 1
        self.retrain()

    def retrain(self, *_args) -> None:
        self.stop()
        self.x, self.y = rule.dataset(self.dataset.currentData(), seed=self.seed)
        self.run = rule.train(self.x, self.y, self.lr.value(), self.epochs.value())
        self.best = rule.best_linear_accuracy(self.x, self.y)
        self._draw_points()
        self.show_update(0)

    def _draw_points(self) -> None:
        brushes = [pg.mkBrush(CLASS_COLOURS[int(t)]) for t in self.y]
        symbols = ["o" if t == 0 else "t" for t in self.y]
        self.points.setData(self.x[:, 0], self.x[:, 1], brush=brushes, symbol=symbols,
                            pen=pg.mkPen("#000000", width=0.5))
        lo, hi = self.x.min(0) - 0.4, self.x.max(0) + 0.4
        self.bounds = (lo, hi)
        self.plane.setRange(xRange=(lo[0], hi[0]), yRange=(lo[1], hi[1]), padding=0)

    def state(self, k: int) -> tuple[np.ndarray, float, int]:
        """Weights after `k` updates and the epoch they belong to."""
        if k == 0:
            return np.zeros(2), 0.0, 1
        u = self.run.updates[k - 1]
        return u.w, u.b, u.epoch

    def show_update(self, k: int) -> None:
        self.shown = max(0, min(k, len(self.run.updates)))
        w, b, epoch = self.state(self.shown)
        self._draw_line(w, b)
        wrong = rule.predict(self.x, w, b) != self.y
        self.mistakes.setData(self.x[wrong, 0], self.x[wrong, 1])
        done = self.shown == len(self.run.updates)
        counts = self.run.errors if done else self.run.errors[:epoch - 1]
        self.bars.setOpts(x=np.arange(1, len(counts) + 1), height=np.asarray(counts), width=0.7)
        self.errors_plot.setXRange(0.4, max(len(self.run.errors), 1) + 0.6, padding=0)
        self._texts(w, b, epoch, int(wrong.sum()))

    def _draw_line(self, w: np.ndarray, b: float) -> None:
        lo, hi = self.bounds
        xs = np.linspace(lo[0], hi[0], 120)
        ys = np.linspace(lo[1], hi[1], 120)
        gx, gy = np.meshgrid(xs, ys)
        side = (w[0] * gx + w[1] * gy + b > 0).astype(float)
        self.regions.setImage(side, levels=(0, 1), lut=np.array(
            [[0, 114, 178, 40], [230, 159, 0, 55]], dtype=np.uint8))
        self.regions.setRect(lo[0], lo[1], hi[0] - lo[0], hi[1] - lo[1])
        if abs(w[1]) > 1e-12:
            self.line.setData(xs, -(w[0] * xs + b) / w[1])
        elif abs(w[0]) > 1e-12:
            self.line.setData([-b / w[0]] * 2, [lo[1], hi[1]])
        else:
            self.line.setData([], [])

    def _texts(self, w, b, epoch: int, wrong: int) -> None:
        total = len(self.run.updates)
        self.where.setText(f"update {self.shown} of {total} · epoch {epoch} · "
                           f"w = ({w[0]:.3g}, {w[1]:.3g}), b = {b:.3g} · "
                           f"{wrong} of {len(self.y)} points on the wrong side")
        if self.shown == 0:
            self.update_text.setText("w = (0, 0), b = 0: every point starts on the 0 side.")
            self.current.setData([], [])
        else:
            self._describe(self.run.updates[self.shown - 1])
        self.verdict.setText(self._verdict() if self.shown == total else
                             "Keep stepping: the verdict comes at the end of the run.")

    def _describe(self, u: rule.Update) -> None:
        xi, ti = self.x[u.sample], int(self.y[u.sample])
        err = ti - (1 - ti)  # a mistake: the output was the other class
        eta = self.lr.value()
        self.current.setData([xi[0]], [xi[1]])
        self.update_text.setText(
            f"point ({xi[0]:.3g}, {xi[1]:.3g}) has target t = {ti} but the output was "
            f"y = {1 - ti}:  t − y = {err:+d}\n"
            f"w ← w + η·(t − y)·x = w {'+' if err > 0 else '−'} {eta:g}·({xi[0]:.3g}, "
            f"{xi[1]:.3g}) = ({u.w[0]:.3g}, {u.w[1]:.3g})\n"
            f"b ← b + η·(t − y) = {u.b:.3g}")

    def _verdict(self) -> str:
        r, best = self.run, self.best
        if r.converged:
            return (f"Converged: epoch {r.converged_epoch} made no mistake, after "
                    f"{len(r.updates)} updates. The line separates the two classes.")
        text = (f"Not converged: every one of {len(r.errors)} epochs still made mistakes "
                f"(the last {r.errors[-1]}). ")
        if r.cycle is not None:
            text += (f"Epoch {r.cycle[1]} began with exactly the weights epoch {r.cycle[0]} "
                     "began with, so the rule repeats itself forever. ")
        if best < 1.0:
            text += (f"No straight line can do better than {best:.0%} of these points: the "
                     "classes are not linearly separable. A hidden layer fixes it (an MLP, "
                     "e.g. the xor-mlp template).")
        else:
            text += "A separating line exists: allow more epochs."
        return text

    # -- stepping -------------------------------------------------------------------------------
    def step(self) -> None:
        self.show_update(self.shown + 1)

    def finish_epoch(self) -> None:
        _, _, epoch = self.state(self.shown + 1 if self.shown < len(self.run.updates) else
                                 self.shown)
        k = self.shown
        while k < len(self.run.updates) and self.run.updates[k].epoch <= epoch:
            k += 1
        self.show_update(k)

    def to_end(self) -> None:
        self.stop()
        self.show_update(len(self.run.updates))

    def reset(self) -> None:
        self.stop()
        self.show_update(0)

    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.stop()
            return
        if self.shown >= len(self.run.updates):
            self.show_update(0)
        self.timer.start()
        self.play_button.setText("Pause")

    def stop(self) -> None:
        if hasattr(self, "timer"):
            self.timer.stop()
        self.play_button.setText("Play")

    def _tick(self) -> None:
        if self.shown >= len(self.run.updates):
            self.stop()
            return
        self.step()

    def hideEvent(self, event) -> None:  # noqa: N802  (Qt API)
        self.stop()
        super().hideEvent(event)

    def apply_theme(self, dark: bool) -> None:
        for p in (self.plane, self.errors_plot):
            style_plot(p, dark)
