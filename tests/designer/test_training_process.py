"""Training in a child process: the dock gets the same events, results, best weights and
stop as in a thread; a child that dies or cannot start never leaves the dock stuck."""

from __future__ import annotations

import os

import pytest

from backend.export.weights import decode_weights
from backend.graph import Edge, GraphDocument, Node
from backend.training.subprocess_run import CHILD_NICE
from designer.canvas.view import CanvasView
from designer.editor import DocumentEditor
from designer.training.dock import TrainingDock
from designer.workers.training import ProcessWorker, TrainingWorker

RUN_TIMEOUT = 180_000  # ms; the child imports torch on a shared 2-core machine


def moons_doc(**training) -> GraphDocument:
    doc = GraphDocument("moons")
    layers = [("points", "Input", {"shape": [2]}), ("hidden", "Dense", {"units": 8}),
              ("act", "ReLU", {}), ("out", "Dense", {"units": 2})]
    for i, (nid, kind, params) in enumerate(layers):
        doc.nodes[nid] = Node(nid, kind, params, nid, (i * 260.0, 0.0))
    doc.edges = [Edge(a[0], b[0]) for a, b in zip(layers, layers[1:], strict=False)]
    doc.sections = {"dataset": {"name": "moons", "samples": 200},
                    "training": {"epochs": 2, "batch_size": 32, "device": "cpu", "lr": 0.01,
                                 **training}}
    return doc


class BestKeeper:
    """Stands in for the recovery folder: records what on_best received."""

    def __init__(self):
        self.calls: list[tuple[bytes, int]] = []

    def keep_best(self, state, epoch: int) -> None:
        self.calls.append((state, epoch))


@pytest.fixture
def make_dock(qtbot, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_TRAIN_IN_THREAD", "0")
    docks = []

    def make(doc: GraphDocument) -> TrainingDock:
        editor = DocumentEditor(doc)
        canvas = CanvasView(editor)
        dock = TrainingDock(editor, canvas)
        qtbot.addWidget(canvas)
        qtbot.addWidget(dock)
        dock.resize(1400, 460)
        dock.show()  # views draw while they are visible
        docks.append(dock)
        return dock

    yield make
    for dock in docks:  # never leave a process or thread running behind a test
        dock.shutdown()
        process = getattr(getattr(dock.run, "worker", None), "process", None)
        if process is not None:
            process.join(10)
            assert not process.is_alive()


def run_to_end(qtbot, dock: TrainingDock):
    with qtbot.waitSignal(dock.run_finished, timeout=RUN_TIMEOUT) as blocker:
        assert dock.start()
    return blocker.args[0]


def wait_for_steps(qtbot, dock: TrainingDock) -> None:
    for _ in range(400):
        if dock.views.curves.point_count("train_loss_step"):
            return
        with qtbot.waitSignal(dock.batch_handled, timeout=RUN_TIMEOUT):
            pass
    raise AssertionError("no training steps were reported")


def test_a_run_in_a_child_process_fills_the_views_and_returns_its_weights(qtbot, make_dock):
    dock = make_dock(moons_doc())
    keeper = BestKeeper()
    dock.on_best = keeper.keep_best
    finished = run_to_end(qtbot, dock)
    worker = dock.run.worker
    assert isinstance(worker, ProcessWorker) and worker.process is not None
    assert finished.reason == "completed" and finished.epochs_done == 2
    if hasattr(os, "getpriority"):  # the window gets a CPU before its training does
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, worker.process.pid) == min(19, ours + CHILD_NICE)
    assert dock.views.curves.point_count("val_loss") == 2
    boundary = dock.views.boundary
    dock.views.tabs.setCurrentWidget(boundary)
    qtbot.waitUntil(lambda: boundary.grid is not None and boundary.points is not None)
    assert "Finished: 2 epochs" in dock.progress_label.text()
    assert keeper.calls and keeper.calls[-1][1] == finished.best_epoch
    best = decode_weights(keeper.calls[-1][0])
    weights = decode_weights(worker.final_weights({"design": "moons"}))
    assert set(weights) == set(best) and weights["hidden.weight"].shape == (8, 2)


def test_stop_ends_a_child_process_run(qtbot, make_dock):
    dock = make_dock(moons_doc(epochs=5000))
    dock.start()
    wait_for_steps(qtbot, dock)
    with qtbot.waitSignal(dock.run_finished, timeout=RUN_TIMEOUT) as blocker:
        dock.stop()
    assert blocker.args[0].reason == "stopped"
    assert "Stopped" in dock.progress_label.text()
    assert dock.run.worker.process.is_alive()  # it keeps the trained model for the views
    dock.run.worker.close()
    # the worker's own thread reaps the child too; wait for whichever thread reaps it
    qtbot.waitUntil(lambda: dock.run.worker.process.exitcode is not None, timeout=10_000)
    assert dock.run.worker.process.exitcode == 0


def test_a_child_that_dies_ends_the_run_with_a_sentence(qtbot, make_dock):
    dock = make_dock(moons_doc(epochs=5000))
    dock.start()
    wait_for_steps(qtbot, dock)
    with qtbot.waitSignal(dock.run_finished, timeout=RUN_TIMEOUT) as blocker:
        dock.run.worker.kill()
    finished = blocker.args[0]
    assert finished.reason == "error" and "ended unexpectedly" in finished.message
    assert dock.start_button.isEnabled()


def test_an_error_in_the_child_is_shown_like_in_a_thread(qtbot, make_dock):
    dock = make_dock(moons_doc(optimizer="sgd", lr=1e12, epochs=3))
    finished = run_to_end(qtbot, dock)
    assert finished.reason == "error"
    assert "learning rate" in dock.message.text()


def test_a_process_that_cannot_start_trains_in_the_thread(qtbot, make_dock, monkeypatch):
    monkeypatch.setattr(ProcessWorker, "_start_child", lambda self: False)
    dock = make_dock(moons_doc())
    finished = run_to_end(qtbot, dock)
    assert finished.reason == "completed"
    assert dock.run.worker.trainer is not None  # the loop ran in this process
    assert dock.run.worker.final_weights({}) is not None


def test_the_thread_switch_picks_the_thread_worker(qtbot, make_dock, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_TRAIN_IN_THREAD", "1")
    dock = make_dock(moons_doc(epochs=1))
    finished = run_to_end(qtbot, dock)
    assert finished.reason == "completed"
    assert type(dock.run.worker) is TrainingWorker


def test_after_a_child_process_run_the_views_follow_the_selection(qtbot, make_dock):
    dock = make_dock(moons_doc())
    run_to_end(qtbot, dock)
    dock.editor.set_selection(["hidden"])  # answered by the child, which kept the model
    qtbot.waitUntil(lambda: dock.views.features.node_title == "hidden", timeout=30_000)
    assert dock.views.features.maps.size == 8
    process = dock.run.worker.process
    dock.editor.replace_document(moons_doc())  # another design: the child lets go
    qtbot.waitUntil(lambda: process.exitcode is not None, timeout=10_000)
    assert dock.views.features.maps is None
