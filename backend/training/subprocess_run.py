"""A training run's loop as the GUI consumes it, runnable in a thread or in a child process.

`drive(trainer, probes, send)` iterates `Trainer.events()` and hands the events to `send` in
batches (at most one per `BATCH_S`, at once for start, finish, pause and resume), adding the
2-D extras the Training dock draws (`DataPoints` once, a `Boundary` per epoch) so the GUI
never runs the model. It returns the `RunFinished`, which it does not send.

`child_main(design, probes, out_q, cmd_q)` is the entry of a "spawn" child process: it rebuilds
the design from a plain dict (`doc_to_dict` of the snapshot), forwards commands from `cmd_q`
(("stop",), ("pause",), ("resume",), ("watch", node)) into the engine's `Control` with a small
thread, and puts on `out_q`: ("events", [..]) batches, ("best", state, epoch) whenever the
best weights improve, ("weights", state) once the run has weights worth keeping (a failed run:
its best epoch's, if any), then ("finished", event).
After the run the child stays to answer questions about the trained model until told
("close",) or ("stop",), or until its parent has gone: ("watch", node) is answered with
("events", [FeatureMaps]) of that node for the probe sample, so the views can follow the
selection after training without the GUI process importing torch. States are
{name: numpy array}; `encode_state` turns them into safetensors bytes without torch.
The child lowers its own CPU priority first (`CHILD_NICE`): on a busy machine the window that
draws the run gets a CPU before the run's next step, so the GUI never waits behind its own
training; an idle CPU still goes to the training at full speed.
Nothing here imports Qt; torch is imported only inside functions.
"""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from backend.training.events import (
    Control,
    FeatureMaps,
    Paused,
    Probes,
    Resumed,
    RunFinished,
    RunStarted,
)

BATCH_S = 0.1  # at most one batch per 100 ms
GRID = 120  # decision-boundary grid resolution
URGENT = (RunStarted, RunFinished, Paused, Resumed)


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


def error_finish(exc: BaseException) -> RunFinished:
    """The one-sentence RunFinished for an exception outside the engine's own handling."""
    text = str(exc).strip().splitlines()
    return RunFinished("error", (text[0] if text else type(exc).__name__)
                       + " (the run stopped; the design is unchanged)")


class _Batcher:
    """Collects events and sends them at most every BATCH_S (urgent ones at once)."""

    def __init__(self, send: Callable[[list], None]):
        self.send, self.pending, self.t_sent = send, [], 0.0

    def push(self, event) -> None:
        self.pending.append(event)
        now = time.monotonic()
        if isinstance(event, URGENT) or now - self.t_sent >= BATCH_S:
            self.flush(now)

    def flush(self, now: float | None = None) -> None:
        if self.pending:
            batch, self.pending = self.pending, []
            self.t_sent = time.monotonic() if now is None else now
            self.send(batch)


def drive(trainer, probes: Probes, send: Callable[[list], None]) -> RunFinished | None:
    """Run the trainer's events through batches to `send`; the RunFinished (pending sent)."""
    out = _Batcher(send)
    try:
        for event in trainer.events():
            if isinstance(event, RunFinished):
                return event
            out.push(event)
            if isinstance(event, RunStarted):
                _fit_gradient_probe(probes, event.steps_per_epoch)
                _push_points(trainer, out)
            elif type(event).__name__ == "EpochEnd":
                _push_boundary(trainer, out, event.epoch)
        return None
    finally:
        out.flush()


def _fit_gradient_probe(probes: Probes, steps_per_epoch: int) -> None:
    """Short epochs still get a few gradient probes each (the loop reads this per step)."""
    if probes.gradient_every:
        probes.gradient_every = min(probes.gradient_every, max(1, steps_per_epoch // 4))


def _two_d(trainer) -> bool:
    s = getattr(trainer, "setup", None)
    return (s is not None and s.splits.info.input_shape == (2,)
            and s.target_fmt not in ("value", "multihot") and s.num_classes >= 2)


def _push_points(trainer, out: _Batcher) -> None:
    if _two_d(trainer):
        split = trainer.setup.splits.val
        split = split if len(split) else trainer.setup.splits.train
        out.push(DataPoints(split.x[:600].copy(), np.asarray(split.y[:600]).ravel()))


def _push_boundary(trainer, out: _Batcher, epoch: int) -> None:
    if not _two_d(trainer):
        return
    import torch

    s = trainer.setup
    x = s.splits.train.x
    lo, hi = x.min(axis=0) - 0.5, x.max(axis=0) + 0.5
    xs, ys = np.linspace(lo[0], hi[0], GRID), np.linspace(lo[1], hi[1], GRID)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2).astype(np.float32)
    was = s.model.training
    s.model.eval()
    with torch.no_grad():
        pred = s.model(torch.from_numpy(grid).to(s.device)).float()
    s.model.train(was)
    classes = (pred[:, 0] > 0).long() if pred.shape[-1] == 1 else pred.argmax(dim=-1)
    out.push(Boundary(epoch, xs, ys, classes.cpu().numpy().reshape(GRID, GRID)))


def feature_event(trainer, node: str) -> FeatureMaps | None:
    """Feature maps of `node` for the run's probe sample, from the trainer's model as it is
    now (after a run: the weights the run kept)."""
    from backend.training.probes import feature_maps

    s, p = getattr(trainer, "setup", None), trainer.probes
    if s is None or s.probe_sample is None:
        return None
    result = feature_maps(s.model, node, s.probe_sample, p.max_channels, p.max_size)
    if result is None:
        return None
    maps, shape = result
    sample = s.probe_sample[0].float().cpu().numpy()
    return FeatureMaps(trainer.step, trainer.epoch, node, maps, sample, shape)


# -- weights without torch ----------------------------------------------------------------------
def state_to_numpy(state: dict) -> dict[str, np.ndarray]:
    """A torch state_dict as {name: numpy array} on the CPU (picklable, torch-free to read)."""
    return {k: v.detach().to("cpu").contiguous().numpy().copy() for k, v in state.items()}


def encode_state(state: dict[str, np.ndarray], metadata: dict[str, str] | None = None) -> bytes:
    """safetensors bytes of a numpy state (same format as backend.export.weights)."""
    from safetensors.numpy import save

    arrays = {k: np.ascontiguousarray(v) for k, v in state.items()}
    return save(arrays, metadata={str(k): str(v) for k, v in (metadata or {}).items()})


# -- the child process --------------------------------------------------------------------------
CHILD_NICE = 5  # added to the training child's niceness (Unix only)


def _yield_cpu_to_parent() -> None:
    """Run below the GUI's priority (see the module docstring); never fails a run."""
    try:
        os.nice(CHILD_NICE)
    except (AttributeError, OSError):  # no os.nice (Windows) or not permitted
        pass


def _forward(cmd_q, control: Control, done: threading.Event, closing: threading.Event) -> None:
    """Pass the parent's commands into the engine's Control until the run is done."""
    while not done.is_set():
        try:
            cmd = cmd_q.get(timeout=0.2)
        except queue.Empty:
            continue
        except (EOFError, OSError):  # the parent has gone: stop
            control.stop()
            return
        if cmd[0] == "stop":
            control.stop()
        elif cmd[0] == "close":  # stop, and do not stay to answer questions afterwards
            closing.set()
            control.stop()
        elif cmd[0] == "pause":
            control.pause()
        elif cmd[0] == "resume":
            control.resume()
        elif cmd[0] == "watch":
            control.watch_node(cmd[1])


def child_main(design: dict, probes: Probes, out_q, cmd_q, data_dir: str | None = None) -> None:
    """Entry of the training child process (see the module docstring)."""
    _yield_cpu_to_parent()  # before any thread starts: every thread inherits it
    done, closing = threading.Event(), threading.Event()
    control = Control()
    if probes.feature_node:
        control.watch_node(probes.feature_node)
    forward = threading.Thread(target=_forward, args=(cmd_q, control, done, closing),
                               daemon=True)
    forward.start()
    trainer = None
    try:
        from backend.data.files import data_folder

        with data_folder(data_dir):  # relative dataset paths start at the design's folder
            finished, trainer = _child_run(design, probes, control, out_q)
    except BaseException as exc:  # anything unexpected still ends the run with a message
        finished = error_finish(exc)
    done.set()
    out_q.put(("finished", finished or RunFinished("error", "the run ended without a result")))
    forward.join()
    if trainer is not None and not closing.is_set():
        _serve(trainer, control, cmd_q, out_q)
    out_q.close()
    out_q.join_thread()


def _serve(trainer, control: Control, cmd_q, out_q) -> None:
    """After the run: answer ("watch", node) with its feature maps until told to close."""
    parent = os.getppid()
    changed, node = control.take_feature_node()  # asked for while the run was ending
    if changed and node:
        _answer(trainer, node, out_q)
    while True:
        try:
            cmd = cmd_q.get(timeout=1.0)
        except queue.Empty:
            if os.getppid() != parent:  # the designer has gone
                return
            continue
        except (EOFError, OSError):
            return
        if cmd[0] in ("stop", "close"):
            return
        if cmd[0] == "watch" and cmd[1]:
            _answer(trainer, cmd[1], out_q)


def _answer(trainer, node: str, out_q) -> None:
    try:
        event = feature_event(trainer, node)
    except Exception:  # a node the model cannot probe: nothing to show
        event = None
    if event is not None:
        out_q.put(("events", [event]))


def _child_run(design: dict, probes: Probes, control: Control, out_q):
    from backend.project.design import from_dict
    from backend.training.trainer import Trainer

    doc = from_dict(design, "the design being trained")

    def on_best(state: dict, epoch: int) -> None:
        out_q.put(("best", state_to_numpy(state), int(epoch)))

    trainer = Trainer(doc, probes=probes, on_best=on_best, control=control)
    finished = drive(trainer, probes, lambda batch: out_q.put(("events", batch)))
    setup = getattr(trainer, "setup", None)
    if finished is not None and finished.weights_kept and setup is not None:
        out_q.put(("weights", state_to_numpy(setup.model.state_dict())))
        return finished, trainer  # a failed run keeps its best epoch's weights
    return finished, None
