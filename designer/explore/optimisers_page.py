"""Optimisers on a surface: the nine optimisers race from one start point, side by side.

Pick a surface (saddle point, ravine, Rosenbrock, bowl); every ticked optimiser runs from the
same start (drag-free: click the plot to move it) with its own editable hyper-parameters —
learning rate, momentum, RMSprop's and Adadelta's decay, Adam's betas, AdamW's decay — and the
paths are drawn over the surface's contours, all on one plot or in a 3×3 grid, and animated
(Play, or drag the step slider). The trajectories come from backend.teaching.optimisers,
whose update rules match torch.optim's step for step.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QPushButton,
    QSlider,
    QSpinBox,
    QWidget,
)

from backend.teaching.optimisers import OPTIMISERS, trajectory
from backend.teaching.surfaces import SURFACES
from designer.explore.optimiser_table import OptimiserTable
from designer.explore.page import ExplorePage
from designer.explore.surface_plot import SurfacePlot
from designer.explore.widgets import label
from designer.plots.base import is_dark, style_plot
from designer.theme import SPACE

TICK_MS = 40
PLAY_S = 4.0  # an animation lasts about this long, however many steps
LESSON = ("Every optimiser starts at the same point (the ring) and takes the same number of "
          "steps on the same surface. Compare how they move: plain SGD follows the gradient, "
          "momentum builds up speed, the adaptive methods scale each direction by its own "
          "gradient history. Edit any hyper-parameter in the table; click the plot to move "
          "the start.")


class OptimisersPage(ExplorePage):
    key = "optimisers"

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Optimisers on a loss surface", LESSON, parent)
        self.paths: dict[str, np.ndarray] = {}
        self.frame = 0
        self._build_controls()
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setMinimumSize(400, 480)
        self.table = OptimiserTable()
        row = QHBoxLayout()
        row.setSpacing(SPACE * 2)
        row.addWidget(self.graphics, 1)
        row.addWidget(self.table, 0)
        self.body.addLayout(row)
        self.lesson_line = label("")
        self.body.addWidget(self.lesson_line)
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self._tick)
        self.table.changed.connect(self.recompute)
        self.plots: list[SurfacePlot] = []
        self.set_surface()

    def _build_controls(self) -> None:
        self.surface = QComboBox()
        for key, s in SURFACES.items():
            self.surface.addItem(s.name, key)
            self.surface.setItemData(self.surface.count() - 1, s.formula,
                                     Qt.ItemDataRole.ToolTipRole)
        self.steps = QSpinBox()
        self.steps.setRange(1, 2000)
        self.steps.setKeyboardTracking(False)
        self.start_x, self.start_y = QDoubleSpinBox(), QDoubleSpinBox()
        for spin in (self.start_x, self.start_y):
            spin.setRange(-10.0, 10.0)
            spin.setDecimals(3)
            spin.setSingleStep(0.1)
            spin.setKeyboardTracking(False)
            spin.valueChanged.connect(self.recompute)
        top = QHBoxLayout()
        for text, w in (("surface", self.surface), ("steps", self.steps),
                        ("start x", self.start_x), ("y", self.start_y)):
            top.addWidget(label(text, wrap=False))
            top.addWidget(w)
        top.addStretch(1)
        self.body.addLayout(top)
        self.surface.currentIndexChanged.connect(self.set_surface)
        self.steps.valueChanged.connect(self.recompute)
        self._build_play_bar()

    def _build_play_bar(self) -> None:
        self.grid_box = QCheckBox("one plot per optimiser")
        self.play_button = QPushButton("Play")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.where = label("", wrap=False)
        bar = QHBoxLayout()
        bar.addWidget(self.play_button)
        bar.addWidget(self.slider, 1)
        bar.addWidget(self.where)
        bar.addWidget(self.grid_box)
        self.body.addLayout(bar)
        self.grid_box.toggled.connect(self._layout_plots)
        self.play_button.clicked.connect(self.toggle_play)
        self.slider.valueChanged.connect(self.show_frame)

    # -- state ----------------------------------------------------------------------------------
    def current_surface(self):
        return SURFACES[self.surface.currentData()]

    def set_surface(self, *_args) -> None:
        s = self.current_surface()
        for spin, v in ((self.steps, s.steps), (self.start_x, s.start[0]),
                        (self.start_y, s.start[1])):
            spin.blockSignals(True)
            spin.setValue(v)
            spin.blockSignals(False)
        self.table.load(s)
        self.lesson_line.setText(f"<b>{s.formula}</b> — {s.lesson}")
        self._layout_plots()

    def _layout_plots(self, *_args) -> None:
        self.graphics.clear()
        self.plots = []
        keys = list(OPTIMISERS) if self.grid_box.isChecked() else [None]
        cols = 3 if len(keys) > 1 else 1
        for i, key in enumerate(keys):
            item = self.graphics.addPlot(row=i // cols, col=i % cols,
                                         title=OPTIMISERS[key].name if key else None)
            item.scene().sigMouseClicked.connect(self._on_click) if i == 0 else None
            plot = SurfacePlot(item)
            plot.only = key
            self.plots.append(plot)
        dark = is_dark(self)
        for plot in self.plots:
            plot.set_surface(self.current_surface(), dark)
            style_plot(plot.plot, dark)
        self.recompute()

    def recompute(self, *_args) -> None:
        s, start = self.current_surface(), (self.start_x.value(), self.start_y.value())
        self.paths, notes = {}, {}
        for key, hyper in self.table.enabled().items():
            try:
                t = trajectory(s, key, hyper, start, self.steps.value())
            except ValueError as exc:
                notes[key] = str(exc)
                continue
            self.paths[key] = t.points
            notes[key] = t.stopped or f"f = {t.losses[-1]:.3g}"
        self.table.set_results(notes)
        for plot in self.plots:
            plot.set_start(*start)
        self.slider.blockSignals(True)
        self.slider.setRange(0, self.steps.value())
        self.slider.blockSignals(False)
        self.show_frame(self.steps.value() if not self.timer.isActive() else self.frame)

    def show_frame(self, frame: int) -> None:
        self.frame = int(frame)
        for plot in self.plots:
            only = getattr(plot, "only", None)
            paths = self.paths if only is None else {k: v for k, v in self.paths.items()
                                                    if k == only}
            plot.show_paths(paths, self.frame)
        self.where.setText(f"step {self.frame} of {self.steps.value()}")
        self.slider.blockSignals(True)
        self.slider.setValue(self.frame)
        self.slider.blockSignals(False)

    # -- animation and clicks -------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.timer.isActive():
            self.stop()
            return
        if self.frame >= self.steps.value():
            self.frame = 0
        self.timer.start()
        self.play_button.setText("Pause")

    def stop(self) -> None:
        self.timer.stop()
        self.play_button.setText("Play")

    def _tick(self) -> None:
        step = max(1, round(self.steps.value() * TICK_MS / (PLAY_S * 1000)))
        nxt = min(self.frame + step, self.steps.value())
        self.show_frame(nxt)
        if nxt >= self.steps.value():
            self.stop()

    def _on_click(self, event) -> None:
        for plot in self.plots:
            vb = plot.plot.vb
            if vb.sceneBoundingRect().contains(event.scenePos()):
                p = vb.mapSceneToView(event.scenePos())
                self.start_x.blockSignals(True)
                self.start_x.setValue(p.x())
                self.start_x.blockSignals(False)
                self.start_y.setValue(p.y())
                return

    def hideEvent(self, event) -> None:  # noqa: N802  (Qt API)
        self.stop()
        super().hideEvent(event)

    def apply_theme(self, dark: bool) -> None:
        self.graphics.setBackground(pg.mkColor("#1e2227" if dark else "#ffffff"))
        for plot in getattr(self, "plots", []):
            plot.set_surface(self.current_surface(), dark)
            style_plot(plot.plot, dark)
