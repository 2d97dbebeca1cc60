"""The live views of a run and the routing of engine events to them.

`LiveViews` lays out the curves (always visible) beside a tab of the other views: gradient
flow, feature maps, weight histograms, confusion matrix and decision boundary. `handle(batch)`
takes one batch of worker events, feeds every view, and redraws each view at most once per
batch (only the latest feature maps / histograms of a batch are drawn).
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QSplitter, QTabWidget, QVBoxLayout, QWidget

from backend.training.events import (
    ConfusionMatrix,
    EpochEnd,
    FeatureMaps,
    GradientFlow,
    RunStarted,
    StepMetrics,
    WeightHistograms,
)
from designer.plots.confusion import ConfusionMatrixView
from designer.plots.curves import TrainingCurves
from designer.plots.decision_boundary import DecisionBoundaryView
from designer.plots.feature_maps import FeatureMapView
from designer.plots.gradient_flow import GradientFlowView
from designer.plots.histograms import WeightHistogramView
from designer.workers.training import Boundary, DataPoints

CURVES_MS = 250  # the curves are the most expensive view to paint: ≤ 4 redraws a second


class LiveViews(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.curves = TrainingCurves()
        self.gradients = GradientFlowView()
        self.features = FeatureMapView()
        self.weights = WeightHistogramView()
        self.confusion = ConfusionMatrixView()
        self.boundary = DecisionBoundaryView()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        for view, name in ((self.gradients, "Gradient flow"), (self.features, "Feature maps"),
                           (self.weights, "Weights"), (self.confusion, "Confusion"),
                           (self.boundary, "Boundary")):
            self.tabs.addTab(view, name)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.curves)
        splitter.addWidget(self.tabs)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        self.steps_per_epoch = 1
        self._t_curves = 0.0
        self._curves_timer = QTimer(self, singleShot=True)
        self._curves_timer.timeout.connect(self._flush_curves)
        self.titles: dict[str, str] = {}
        self.classification = True

    @property
    def views(self) -> list:
        return [self.curves, self.gradients, self.features, self.weights, self.confusion,
                self.boundary]

    def begin(self, started: RunStarted, titles: dict[str, str]) -> None:
        """A new run: clear the views and remember how to place steps on the epoch axis."""
        for view in self.views:
            view.clear()
        self.steps_per_epoch = max(1, started.steps_per_epoch)
        self.titles = titles
        self.classification = started.task == "classification"
        self.curves.set_metric_name("accuracy" if self.classification else "validation MAE")
        self.curves.set_log_loss(False)

    def handle(self, batch: list) -> dict[str, float] | None:
        """Feed a batch of events to the views; returns new canvas heat values, if any."""
        latest: dict[type, object] = {}
        heat = None
        for event in batch:
            if isinstance(event, StepMetrics):
                self._step(event)
            elif isinstance(event, EpochEnd):
                self._epoch(event)
            elif isinstance(event, GradientFlow):
                stats = {n: (float(m), float(p)) for n, m, p in
                         zip(event.nodes, event.mean_abs, event.max_abs, strict=True)}
                self.gradients.add_probe(event.step / self.steps_per_epoch, stats, self.titles,
                                         draw=False)
                heat = self.gradients.heat
            else:
                latest[type(event)] = event
        if heat is not None:
            self.gradients.redraw()
        self._latest(latest)
        self._refresh_curves()
        return heat

    def _refresh_curves(self) -> None:
        """Redraw the curves at most every CURVES_MS; a trailing timer draws the rest."""
        now = time.monotonic()
        if now - self._t_curves >= CURVES_MS / 1000:
            self._t_curves = now
            self.curves.refresh()
        elif not self._curves_timer.isActive():
            self._curves_timer.start(CURVES_MS)

    def _flush_curves(self) -> None:
        self._t_curves = time.monotonic()
        self.curves.refresh()

    def flush(self) -> None:
        """Draw everything received so far (the run has ended)."""
        self._curves_timer.stop()
        self._flush_curves()

    def _step(self, e: StepMetrics) -> None:
        spe = self.steps_per_epoch
        first = e.step - len(e.losses) + 1
        xs = [(first + i) / spe for i in range(len(e.losses))]
        self.curves.append("train_loss_step", xs, e.losses)
        if e.accuracy is not None:
            self.curves.append("train_metric_step", [e.step / spe], [e.accuracy])
        self.curves.append("lr", [e.step / spe], [e.lr])

    def _epoch(self, e: EpochEnd) -> None:
        x = [float(e.epoch)]
        self.curves.append("train_loss", x, [e.train_loss])
        if e.val_loss is not None:
            self.curves.append("val_loss", x, [e.val_loss])
        if self.classification:
            if e.train_accuracy is not None:
                self.curves.append("train_metric", x, [e.train_accuracy])
            if e.val_accuracy is not None:
                self.curves.append("val_metric", x, [e.val_accuracy])
        elif "mae" in e.val_metrics:
            self.curves.append("val_metric", x, [e.val_metrics["mae"]])

    def _latest(self, latest: dict) -> None:
        fm = latest.get(FeatureMaps)
        if fm is not None:
            self.features.set_maps(self.titles.get(fm.node, fm.node), fm.sample, fm.maps)
        wh = latest.get(WeightHistograms)
        if wh is not None:
            hists = {n: (c, e) for n, c, e in zip(wh.nodes, wh.counts, wh.edges, strict=True)}
            self.weights.set_histograms(float(wh.epoch), hists, self.titles)
        cm = latest.get(ConfusionMatrix)
        if cm is not None:
            self.confusion.set_matrix(cm.matrix, list(cm.class_names) or None)
        pts = latest.get(DataPoints)
        if pts is not None:
            self.boundary.set_points(pts.points, pts.labels)
        bd = latest.get(Boundary)
        if bd is not None:
            self.boundary.set_boundary(bd.xs, bd.ys, bd.classes, epoch=bd.epoch)
