"""TrainingWorker: the backend training loop on a QThread, reported as throttled Qt signals.

The worker trains a snapshot of the design (`doc.copy()`, taken in the GUI thread when the run
is created), so edits made while it runs never reach it. Events from `Trainer.events()` are
collected and sent in batches (`events_ready(list)`) at most every `BATCH_S` seconds, which
keeps the GUI thread's queue short (≤ ~10 emits/s) however fast the loop steps; the first
and last events (`RunStarted`, `RunFinished`) and pauses go out at once.

Steering goes straight to the engine's thread-safe `Control` (stop, pause, resume, the
feature-map node): the worker's thread is busy inside the loop and would never run a queued
slot. Stop never terminates the thread. Any exception, even outside the loop, ends the run
with a `RunFinished("error", sentence)`; the thread then quits normally.

At each epoch end of a 2-D classification run the worker also predicts the class over a grid
(`Boundary`), so the GUI thread never runs the model.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from backend.graph import GraphDocument
from backend.training.events import Control, Paused, Probes, Resumed, RunFinished, RunStarted

BATCH_S = 0.1  # at most one events_ready per 100 ms
GRID = 120  # decision-boundary grid resolution


@dataclass
class Boundary:
    """Predicted class over a grid of the two (normalised) input features, after `epoch`."""

    epoch: int
    xs: np.ndarray
    ys: np.ndarray
    classes: np.ndarray  # int (len(ys), len(xs))


@dataclass
class DataPoints:
    """The validation points of a 2-D dataset (normalised), sent once after RunStarted."""

    points: np.ndarray  # (N, 2)
    labels: np.ndarray  # (N,)


URGENT = (RunStarted, RunFinished, Paused, Resumed)


class TrainingWorker(QObject):
    """Runs one training run; create, move to a QThread, connect, then start the thread."""

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
        self.on_best = None  # the trainer's on_best(state_dict, epoch), e.g. crash recovery
        self._pending: list = []
        self._t_sent = 0.0
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

    # -- the run (worker thread) ----------------------------------------------------------------
    @Slot()
    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # anything unexpected still ends the run with a message
            text = str(exc).strip().splitlines()
            self._finish(RunFinished("error", (text[0] if text else type(exc).__name__)
                                     + " (the run stopped; the design is unchanged)"))
        if not self._done:
            self._finish(RunFinished("error", "the run ended without a result"))

    def _run(self) -> None:
        from backend.training import Trainer  # imports torch, off the GUI thread

        self.trainer = Trainer(self.snapshot, probes=self.probes, on_best=self.on_best,
                               control=self.control)
        for event in self.trainer.events():
            if isinstance(event, RunFinished):
                self._finish(event)
                return
            self._push(event)
            if isinstance(event, RunStarted):
                self._fit_gradient_probe(event.steps_per_epoch)
                self._push_points()
            elif type(event).__name__ == "EpochEnd":
                self._push_boundary(event.epoch)

    def _fit_gradient_probe(self, steps_per_epoch: int) -> None:
        """Short epochs still get a few gradient probes each (the loop reads this per step)."""
        if self.probes.gradient_every:
            every = min(self.probes.gradient_every, max(1, steps_per_epoch // 4))
            self.probes.gradient_every = every

    def _push(self, event) -> None:
        self._pending.append(event)
        now = time.monotonic()
        if isinstance(event, URGENT) or now - self._t_sent >= BATCH_S:
            self._flush(now)

    def _flush(self, now: float) -> None:
        if self._pending:
            batch, self._pending = self._pending, []
            self._t_sent = now
            self.events_ready.emit(batch)

    def _finish(self, event: RunFinished) -> None:
        if self._done:
            return
        self._done = True
        self._flush(time.monotonic())
        self.finished.emit(event)

    # -- 2-D datasets ---------------------------------------------------------------------------
    def _two_d(self) -> bool:
        s = getattr(self.trainer, "setup", None)
        return (s is not None and s.splits.info.input_shape == (2,)
                and s.target_fmt != "value" and s.num_classes >= 2)

    def _push_points(self) -> None:
        if self._two_d():
            split = self.trainer.setup.splits.val
            split = split if len(split) else self.trainer.setup.splits.train
            self._push(DataPoints(split.x[:600].copy(), np.asarray(split.y[:600]).ravel()))

    def _push_boundary(self, epoch: int) -> None:
        if not self._two_d():
            return
        import torch

        s = self.trainer.setup
        x = s.splits.train.x
        lo, hi = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
        xs, ys = np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(np.float32)
        was = s.model.training
        s.model.eval()
        with torch.no_grad():
            out = s.model(torch.from_numpy(grid).to(s.device)).float()
        s.model.train(was)
        classes = (out[:, 0] > 0).long() if out.shape[-1] == 1 else out.argmax(dim=-1)
        self._push(Boundary(epoch, xs, ys, classes.cpu().numpy().reshape(GRID, GRID)))


class TrainingRun(QObject):
    """Owns a worker and its thread for one run; the thread quits itself when the run ends."""

    def __init__(self, doc: GraphDocument, probes: Probes, parent: QObject | None = None):
        super().__init__(parent)
        self.worker = TrainingWorker(doc, probes)
        self.thread = QThread()
        self.thread.setObjectName("netwright-training")
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.finished.connect(self.thread.quit)

    def start(self) -> None:
        self.thread.start()

    @property
    def running(self) -> bool:
        return self.thread.isRunning()

    def wait(self, ms: int = 10_000) -> bool:
        """Stop and wait for the thread to end (used when the window closes)."""
        self.worker.stop()
        return self.thread.wait(ms)
