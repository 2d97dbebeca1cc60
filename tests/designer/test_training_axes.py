"""The training views' axes before and as a run begins: the epoch axes read 0 .. the run's
epochs before its first point, and the plots stay where they are when the first points
arrive (an axis that grows for wider labels moves every plot of its view)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from PySide6.QtCore import QObject, Qt, Signal

from backend.graph import Edge, GraphDocument, Node, SetSection
from backend.training.events import EpochEnd, GradientFlow, RunStarted, StepMetrics
from designer.editor import DocumentEditor
from designer.plots.curves import Overlay
from designer.training.data_fit import DataService
from designer.training.dock import TrainingDock
from designer.training.standard_views import CurvesView, GradientsView


class FakeWorker(QObject):
    """Sends batches the way a training worker does (queued, from its own signal)."""

    events_ready = Signal(list)
    finished = Signal(object)


def digits_doc(epochs: int) -> GraphDocument:
    doc = GraphDocument("digits")
    layers = [("pixels", "Input", {"shape": [64]}),
              ("hidden_layer_one", "Dense", {"units": 32}),
              ("output_classes", "Dense", {"units": 10})]
    for i, (nid, kind, params) in enumerate(layers):
        doc.nodes[nid] = Node(nid, kind, params, nid, (i * 260.0, 0.0))
    doc.edges = [Edge("pixels", "hidden_layer_one"), Edge("hidden_layer_one", "output_classes")]
    doc.sections = {"dataset": {"name": "digits"}, "training": {"epochs": epochs}}
    return doc


@pytest.fixture
def dock(qtbot, monkeypatch):
    monkeypatch.setattr(DataService, "_request", lambda *_args: None)  # no dataset thread
    dock = TrainingDock(DocumentEditor(digits_doc(5)))
    qtbot.addWidget(dock)
    dock.resize(1400, 560)
    dock.show()
    dock.ensure_built()
    dock.views.show_view(GradientsView)
    qtbot.wait(50)
    return dock


def epoch_ticks(plot, view) -> list[float]:
    """The epoch values ticked on the plot's bottom axis as it is drawn now."""
    x0, x1 = plot.vb.viewRange()[0]
    axis = plot.getAxis("bottom")
    view.grab()
    levels = axis.tickValues(x0, x1, axis.width())
    return [float(v) for _spacing, values in levels for v in values]


def test_before_any_run_the_axes_read_as_the_settings_run_will(dock, qtbot):
    curves = dock.views.view(CurvesView).widget
    gradients = dock.views.view(GradientsView).widget
    for epochs, lr, decades in ((5, 0.001, (-3.5, -2.5)), (12, 0.02, (-2.5, -1.0))):
        dock.editor.push(SetSection("training", {"epochs": epochs, "lr": lr}), "Set epochs")
        qtbot.waitUntil(lambda e=epochs: gradients.extent == e)  # the design is analysed
        # the learning rate's half decades around the settings' rate (0.0005 .. 0.002)
        assert curves.plots["lr"].vb.viewRange()[1] == pytest.approx(decades)
        for plot in curves.plots.values():
            ticks = epoch_ticks(plot, curves.view)
            assert min(ticks) == 0 and max(ticks) == epochs  # 0 .. N, nothing negative
            assert plot.vb.viewRange()[0] == pytest.approx([-0.02 * epochs, 1.02 * epochs])
        x0, x1 = gradients.hist_plot.vb.viewRange()[0]
        assert (x0, x1) == pytest.approx((0.0, epochs))
        assert min(epoch_ticks(gradients.hist_plot, gradients.view)) >= 0
        for plot in (gradients.bars_plot, gradients.hist_plot):  # rows are layers: none yet
            levels = plot.getAxis("left")._tickLevels  # None: numbers 0 .. 1 would show
            assert levels is not None and not any(levels)


def test_compared_runs_keep_their_range_when_the_design_is_edited(dock, qtbot):
    curves = dock.views.view(CurvesView).widget
    longer = list(range(1, 21))  # a run of the project that trained 20 epochs
    curves.set_overlays([Overlay("run 1", 4, {"val_loss": (longer, [1 / e for e in longer])})])
    dock.editor.push(SetSection("training", {"epochs": 8}), "Set epochs")
    qtbot.waitUntil(lambda: dock.views.view(GradientsView).widget.extent == 8)
    assert curves.plots["loss"].vb.viewRange()[0][1] >= 20  # all 20 epochs still in view


def plot_rects(dock) -> list[float]:
    """Where every plot area of the curves and gradient views is on screen."""
    curves = dock.views.view(CurvesView).widget
    gradients = dock.views.view(GradientsView).widget
    boxes = [p.vb for p in curves.plots.values()]
    boxes += [gradients.bars_plot.vb, gradients.hist_plot.vb]
    return [v for box in boxes for v in box.sceneBoundingRect().getRect()]


def test_the_plots_stay_in_place_when_a_runs_first_points_arrive(dock, qtbot):
    worker = FakeWorker()
    worker.events_ready.connect(dock._on_events, Qt.ConnectionType.QueuedConnection)
    dock.run = SimpleNamespace(worker=worker)
    worker.events_ready.emit([RunStarted(5, 100, 800, 100, 100, "cpu", 2410,
                                         "classification", "cross_entropy")])
    qtbot.waitUntil(lambda: dock.state == "running")
    qtbot.wait(50)
    before = plot_rects(dock)
    nodes = ["hidden_layer_one", "output_classes"]
    worker.events_ready.emit([
        StepMetrics(1, 20, 100, [2.31] * 20, 2.31, 0.125, 0.0005, 900.0, 3.0),
        GradientFlow(20, 1, nodes, np.array([3e-3, 2e-2], np.float32),
                     np.array([4e-2, 0.3], np.float32), np.zeros(2, np.float32)),
        EpochEnd(1, 5, 20, 1.87, 0.625, 1.92, 0.6125, {}, 0.0005, 1.0, 900.0, True)])
    qtbot.waitUntil(lambda: dock.views.view(GradientsView).widget.latest != {})
    qtbot.wait(600)  # every view drawn (one per turn, each at most 4 times a second)
    curves = dock.views.view(CurvesView).widget
    assert curves.point_count("train_loss_step") == 20 and curves.point_count("val_metric") == 1
    lo, hi = curves.plots["loss"].vb.viewRange()[1]
    assert lo <= 1.87 and hi >= 2.31  # the loss is in view
    rows = dock.views.view(GradientsView).widget.bars_plot.getAxis("left")._tickLevels[0]
    assert [label for _row, label in rows] == nodes  # the row labels in full
    assert plot_rects(dock) == pytest.approx(before)  # nothing laid out again
