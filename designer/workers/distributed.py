"""DistributedWorker: one run trained by several processes, reported like a one-process run.

When the design's training setting `processes` is above 1, `TrainingRun` uses this worker
instead of `ProcessWorker`. Its thread drives a `backend.experiments.ddp_session.LinkedLaunch`:
torchrun's launcher in a session of its own, rank 0 connected back over a local socket. What
rank 0 sends is what a one-process child sends, so the dock, the live views and the project
see an ordinary run; the run record says how many processes trained it.

Stop and Pause go to rank 0, which makes every rank stop or pause at the same step. `kill()`
ends every rank and the launcher, so none outlives the designer. A launcher that refuses
(more processes than the machine has) or a rank that dies ends the run with the launcher's
one sentence. Nothing here imports torch.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict

from backend.experiments.ddp_session import LinkedLaunch, processes_of
from backend.graph import GraphDocument
from backend.training.events import Probes, RunFinished
from backend.training.subprocess_run import encode_state, error_finish
from designer.workers.training import SteeredWorker

log = logging.getLogger(__name__)
__all__ = ["DistributedWorker", "processes_of"]


class DistributedWorker(SteeredWorker):
    """Starts the ranks and relays rank 0's reports; same interface as ProcessWorker."""

    def __init__(self, doc: GraphDocument, probes: Probes | None = None):
        super().__init__(doc, probes)
        self.processes = processes_of(self.snapshot)
        self.launch: LinkedLaunch | None = None  # made when the run starts (data_dir known)
        self._early: list[tuple] = []  # commands given before that
        self._lock = threading.Lock()
        self._weights: dict | None = None
        self.record_extra = {"processes": self.processes}  # added to the stored run

    @property
    def launcher(self):
        return None if self.launch is None else self.launch.launcher

    # -- steering (GUI thread) --------------------------------------------------------------
    def _command(self, *cmd) -> None:
        with self._lock:
            if self.launch is None:
                self._early.append(cmd)
                return
        self.launch.command(*cmd)  # queued by the launch until rank 0 has connected

    def inspect(self, node_id: str) -> None:
        self._command("watch", node_id)

    def kill(self) -> None:
        """End the launcher and every rank at once."""
        if self.launch is not None:
            self.launch.kill()

    def final_weights(self, metadata: dict[str, str]) -> bytes | None:
        return None if self._weights is None else encode_state(self._weights, metadata)

    # -- the run (worker thread) ------------------------------------------------------------
    def _execute(self) -> None:
        from backend.project.design import doc_to_dict

        launch = LinkedLaunch(doc_to_dict(self.snapshot),
                              self.snapshot.sections.get("training") or {}, self.data_dir,
                              asdict(self.probes))
        with self._lock:
            for cmd in self._early:
                launch.command(*cmd)
            self.launch = launch
        try:
            self._finish(launch.run(self._handle))
            launch.answers(self._handle)
        except Exception as exc:
            self._finish(error_finish(exc))
        finally:
            launch.end()
            if not self._done:
                self._finish(RunFinished("error", "the run ended without a result"))

    def _handle(self, kind: str, payload: list) -> None:
        if kind == "events":
            self.events_ready.emit(payload[0])
        elif kind == "best" and self.on_best is not None:
            try:
                self.on_best(encode_state(payload[0]), payload[1])
            except Exception:
                log.exception("could not keep the best weights")
        elif kind == "weights":
            self._weights = payload[0]
