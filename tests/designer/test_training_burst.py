"""A burst of progress from the worker (the GUI was busy, the messages queued up) is one
update of the dock and its views, and what they show is the newest state."""

from __future__ import annotations

from types import SimpleNamespace

from PySide6.QtCore import QObject, Qt, Signal

from backend.graph import Edge, GraphDocument, Node
from backend.training.events import RunStarted, StepMetrics
from designer.editor import DocumentEditor
from designer.training.data_fit import DataService
from designer.training.dock import TrainingDock
from designer.training.standard_views import CurvesView

STEPS = 1000


class FakeWorker(QObject):
    """Sends batches the way a training worker does (queued, from its own signal)."""

    events_ready = Signal(list)
    finished = Signal(object)


def moons_doc() -> GraphDocument:
    doc = GraphDocument("moons")
    layers = [("points", "Input", {"shape": [2]}), ("out", "Dense", {"units": 2})]
    for i, (nid, kind, params) in enumerate(layers):
        doc.nodes[nid] = Node(nid, kind, params, nid, (i * 260.0, 0.0))
    doc.edges = [Edge("points", "out")]
    doc.sections = {"dataset": {"name": "moons"}, "training": {"epochs": 10}}
    return doc


def test_a_thousand_progress_messages_in_a_burst_are_one_update_showing_the_last(
        qtbot, monkeypatch):
    # no dataset loading thread: the data panel is not what this is about
    monkeypatch.setattr(DataService, "_request", lambda *_args: None)
    dock = TrainingDock(DocumentEditor(moons_doc()))
    qtbot.addWidget(dock)
    dock.resize(1400, 460)
    dock.show()
    dock.ensure_built()
    worker = FakeWorker()
    worker.events_ready.connect(dock._on_events, Qt.ConnectionType.QueuedConnection)
    dock.run = SimpleNamespace(worker=worker)  # the run the reports come from
    handled, drawn = [], []
    views = dock.views
    handle = views.handle
    views.handle = lambda batch: handled.append(len(batch)) or handle(batch)
    curves = views.view(CurvesView)
    draw = curves.draw
    curves.draw = lambda context: drawn.append(1) or draw(context)
    worker.events_ready.emit([RunStarted(10, 100, 800, 100, 100, "cpu", 66, "classification",
                                         "cross_entropy")])
    for step in range(1, STEPS + 1):
        worker.events_ready.emit([StepMetrics(1 + (step - 1) // 100, step, STEPS,
                                              [2.0 - step / STEPS], 2.0 - step / STEPS, 0.5,
                                              1e-3, 900.0, 1.0)])
    qtbot.waitUntil(lambda: bool(handled))
    qtbot.wait(300)  # the views draw what they got
    assert handled == [STEPS + 1]  # the RunStarted and every step: handled once, together
    assert dock.state == "running"
    assert dock.progress_label.text().startswith(f"step {STEPS:,}/{STEPS:,} · loss 1.0000")
    assert dock.progress.text() == "epoch 10/10" and dock.progress.value() == 1000
    assert 1 <= len(drawn) <= 4  # the curves: three plots, one at a time
    xs, ys = curves.widget.items["train_loss_step"].getData()
    assert len(xs) == STEPS and ys[-1] == 1.0  # every point, the last one drawn
