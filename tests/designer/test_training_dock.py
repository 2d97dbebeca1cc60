"""Training from the designer: a run fills the views, stops on request, survives errors,
follows the canvas selection and paints gradient colours on the canvas."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from backend.graph import Edge, GraphDocument, Node, SetSection
from designer.canvas.view import CanvasView
from designer.editor import DocumentEditor
from designer.training.dock import IDLE_TEXT, TrainingDock

FAST = {"epochs": 2, "batch_size": 32, "device": "cpu", "lr": 0.01}
RUN_TIMEOUT = 120_000  # ms; generous for a shared 2-core machine


def chain(name: str, layers: list[tuple[str, str, dict]], dataset: dict,
          training: dict) -> GraphDocument:
    doc = GraphDocument(name)
    for i, (nid, kind, params) in enumerate(layers):
        doc.nodes[nid] = Node(nid, kind, params, nid, (i * 260.0, 0.0))
    doc.edges = [Edge(a[0], b[0]) for a, b in zip(layers, layers[1:], strict=False)]
    doc.sections = {"dataset": dataset, "training": {**FAST, **training}}
    return doc


def moons_doc(**training) -> GraphDocument:
    return chain("moons", [("points", "Input", {"shape": [2]}), ("hidden", "Dense", {"units": 8}),
                           ("act", "ReLU", {}), ("out", "Dense", {"units": 2})],
                 {"name": "moons", "samples": 200}, training)


def conv_doc(**training) -> GraphDocument:
    return chain("conv", [("image", "Input", {"shape": [1, 8, 8]}),
                          ("conv", "Conv2d", {"filters": 4, "kernel_size": 3}),
                          ("act", "ReLU", {}), ("flat", "Flatten", {}),
                          ("out", "Dense", {"units": 10})],
                 {"name": "digits"}, {"batch_size": 128, **training})


@pytest.fixture
def make_dock(qtbot):
    docks = []

    def make(doc: GraphDocument) -> tuple[DocumentEditor, CanvasView, TrainingDock]:
        editor = DocumentEditor(doc)
        canvas = CanvasView(editor)
        dock = TrainingDock(editor, canvas)
        qtbot.addWidget(canvas)
        qtbot.addWidget(dock)
        dock.resize(1400, 460)
        dock.show()  # views draw while they are visible
        docks.append(dock)
        return editor, canvas, dock

    yield make
    for dock in docks:  # never leave a thread running behind a test
        dock.shutdown()


def run_to_end(qtbot, dock: TrainingDock):
    with qtbot.waitSignal(dock.run_finished, timeout=RUN_TIMEOUT) as blocker:
        assert dock.start()
    return blocker.args[0]


def wait_batches_until(qtbot, dock: TrainingDock, condition, limit: int = 400) -> None:
    for _ in range(limit):
        if condition():
            return
        with qtbot.waitSignal(dock.batch_handled, timeout=RUN_TIMEOUT):
            pass
    raise AssertionError("condition not reached while the run was reporting")


def open_tab(qtbot, tabs, widget) -> None:
    """Click the tab of `widget`, as a user does."""
    bar = tabs.tabBar()
    qtbot.mouseClick(bar, Qt.LeftButton, pos=bar.tabRect(tabs.indexOf(widget)).center())
    assert tabs.currentWidget() is widget


def test_a_short_run_fills_the_views(qtbot, make_dock):
    editor, canvas, dock = make_dock(moons_doc())
    buttons_while_running = []  # read when the run starts: a short run may end right after
    dock.run_started.connect(lambda *_: buttons_while_running.append(
        (dock.start_button.isEnabled(), dock.stop_button.isEnabled())))
    finished = run_to_end(qtbot, dock)
    assert buttons_while_running == [(False, True)]
    assert finished.reason == "completed", finished.message
    curves = dock.views.curves
    assert curves.point_count("train_loss_step") == finished.steps
    assert curves.point_count("val_loss") == 2 and curves.point_count("val_metric") == 2
    drawn = curves.items["val_loss"].getData
    qtbot.waitUntil(lambda: drawn()[0] is not None and len(drawn()[0]) == 2)  # at once
    xs, ys = curves.items["val_loss"].getData()
    assert list(xs) == [1.0, 2.0]
    views = dock.views
    for widget, drawn in ((views.confusion, lambda: views.confusion.matrix is not None),
                          (views.boundary, lambda: views.boundary.grid is not None),
                          (views.weights, lambda: len(views.weights.hists) == 2)):
        assert not drawn()  # a hidden tab costs nothing while the run trains...
        open_tab(qtbot, views.tabs, widget)
        qtbot.waitUntil(drawn)  # ...and shows the latest results when it is opened
    assert views.confusion.matrix.sum() > 0 and views.boundary.points is not None
    assert "Finished: 2 epochs" in dock.progress_label.text()
    assert dock.start_button.isEnabled()


def test_stop_ends_the_run_within_a_step(qtbot, make_dock):
    editor, canvas, dock = make_dock(conv_doc(epochs=500))
    dock.start()
    wait_batches_until(qtbot, dock, lambda: dock.views.curves.point_count("train_loss_step"))
    with qtbot.waitSignal(dock.run_finished, timeout=RUN_TIMEOUT) as blocker:
        steps_at_stop = dock.run.worker.trainer.step
        dock.stop()
    finished = blocker.args[0]
    assert finished.reason == "stopped"
    assert finished.steps <= steps_at_stop + 1
    assert "Stopped" in dock.progress_label.text()
    assert not dock.run.running or dock.run.thread.wait(5000)


def test_an_error_shows_a_message_and_the_next_run_works(qtbot, make_dock):
    editor, canvas, dock = make_dock(moons_doc(optimizer="sgd", lr=1e12, epochs=3))
    finished = run_to_end(qtbot, dock)
    assert finished.reason == "error"
    assert "learning rate" in dock.message.text()
    assert dock.start_button.isEnabled()
    training = dict(editor.doc.sections["training"], lr=0.01)
    editor.push(SetSection("training", training), "Set training lr")
    finished = run_to_end(qtbot, dock)
    assert finished.reason == "completed"
    assert dock.message.text() == ""


def test_a_design_that_does_not_fit_its_data_is_refused_at_once_with_its_fix(qtbot, make_dock):
    doc = moons_doc()
    doc.nodes["out"].params["units"] = 1  # moons has 2 classes (spare units only warn)
    editor, canvas, dock = make_dock(doc)
    dock.show()
    assert not dock.start()
    assert dock.run is None  # nothing was prepared: no data loaded, no process started
    assert dock.message.text().startswith("Cannot train yet: the output layer 'out' gives")
    assert dock.fix_button.isVisible() and dock.fix_button.text() == "Set the units of 'out' to 2"
    qtbot.mouseClick(dock.fix_button, Qt.LeftButton)
    assert editor.doc.nodes["out"].params["units"] == 2
    assert not dock.fix_button.isVisible() and dock.message.text() == ""
    editor.undo_stack.undo()
    assert editor.doc.nodes["out"].params["units"] == 1


def test_selecting_a_conv_node_feeds_the_feature_maps(qtbot, make_dock):
    editor, canvas, dock = make_dock(conv_doc(epochs=500))
    editor.set_selection(["out"])
    with qtbot.waitSignal(dock.run_started, timeout=RUN_TIMEOUT):
        dock.start()
    editor.set_selection(["conv"])
    wait_batches_until(qtbot, dock, lambda: dock.views.features.node_title == "conv")
    maps = dock.views.features.maps
    assert maps.shape == (4, 6, 6)
    assert dock.views.tabs.currentWidget() is dock.views.features
    dock.stop()


def test_gradient_colours_reach_the_canvas(qtbot, make_dock):
    editor, canvas, dock = make_dock(moons_doc())
    run_to_end(qtbot, dock)
    items = canvas.canvas.nodes
    assert items["hidden"].heat is not None and items["out"].heat is not None
    assert items["act"].heat is None  # no parameters, no gradient
    assert items["hidden"].heat == pytest.approx(dock.views.gradients.heat["hidden"])
    dock.heat_box.setChecked(False)
    assert items["hidden"].heat is None


def test_editing_during_a_run_is_flagged_and_does_not_reach_the_run(qtbot, make_dock):
    editor, canvas, dock = make_dock(conv_doc(epochs=500))
    with qtbot.waitSignal(dock.run_started, timeout=RUN_TIMEOUT):
        dock.start()
    snapshot_units = dock.run.worker.snapshot.nodes["out"].params["units"]
    from backend.graph import SetParams

    with qtbot.waitSignal(editor.analysis_changed, timeout=5000):
        editor.push(SetParams("out", {"units": 5}), "Set units")
    assert "has changed since run 1 started" in dock.changed_label.text()
    assert dock.run.worker.snapshot.nodes["out"].params["units"] == snapshot_units
    dock.stop()


def test_settings_form_edits_are_undoable(qtbot, make_dock):
    editor, canvas, dock = make_dock(moons_doc())
    form = dock.settings_form
    form.fields["optimizer"].setCurrentIndex(form.fields["optimizer"].findData("sgd"))
    assert editor.doc.sections["training"]["optimizer"] == "sgd"
    form.fields["batch_size"].lineEdit().selectAll()
    qtbot.keyClicks(form.fields["batch_size"], "64")
    qtbot.keyClick(form.fields["batch_size"], Qt.Key_Return)
    assert editor.doc.sections["training"]["batch_size"] == 64
    editor.undo_stack.undo()
    assert editor.doc.sections["training"]["batch_size"] == 32
    assert form.fields["batch_size"].value() == 32
    editor.undo_stack.undo()
    assert editor.doc.sections["training"].get("optimizer", "adam") == "adam"
    assert form.fields["optimizer"].currentData() == "adam"


@pytest.mark.parametrize("in_thread", ["1", "0"])
def test_a_csv_beside_the_design_is_found_whatever_the_current_folder(
        qtbot, make_dock, tmp_path, monkeypatch, in_thread):
    monkeypatch.setenv("NETWRIGHT_TRAIN_IN_THREAD", in_thread)
    folder = tmp_path / "project"
    folder.mkdir()
    rows = ["a,b,label"] + [f"{i % 7},{(i * 3) % 5},{'yes' if i % 2 else 'no'}"
                            for i in range(60)]
    (folder / "points.csv").write_text("\n".join(rows) + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    doc = moons_doc(epochs=1)
    doc.sections["dataset"] = {"name": "csv", "path": "points.csv", "target": "label"}
    editor, canvas, dock = make_dock(doc)
    editor.set_path(str(folder / "design.json"))
    finished = run_to_end(qtbot, dock)
    assert finished.reason == "completed", finished.message


def test_a_new_design_starts_fresh(qtbot, make_dock):
    editor, canvas, dock = make_dock(moons_doc())
    run_to_end(qtbot, dock)
    open_tab(qtbot, dock.views.tabs, dock.views.confusion)
    qtbot.waitUntil(lambda: dock.views.confusion.matrix is not None)  # (Runs: test_runs_gui)
    assert canvas.canvas.nodes["hidden"].heat is not None
    editor.replace_document(moons_doc())  # the same node names: nothing may carry over
    views = dock.views
    assert views.curves.point_count("val_loss") == 0 and views.curves.point_count("lr") == 0
    assert views.confusion.matrix is None and views.confusion.status_label.text() == ""
    assert views.gradients.heat == {} and views.gradients.status_label.text() == ""
    assert all(item.heat is None for item in canvas.canvas.nodes.values())
    assert views.weights.hists == {} and views.features.maps is None
    assert views.boundary.grid is None
    assert dock.progress.value() == 0 and dock.progress_label.text() == IDLE_TEXT
    assert dock.message.text() == "" and dock.changed_label.text() == ""
    assert dock.run is None and dock.train_action.isEnabled()


def test_after_a_run_selecting_a_node_shows_its_activations_and_weights(qtbot, make_dock):
    editor, canvas, dock = make_dock(conv_doc(epochs=1))
    editor.set_selection(["out"])
    run_to_end(qtbot, dock)
    open_tab(qtbot, dock.views.tabs, dock.views.features)
    qtbot.waitUntil(lambda: dock.views.features.node_title == "out")
    editor.set_selection(["conv"])
    qtbot.waitUntil(lambda: dock.views.features.node_title == "conv", timeout=20_000)
    assert dock.views.features.maps.shape == (4, 6, 6)  # computed from the kept weights
    assert dock.views.tabs.currentWidget() is dock.views.features
    assert dock.views.weights.selected == "conv"
    open_tab(qtbot, dock.views.tabs, dock.views.weights)
    qtbot.waitUntil(lambda: "selected: conv" in dock.views.weights.status_label.text())
    open_tab(qtbot, dock.views.tabs, dock.views.features)
    editor.set_selection(["flat"])
    qtbot.waitUntil(lambda: dock.views.features.node_title == "flat", timeout=20_000)
    assert dock.views.features.maps.size == 144
