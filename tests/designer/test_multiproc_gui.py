"""Several processes from the designer: the processes setting in the training form (saved with
the design, refused above what the machine has), and a run trained by two processes that
shows live curves, stops on Stop with no process left behind, and joins the project as one
run like any other."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt

from backend.experiments.distributed import machine_processes
from backend.project import load_design, save_design
from tests.designer import test_runs_gui
from tests.designer.test_form_truth import type_into
from tests.designer.test_runs_gui import RUN_TIMEOUT, moons

window = test_runs_gui.window  # the main window fixture
HAVE, WHAT = machine_processes()


def open_design(window, qtbot, doc) -> None:
    with qtbot.waitSignal(window.editor.analysis_changed, timeout=5000):
        window.editor.replace_document(doc, "")


@pytest.mark.skipif(HAVE < 2, reason="the processes choice shows on machines with several cores")
def test_processes_are_a_setting_saved_with_the_design_and_bounded_by_the_machine(
        qtbot, window, tmp_path):
    open_design(window, qtbot, moons())
    form = window.training.settings_form
    box = form.fields["processes"]
    assert box.isVisibleTo(form) and "DistributedDataParallel" in box.toolTip()
    type_into(qtbot, box, "2")
    assert window.editor.doc.sections["training"]["processes"] == 2
    type_into(qtbot, box, str(HAVE + 1))
    assert window.editor.doc.sections["training"]["processes"] == 2  # refused, not clamped
    note = form.errors["processes"]
    assert note.isVisibleTo(form) and f"This machine has {HAVE} {WHAT}s" in note.text()
    path = tmp_path / "two.json"
    save_design(window.editor.doc, path)
    assert load_design(path).sections["training"]["processes"] == 2
    window.editor.undo_stack.undo()
    assert window.editor.doc.sections["training"].get("processes", 1) == 1
    assert box.value() == 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return os.path.exists(f"/proc/{pid}") and "Z" not in _state(pid)


def _state(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"


@pytest.mark.slow
@pytest.mark.skipif(HAVE < 2, reason="needs two CPU cores")
def test_two_processes_train_live_stop_cleanly_and_give_one_run(qtbot, window):
    from backend.experiments.ddp_session import descendants

    doc = moons()
    doc.sections["training"].update(epochs=200, processes=2)
    open_design(window, qtbot, doc)
    dock, panel = window.training, window.training.runs_panel
    with qtbot.waitSignal(dock.run_started, timeout=RUN_TIMEOUT):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    worker = dock.run.worker
    launcher = worker.launcher.pid
    ranks = descendants(launcher)
    assert len(ranks) >= 2  # the torchrun agent's two training processes
    curves = dock.views.curves
    qtbot.waitUntil(lambda: curves.point_count("train_loss_step") >= 2, timeout=RUN_TIMEOUT)
    assert dock.progress_label.text().startswith("step ")
    assert "with 2 processes" in dock.started_event.device  # "Training on cpu with 2 ..."
    dock.pause_action.trigger()  # every process pauses at the same step
    qtbot.waitUntil(lambda: dock.state == "paused", timeout=20_000)
    assert dock.progress_label.text().startswith("Paused at step ")
    points = dock.views.curves.point_count("train_loss_step")
    qtbot.wait(1500)
    assert dock.views.curves.point_count("train_loss_step") == points
    dock.pause_action.trigger()  # Resume
    qtbot.waitUntil(lambda: dock.views.curves.point_count("train_loss_step") > points,
                    timeout=20_000)
    with qtbot.waitSignal(window.project_state.run_added, timeout=RUN_TIMEOUT) as added:
        dock.stop_action.trigger()
    run = window.files.current_project().runs[-1]
    assert run["id"] == added.args[0] and run["processes"] == 2
    assert run["final"]["reason"] == "stopped" and run["training"]["processes"] == 2
    qtbot.waitUntil(lambda: not panel.entries[-1].live, timeout=10_000)
    assert panel.entries[-1].run_id == run["id"]
    assert "trained by 2 processes" in panel.item_for(run["id"]).toolTip()
    dock.reset()  # let the run go (rank 0 stays to answer feature-map questions until then)
    qtbot.waitUntil(lambda: not any(_alive(p) for p in [launcher, *ranks]), timeout=20_000)


def test_more_processes_than_the_machine_has_is_one_sentence_at_train(qtbot, window):
    doc = moons()
    doc.sections["training"]["processes"] = HAVE + 1
    open_design(window, qtbot, doc)
    form, dock = window.training.settings_form, window.training
    assert form.fields["processes"].isVisibleTo(form)  # shown, flagged, as the file has it
    assert form.fields["processes"].property("invalid")
    with qtbot.waitSignal(dock.run_finished, timeout=RUN_TIMEOUT) as finished:
        assert dock.start()
    assert finished.args[0].reason == "error"
    assert dock.message.text() == (
        f"Training failed: {HAVE + 1} processes were asked for but this machine has {HAVE} "
        f"{WHAT}{'s' if HAVE != 1 else ''}: set processes to {HAVE} or fewer in the training "
        "settings.")
    assert window.files.current_project().runs == []


@pytest.mark.slow
@pytest.mark.skipif(HAVE < 2, reason="needs two CPU cores")
def test_a_training_process_that_dies_ends_the_run_with_one_sentence(qtbot):
    import signal
    import threading

    from backend.experiments.ddp_session import descendants
    from backend.training.events import Probes
    from designer.workers.distributed import DistributedWorker

    doc = moons()
    doc.sections["training"].update(epochs=500, processes=2)
    worker = DistributedWorker(doc, Probes())
    seen, finished = [], []
    worker.events_ready.connect(seen.extend)
    worker.finished.connect(finished.append)
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    qtbot.waitUntil(lambda: any(type(e).__name__ == "EpochEnd" for e in seen),
                    timeout=RUN_TIMEOUT)
    launcher = worker.launcher.pid
    workers = [p for p in descendants(launcher)
               if "ddp_worker" in open(f"/proc/{p}/cmdline").read()]
    os.kill(max(workers), signal.SIGKILL)  # the second rank (started last)
    qtbot.waitUntil(lambda: bool(finished), timeout=30_000)
    assert finished[0].reason == "error"
    assert finished[0].message.startswith("Training process ")
    assert "stopped (killed by signal 9); the run ended." in finished[0].message
    thread.join(20)
    assert not thread.is_alive() and not _alive(launcher)
