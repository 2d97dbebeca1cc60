"""The standard live views: curves, gradient flow, feature maps, weights, confusion, boundary.

Each adapts one plot widget of `designer.plots` to the `LiveView` contract: which events it
draws and for which runs it shows. `handle` keeps the newest event where only the newest
matters (feature maps, histograms, confusion); the curves and gradient flow keep every point
in their buffers; `draw` puts it on screen.
"""

from __future__ import annotations

import math

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
from designer.plots.ranges import StickyRange, decade_range
from designer.training.live_view import LiveView, RunContext, RunPlan
from designer.workers.training import Boundary, DataPoints


class LatestView(LiveView):
    """A view that shows only the newest of its events."""

    def handle(self, events: list, context: RunContext) -> None:
        self.latest = events[-1]

    def draw(self, context: RunContext) -> None:
        if getattr(self, "latest", None) is not None:
            self.show(self.latest, context)

    def show(self, event, context: RunContext) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        self.latest = None
        super().reset()


class CurvesView(LiveView):
    name = "Curves"
    events = (StepMetrics, EpochEnd)
    placement = "main"

    def make_widget(self) -> TrainingCurves:
        widget = TrainingCurves()
        self.ranges = {key: StickyRange(plot) for key, plot in widget.plots.items()}
        for key, plot in widget.plots.items():  # values the run has not given yet
            if key != "lr":  # (its log axis keeps the decades it shows)
                plot.setYRange(0.0, 1.0, padding=0)
        self._pin_epochs(1)
        return widget

    def prepare(self, plan: RunPlan) -> None:
        """The epoch axis at 0 .. the run's epochs and the learning rate's decades before
        its first point (nothing moves or redraws when it begins); compared runs on show
        keep the range that fits them."""
        if self.widget.overlay_labels():
            return
        self._pin_epochs(plan.epochs)
        if plan.lr and self.widget.point_count("lr") == 0:
            log_lr = math.log10(plan.lr)
            self.widget.plots["lr"].setYRange(*decade_range(log_lr, log_lr), padding=0)

    def _pin_epochs(self, epochs: int) -> None:
        for sticky in self.ranges.values():  # the x axis never moves while the run goes on
            sticky.pin_x(0.0, float(max(epochs, 1)))

    def begin(self, context: RunContext) -> None:
        self.reset()
        self.widget.set_metric_name(_metric_name(context))
        self.widget.set_log_loss(False)
        self._pin_epochs(context.started.epochs if context.started else 1)

    def handle(self, events: list, context: RunContext) -> None:
        for e in events:
            if isinstance(e, StepMetrics):
                self._step(e, context)
            else:
                self._epoch(e, context)

    def draw(self, context: RunContext) -> bool:
        """One plot per call (one plot repaints per turn of the event loop)."""
        dirty = self.widget.dirty_plots()
        if dirty:
            self.widget.refresh(dirty[0])
            self.ranges[dirty[0]].fit()
        return len(dirty) > 1

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
        elif e.val_metrics:  # MAE, or the recipe's own metric (a GAN's D(x))
            key = "mae" if "mae" in e.val_metrics else next(iter(e.val_metrics))
            if e.epoch == 1 and key != "mae":
                self.widget.set_metric_name(f"validation {key}")
            self.widget.append("val_metric", x, [e.val_metrics[key]])

    def _auc(self, x: list[float], e: EpochEnd) -> None:
        if "auc" in e.terms:
            self.widget.append("train_metric", x, [e.terms["auc"]])
        if "auc" in e.val_terms:
            self.widget.append("val_metric", x, [e.val_terms["auc"]])


def _metric_name(context: RunContext) -> str:
    if context.task == "link_prediction":
        return "ROC AUC"
    return "accuracy" if context.classification else "validation MAE"


class GradientsView(LiveView):
    name = "Gradients"
    events = (GradientFlow,)

    def make_widget(self) -> GradientFlowView:
        return GradientFlowView()

    def prepare(self, plan: RunPlan) -> None:
        self.widget.reserve_labels(plan.titles)
        if not self.widget.latest:  # a finished run's history keeps its axis until begin
            self.widget.set_extent(float(plan.epochs))

    def begin(self, context: RunContext) -> None:
        self.reset()
        self.widget.set_extent(float(context.started.epochs) if context.started else None)
        self.widget.reserve_labels(context.titles)

    def handle(self, events: list, context: RunContext) -> dict[str, float] | None:
        for e in events:
            stats = {n: (float(m), float(p)) for n, m, p in
                     zip(e.nodes, e.mean_abs, e.max_abs, strict=True)}
            self.widget.add_probe(context.epoch_of(e.step), stats, context.titles, draw=False)
        return self.widget.heat or None

    def draw(self, context: RunContext) -> None:
        self.widget.redraw()


class FeaturesView(LatestView):
    name = "Activations"  # the feature maps of the selected layer
    events = (FeatureMaps,)

    def make_widget(self) -> FeatureMapView:
        return FeatureMapView()

    def show(self, fm: FeatureMaps, context: RunContext) -> None:
        self.widget.set_maps(context.title(fm.node), fm.sample, fm.maps)

    def select(self, node_id: str, context: RunContext, live: bool) -> str | None:
        self.widget.show_message(f"probing '{context.title(node_id)}'…")
        return node_id

    def reset(self) -> None:
        super().reset()
        self.widget.show_message("select a node on the canvas to see its activations")


class WeightsView(LatestView):
    name = "Weights"
    events = (WeightHistograms,)

    def make_widget(self) -> WeightHistogramView:
        return WeightHistogramView()

    def show(self, wh: WeightHistograms, context: RunContext) -> None:
        hists = {n: (c, e) for n, c, e in zip(wh.nodes, wh.counts, wh.edges, strict=True)}
        self.widget.set_histograms(float(wh.epoch), hists, context.titles)

    def select(self, node_id: str, context: RunContext, live: bool) -> None:
        self.widget.highlight(node_id)


class ConfusionView(LatestView):
    name = "Confusion"
    events = (ConfusionMatrix,)

    def make_widget(self) -> ConfusionMatrixView:
        return ConfusionMatrixView()

    def applies(self, run: RunStarted | None) -> bool:
        return run is None or run.task == "classification"

    def show(self, cm: ConfusionMatrix, context: RunContext) -> None:
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
        for e in events:
            if isinstance(e, DataPoints):
                self.points = e
            else:
                self.grid = e

    def draw(self, context: RunContext) -> None:
        points, grid = getattr(self, "points", None), getattr(self, "grid", None)
        if points is not None and self.widget.points is None:
            self.widget.set_points(points.points, points.labels)
        if grid is not None:
            self.widget.set_boundary(grid.xs, grid.ys, grid.classes, epoch=grid.epoch)

    def reset(self) -> None:
        self.points = self.grid = None
        super().reset()


STANDARD_VIEWS: list[type[LiveView]] = [CurvesView, GradientsView, FeaturesView, WeightsView,
                                        ConfusionView, BoundaryView]
