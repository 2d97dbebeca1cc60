"""DistributedWorker: one run trained by several processes, reported like a one-process run.

When the design's training setting `processes` is above 1, `TrainingRun` uses this worker
instead of `ProcessWorker`. It listens on a socket in a private temporary folder and starts
`python -m backend.experiments.ddp_launch` in a session of its own; the launcher starts the
ranks with torchrun's launcher and rank 0 connects back (`backend.experiments.ddp_link`). What
rank 0 sends is what a one-process child sends, so the dock, the live views and the project
see an ordinary run; the run record says how many processes trained it.

Stop and Pause go to rank 0, which makes every rank stop or pause at the same step. `kill()`
ends the launcher's whole process group, so no rank outlives the designer. A launcher that
refuses (more processes than the machine has) or a rank that dies ends the run with the
launcher's one sentence. Nothing here imports torch.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

from backend.graph import GraphDocument
from backend.training.events import Probes, RunFinished
from backend.training.subprocess_run import encode_state, error_finish
from designer.workers.training import TrainingWorker

log = logging.getLogger(__name__)
DIED = ("The training processes ended unexpectedly{why}: train again, with fewer processes "
        "or a smaller batch size if it happens again.")


def processes_of(doc: GraphDocument) -> int:
    """The design's `processes` setting (1 when unset or not a whole number)."""
    value = (doc.sections.get("training") or {}).get("processes", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


class DistributedWorker(TrainingWorker):
    """Starts the ranks and relays rank 0's reports; same interface as ProcessWorker."""

    def __init__(self, doc: GraphDocument, probes: Probes | None = None):
        super().__init__(doc, probes)
        self.processes = processes_of(self.snapshot)
        self.launcher: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._send_lock = threading.Lock()
        self._pending: list[tuple] = []  # commands given before rank 0 connected
        self._weights: dict | None = None
        self._folder: str | None = None
        self.record_extra = {"processes": self.processes}  # added to the stored run

    # -- steering (GUI thread) --------------------------------------------------------------
    def _command(self, *cmd) -> None:
        with self._send_lock:
            if self._conn is None:
                self._pending.append(cmd)
                return
            try:
                self._conn.send(cmd)
            except OSError:  # the run is over
                pass

    def stop(self) -> None:
        super().stop()
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

    def inspect(self, node_id: str) -> None:
        self._command("watch", node_id)

    def close(self) -> None:
        super().stop()
        self._command("close")

    def kill(self) -> None:
        """End the launcher and every rank at once (ranks first: they are its children)."""
        if self.launcher is None or self.launcher.poll() is not None:
            return
        for pid in [*_descendants(self.launcher.pid), self.launcher.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def final_weights(self, metadata: dict[str, str]) -> bytes | None:
        return None if self._weights is None else encode_state(self._weights, metadata)

    # -- the run (worker thread) ------------------------------------------------------------
    def _execute(self) -> None:
        self._folder = tempfile.mkdtemp(prefix="netwright-ddp-")  # private: mode 0700
        try:
            server = self._start()
            self._connect(server)
            if self._conn is not None:
                self._relay()
                self._relay_answers()
        except Exception as exc:
            self._finish(error_finish(exc))
        finally:
            self._end()

    def _start(self) -> socket.socket:
        from backend.project.design import doc_to_dict

        address = str(Path(self._folder) / "link")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(address)
        server.listen(1)
        server.settimeout(0.25)
        spec = Path(self._folder) / "spec.json"
        spec.write_text(json.dumps({
            "design": doc_to_dict(self.snapshot),
            "training": dict(self.snapshot.sections.get("training") or {}),
            "data_dir": self.data_dir, "link": address, "probes": _probe_dict(self.probes)}))
        self._log = open(Path(self._folder) / "launcher.log", "wb")  # noqa: SIM115
        self.launcher = subprocess.Popen(
            [sys.executable, "-u", "-m", "backend.experiments.ddp_launch", str(spec)],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True, env=_environment())
        return server

    def _connect(self, server: socket.socket) -> None:
        """Wait for rank 0 (the launcher may refuse or die first: then its sentence)."""
        try:
            while self.launcher.poll() is None:
                try:
                    sock, _ = server.accept()
                except TimeoutError:
                    continue
                sock.settimeout(None)
                with self._send_lock:
                    self._conn = Connection(sock.detach())
                    pending, self._pending = self._pending, []
                for cmd in pending:
                    self._command(*cmd)
                return
            self._died()
        finally:
            server.close()

    def _relay(self) -> None:
        while not self._done:
            try:
                if not self._conn.poll(0.25):
                    if self.launcher.poll() is not None and not self._conn.poll(0):
                        self._died()
                    continue
                kind, *payload = self._conn.recv()
            except (EOFError, OSError):
                self._died()
                return
            self._handle(kind, payload)

    def _relay_answers(self) -> None:
        """After the run: rank 0's feature maps until it has closed."""
        while self.launcher.poll() is None:
            try:
                if not self._conn.poll(0.25):
                    continue
                kind, *payload = self._conn.recv()
            except (EOFError, OSError):
                return
            if kind == "events":
                self.events_ready.emit(payload[0])

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
        elif kind == "finished":
            self._finish(self._cause(payload[0]))

    def _cause(self, event: RunFinished) -> RunFinished:
        """A run that failed because another rank died says so (rank 0 only saw a broken
        connection): the launcher names the process that stopped first."""
        if event.reason != "error":
            return event
        deadline = time.monotonic() + 5
        while self.launcher.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        sentence = self._sentence()
        if sentence and not sentence.startswith("Training process 0 "):
            return RunFinished("error", sentence)
        return event

    def _died(self) -> None:
        deadline = time.monotonic() + 5  # the launcher's sentence comes as it exits
        while self.launcher.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        sentence = self._sentence()
        if sentence:
            self._finish(RunFinished("error", sentence))
        else:
            code = self.launcher.returncode
            self._finish(RunFinished("error", DIED.format(
                why="" if code is None else f" (exit code {code})")))

    def _sentence(self) -> str:
        """The launcher's "netwright: ..." line, worded for the designer."""
        try:
            self._log.flush()
            text = (Path(self._folder) / "launcher.log").read_text(errors="replace")
        except OSError:
            return ""
        lines = [ln[len("netwright: "):] for ln in text.splitlines()
                 if ln.startswith("netwright: ")]
        if not lines:
            return ""
        line = lines[-1].rstrip(".")
        return line[:1].upper() + line[1:] + "."

    def _end(self) -> None:
        if self.launcher is not None:
            try:
                self.launcher.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
                self.launcher.wait(5)
        if self._conn is not None:
            self._conn.close()
        if getattr(self, "_log", None) is not None:
            self._log.close()
        shutil.rmtree(self._folder, ignore_errors=True)
        if not self._done:
            self._finish(RunFinished("error", "the run ended without a result"))


def _probe_dict(probes: Probes) -> dict:
    from dataclasses import asdict

    return asdict(probes)


def _descendants(pid: int) -> list[int]:
    """The processes started by `pid` and by those, deepest first (Linux; else none)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found += [*_descendants(child), child]
    return found


def _environment() -> dict[str, str]:
    """This process's environment, with the folder `backend` is imported from on the path."""
    import backend

    root = str(Path(backend.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env
