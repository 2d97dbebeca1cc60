"""TrainingWorker: a training run reported as throttled Qt signals, in a child process or a thread.

The worker trains a snapshot of the design (`doc.copy()`, taken in the GUI thread when the run
is created), so edits made while it runs never reach it. Events arrive in batches
(`events_ready(list)`, at most ~10/s; start, finish and pauses at once), then exactly one
`finished(RunFinished)`. On each epoch end of a 2-D classification run a `Boundary` comes too,
so the GUI thread never runs the model (see backend.training.subprocess_run).

`ProcessWorker` (the default) trains in a "spawn" child process, so torch's import, the data
loading and the Python side of the loop never hold the GUI process's GIL; its QThread only
waits on the child's queue and re-emits. Steering goes to the child through a command queue;
the best weights come back as numpy arrays and are passed to `on_best` as safetensors bytes,
the final ones are kept for `final_weights`. A child that dies ends the run with one sentence.
After the run the child stays, holding the trained model, until `close()`: `inspect(node)`
asks it for that node's feature maps, which arrive through `events_ready` like the live ones
(the QThread relays them until the child has closed). `TrainingWorker` runs the loop on the
QThread itself: used with NETWRIGHT_TRAIN_IN_THREAD=1, and automatically when the child
process cannot be started; its `inspect` computes on a short-lived Python thread.

Steering in a thread goes straight to the engine's thread-safe `Control`: the worker's thread
is busy inside the loop and would never run a queued slot. Any exception ends the run with a
`RunFinished("error", sentence)`; the thread then quits normally.
"""

from __future__ import annotations

import logging
import os
import queue
import threading

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from backend.graph import GraphDocument
from backend.training.events import Control, Probes, RunFinished
from backend.training.subprocess_run import (
    BATCH_S,
    GRID,
    Boundary,
    DataPoints,
    drive,
    encode_state,
    error_finish,
    feature_event,
)

__all__ = ["BATCH_S", "GRID", "Boundary", "DataPoints", "ProcessWorker", "TrainingRun",
           "TrainingWorker", "in_thread"]
log = logging.getLogger(__name__)
DIED = ("The training process ended unexpectedly{code} (perhaps out of memory): train again, "
        "with a smaller batch size if it happens again.")


def in_thread() -> bool:
    """True when runs should train in a thread of the GUI process (NETWRIGHT_TRAIN_IN_THREAD=1)."""
    return os.environ.get("NETWRIGHT_TRAIN_IN_THREAD", "") not in ("", "0")


class TrainingWorker(QObject):
    """Runs one training run in its thread; create, move to a QThread, connect, start."""

    events_ready = Signal(list)  # a batch of engine events (and Boundary / DataPoints)
    finished = Signal(object)  # the RunFinished, always exactly once

    def __init__(self, doc: GraphDocument, probes: Probes | None = None):
        super().__init__()
        self.snapshot = doc.copy()
        self.probes = probes or Probes()
        self.control = Control()
        if self.probes.feature_node:
            self.control.watch_node(self.probes.feature_node)
        self.trainer = None
        self.on_best = None  # on_best(state_dict or safetensors bytes, epoch), e.g. recovery
        self.data_dir: str | None = None  # relative dataset paths start here (design's folder)
        self._done = False

    # -- steering (any thread) ------------------------------------------------------------------
    def stop(self) -> None:
        self.control.stop()

    def pause(self) -> None:
        self.control.pause()

    def resume(self) -> None:
        self.control.resume()

    def watch_node(self, node_id: str | None) -> None:
        self.control.watch_node(node_id)

    def inspect(self, node_id: str) -> None:
        """After the run: the feature maps of `node_id` from the trained model, off the GUI
        thread, delivered through `events_ready`."""
        if self._done and getattr(self.trainer, "setup", None) is not None:
            threading.Thread(target=self._inspect, args=(node_id,), daemon=True,
                             name="netwright-inspect").start()

    def _inspect(self, node_id: str) -> None:
        try:
            event = feature_event(self.trainer, node_id)
        except Exception:  # a node the model cannot probe: nothing to show
            log.exception("could not probe %s", node_id)
            return
        if event is not None:
            self.events_ready.emit([event])

    def close(self) -> None:
        """Let go of the trained model (a new run, another design, the window closing)."""
        self.stop()

    def final_weights(self, metadata: dict[str, str]) -> bytes | None:
        """The trained model's weights as safetensors bytes (None if no model was built)."""
        setup = getattr(self.trainer, "setup", None)
        if setup is None:
            return None
        from backend.export.weights import model_weights

        return model_weights(setup.model, metadata)

    # -- the run (worker thread) ----------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        """The run, in the worker's thread (the one slot: subclasses override `_execute`)."""
        self._execute()

    def _execute(self) -> None:
        try:
            self._run_here()
        except Exception as exc:  # anything unexpected still ends the run with a message
            self._finish(error_finish(exc))
        if not self._done:
            self._finish(RunFinished("error", "the run ended without a result"))

    def _run_here(self) -> None:
        from backend.data.files import data_folder
        from backend.training import Trainer  # imports torch, off the GUI thread

        self.trainer = Trainer(self.snapshot, probes=self.probes, on_best=self.on_best,
                               control=self.control)
        with data_folder(self.data_dir):
            finished = drive(self.trainer, self.probes, self.events_ready.emit)
        if finished is not None:
            self._finish(finished)

    def _finish(self, event: RunFinished) -> None:
        if self._done:
            return
        self._done = True
        self.finished.emit(event)


class SteeredWorker(TrainingWorker):
    """A worker whose run happens elsewhere (a child process, several ranks): Stop, Pause,
    Resume, Watch and Close steer this object and are sent on with `_command`."""

    def _command(self, *cmd) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        super().stop()  # also steers the thread fallback
        self._command("stop")

    def pause(self) -> None:
        super().pause()
        self._command("pause")

    def resume(self) -> None:
        super().resume()
        self._command("resume")

    def watch_node(self, node_id: str | None) -> None:
        super().watch_node(node_id)
        self._command("watch", node_id)

    def close(self) -> None:
        super().stop()
        self._command("close")


class ProcessWorker(SteeredWorker):
    """Trains in a spawned child process; this object's thread relays what the child sends."""

    def __init__(self, doc: GraphDocument, probes: Probes | None = None):
        super().__init__(doc, probes)
        import multiprocessing

        self._ctx = multiprocessing.get_context("spawn")  # never fork a Qt process
        self._cmd_q = self._ctx.Queue()
        self._out_q = self._ctx.Queue()
        self.process = None
        self._weights: dict | None = None

    def _command(self, *cmd) -> None:
        try:
            self._cmd_q.put(cmd)
        except (OSError, ValueError):  # the run is over and the queue closed
            pass

    def inspect(self, node_id: str) -> None:
        if self.process is None:
            super().inspect(node_id)  # the thread fallback ran
        else:
            self._command("watch", node_id)

    def kill(self) -> None:
        """End the child at once (the window is closing and it did not stop in time)."""
        if self.process is not None and self.process.is_alive():
            self.process.kill()

    def final_weights(self, metadata: dict[str, str]) -> bytes | None:
        if self.process is None:
            return super().final_weights(metadata)  # the thread fallback ran
        return None if self._weights is None else encode_state(self._weights, metadata)

    def _execute(self) -> None:
        if not self._start_child():
            super()._execute()  # the process could not start: train in this thread
            return
        try:
            self._relay()
            self._relay_answers()
        except Exception as exc:
            self._finish(error_finish(exc))
        self.process.join(5)
        if not self._done:
            self._finish(RunFinished("error", "the run ended without a result"))

    def _start_child(self) -> bool:
        from backend.project.design import doc_to_dict
        from backend.training.subprocess_run import child_main

        try:
            self.process = self._ctx.Process(
                target=child_main, name="netwright-training", daemon=True,
                args=(doc_to_dict(self.snapshot), self.probes, self._out_q, self._cmd_q,
                      self.data_dir))
            self.process.start()
            self._close_our_writer()
            return True
        except Exception:
            log.exception("could not start the training process; training in a thread")
            self.process = None
            return False

    def _close_our_writer(self) -> None:
        """Only the child writes to the events pipe: with this process's copy of its write end
        closed, a child that dies (even in the middle of a message) makes the next read fail
        at once instead of waiting forever for the rest, and the run ends with its sentence."""
        try:
            self._out_q._writer.close()
        except (AttributeError, OSError):
            pass

    def _died(self) -> None:
        code = self.process.exitcode
        self._finish(RunFinished("error", DIED.format(
            code="" if code is None else f" (exit code {code})")))

    def _relay(self) -> None:
        """Re-emit what the child sends until its RunFinished (or its death)."""
        while not self._done:
            try:
                kind, *payload = self._out_q.get(timeout=0.25)
            except queue.Empty:
                if not self.process.is_alive() and self._out_q.empty():
                    self._died()
                continue
            except (OSError, EOFError):  # the child is gone and the pipe is closed
                self._died()
                return
            self._handle(kind, payload)

    def _relay_answers(self) -> None:
        """After the run: re-emit the child's answers until it has closed."""
        while self.process.is_alive() or not self._out_q.empty():
            try:
                kind, *payload = self._out_q.get(timeout=0.25)
            except queue.Empty:
                continue
            except (OSError, EOFError):
                return
            if kind == "events":
                self.events_ready.emit(payload[0])

    def _handle(self, kind: str, payload: list) -> None:
        if kind == "events":
            self.events_ready.emit(payload[0])
        elif kind == "best":
            self._keep_best(*payload)
        elif kind == "weights":
            self._weights = payload[0]
        elif kind == "finished":
            self._finish(payload[0])

    def _keep_best(self, state: dict, epoch: int) -> None:
        if self.on_best is None:
            return
        try:
            self.on_best(encode_state(state), epoch)
        except Exception:
            log.exception("could not keep the best weights")


class TrainingRun(QObject):
    """Owns a worker and its thread for one run; the thread quits itself when the run ends."""

    def __init__(self, doc: GraphDocument, probes: Probes, parent: QObject | None = None):
        super().__init__(parent)
        worker_class = TrainingWorker if in_thread() else ProcessWorker
        from designer.workers.distributed import DistributedWorker, processes_of

        if processes_of(doc) > 1:  # several processes: torchrun's launcher in its own session
            worker_class = DistributedWorker
        self.worker = worker_class(doc, probes)
        self.thread = QThread()
        self.thread.setObjectName("netwright-training")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        # direct: a queued quit would wait for the GUI thread, which may be the one waiting
        # for this thread to end (the window closing during a run)
        self.worker.finished.connect(self.thread.quit, Qt.ConnectionType.DirectConnection)

    def start(self) -> None:
        self.thread.start()

    @property
    def running(self) -> bool:
        """The thread is still going: training, or relaying answers about the trained model."""
        return self.thread.isRunning()

    def wait(self, ms: int = 10_000) -> bool:
        """Stop and wait for the run to end (used when the window closes); kill a stuck child."""
        self.worker.close()
        if self.thread.wait(ms):
            return True
        if callable(getattr(self.worker, "kill", None)):
            self.worker.kill()
            return self.thread.wait(3000)
        return False
