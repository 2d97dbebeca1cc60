"""The standard live views: curves, gradient flow, feature maps, weights, confusion, boundary.

Each adapts one plot widget of `designer.plots` to the `LiveView` contract: which events it
draws and for which runs it shows. The curves redraw at most every CURVES_MS (the most
expensive view to paint); the others draw once per batch, the newest event only where only
the newest matters (feature maps, histograms, confusion).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer

from backend.training.events import (
    ConfusionMatrix,
    EpochEnd,
    FeatureMaps,
    GradientFlow,
    RunFinished,
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
from designer.training.live_view import LiveView, RunContext
from designer.workers.training import Boundary, DataPoints

CURVES_MS = 250  # ≤ 4 curve redraws a second


class CurvesView(LiveView):
    name = "Curves"
    events = (StepMetrics, EpochEnd)
    placement = "main"

    def make_widget(self) -> TrainingCurves:
        widget = TrainingCurves()
        self._t_drawn = 0.0
        self._timer = QTimer(widget, singleShot=True)
        self._timer.timeout.connect(self.flush)
        return widget

    def begin(self, context: RunContext) -> None:
        self.reset()
        self.widget.set_metric_name(_metric_name(context))
        self.widget.set_log_loss(False)

    def handle(self, events: list, context: RunContext) -> None:
        for e in events:
            if isinstance(e, StepMetrics):
                self._step(e, context)
            else:
                self._epoch(e, context)
        now = time.monotonic()
        if now - self._t_drawn >= CURVES_MS / 1000:
            self.flush()
        elif not self._timer.isActive():
            self._timer.start(CURVES_MS)

    def _step(self, e: StepMetrics, context: RunContext) -> None:
        first = e.step - len(e.losses) + 1
        xs = [context.epoch_of(first + i) for i in range(len(e.losses))]
        self.widget.append("train_loss_step", xs, e.losses)
        metric = e.terms.get("auc") if context.task == "link_prediction" else e.accuracy
        if metric is not None:
            self.widget.append("train_metric_step", [context.epoch_of(e.step)], [metric])
        self.widget.append("lr", [context.epoch_of(e.step)], [e.lr])

    def _epoch(self, e: EpochEnd, context: RunContext) -> None:
        x = [float(e.epoch)]
        self.widget.append("train_loss", x, [e.train_loss])
        if e.val_loss is not None:
            self.widget.append("val_loss", x, [e.val_loss])
        if context.task == "link_prediction":  # ROC AUC of the scored node pairs
            self._auc(x, e)
        elif context.classification:
            if e.train_accuracy is not None:
                self.widget.append("train_metric", x, [e.train_accuracy])
            if e.val_accuracy is not None:
                self.widget.append("val_metric", x, [e.val_accuracy])
        elif "mae" in e.val_metrics:
            self.widget.append("val_metric", x, [e.val_metrics["mae"]])

    def _auc(self, x: list[float], e: EpochEnd) -> None:
        if "auc" in e.terms:
            self.widget.append("train_metric", x, [e.terms["auc"]])
        if "auc" in e.val_terms:
            self.widget.append("val_metric", x, [e.val_terms["auc"]])

    def flush(self) -> None:
        self._timer.stop()
        self._t_drawn = time.monotonic()
        self.widget.refresh()

    def finish(self, finished: RunFinished, context: RunContext) -> None:
        self.flush()

    def reset(self) -> None:
        self._timer.stop()
        self.widget.clear()


def _metric_name(context: RunContext) -> str:
    if context.task == "link_prediction":
        return "ROC AUC"
    return "accuracy" if context.classification else "validation MAE"


class GradientsView(LiveView):
    name = "Gradient flow"
    events = (GradientFlow,)

    def make_widget(self) -> GradientFlowView:
        return GradientFlowView()

    def handle(self, events: list, context: RunContext) -> dict[str, float] | None:
        for e in events:
            stats = {n: (float(m), float(p)) for n, m, p in
                     zip(e.nodes, e.mean_abs, e.max_abs, strict=True)}
            self.widget.add_probe(context.epoch_of(e.step), stats, context.titles, draw=False)
        self.widget.redraw()
        return self.widget.heat or None


class FeaturesView(LiveView):
    name = "Feature maps"
    events = (FeatureMaps,)

    def make_widget(self) -> FeatureMapView:
        return FeatureMapView()

    def handle(self, events: list, context: RunContext) -> None:
        fm = events[-1]
        self.widget.set_maps(context.title(fm.node), fm.sample, fm.maps)

    def select(self, node_id: str, context: RunContext, live: bool) -> str | None:
        self.widget.show_message(f"probing '{context.title(node_id)}'…")
        return node_id

    def reset(self) -> None:
        self.widget.clear()
        self.widget.show_message("select a node on the canvas to see its activations")


class WeightsView(LiveView):
    name = "Weights"
    events = (WeightHistograms,)

    def make_widget(self) -> WeightHistogramView:
        return WeightHistogramView()

    def handle(self, events: list, context: RunContext) -> None:
        wh = events[-1]
        hists = {n: (c, e) for n, c, e in zip(wh.nodes, wh.counts, wh.edges, strict=True)}
        self.widget.set_histograms(float(wh.epoch), hists, context.titles)

    def select(self, node_id: str, context: RunContext, live: bool) -> None:
        self.widget.highlight(node_id)


class ConfusionView(LiveView):
    name = "Confusion"
    events = (ConfusionMatrix,)

    def make_widget(self) -> ConfusionMatrixView:
        return ConfusionMatrixView()

    def applies(self, run: RunStarted | None) -> bool:
        return run is None or run.task == "classification"

    def handle(self, events: list, context: RunContext) -> None:
        cm = events[-1]
        self.widget.set_matrix(cm.matrix, list(cm.class_names) or None)


class BoundaryView(LiveView):
    name = "Boundary"
    events = (DataPoints, Boundary)

    def make_widget(self) -> DecisionBoundaryView:
        return DecisionBoundaryView()

    def applies(self, run: RunStarted | None) -> bool:
        shape = getattr(run, "input_shape", None)
        return run is None or (run.task == "classification" and tuple(shape or (2,)) == (2,))

    def handle(self, events: list, context: RunContext) -> None:
        points = [e for e in events if isinstance(e, DataPoints)]
        grids = [e for e in events if isinstance(e, Boundary)]
        if points:
            self.widget.set_points(points[-1].points, points[-1].labels)
        if grids:
            g = grids[-1]
            self.widget.set_boundary(g.xs, g.ys, g.classes, epoch=g.epoch)


STANDARD_VIEWS: list[type[LiveView]] = [CurvesView, GradientsView, FeaturesView, WeightsView,
                                        ConfusionView, BoundaryView]
