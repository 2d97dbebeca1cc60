"""One multi-process run driven from another process: the launcher, the socket, the relay.

`LinkedLaunch(design, training, data_dir, probes)` listens on a socket in a private temporary
folder and starts `python -m backend.experiments.ddp_launch` in a session of its own; the
launcher starts the ranks with torchrun's launcher and rank 0 connects back
(`backend.experiments.ddp_link`). `run(handle)` passes every message of rank 0 but the last
to `handle(kind, payload)` (("events", [..]), ("best", state, epoch), ("weights", state)) and
returns the RunFinished: rank 0's, or, when the launcher refused or a rank died, one with the
launcher's sentence (the process that stopped first). `answers(handle)` relays rank 0's
feature maps after the run until it closes; `command("stop")` (and "pause", "resume",
("watch", node), "close") may come from any thread, before rank 0 has connected too; `kill()`
ends every rank and the launcher; `end()` waits for them and removes the folder.

The designer's `DistributedWorker` (a Train with several processes) and the seed group child
(Seeds with several processes) both drive runs through it. Nothing here imports torch or Qt.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from backend.training.events import RunFinished

DIED = ("The training processes ended unexpectedly{why}: train again, with fewer processes "
        "or a smaller batch size if it happens again.")


class LinkedLaunch:
    def __init__(self, design: dict, training: dict, data_dir: str | None,
                 probes: dict | None = None) -> None:
        self.spec = {"design": design, "training": dict(training), "data_dir": data_dir,
                     "probes": probes or {}}
        self.launcher: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()
        self._pending: list[tuple] = []  # commands given before rank 0 connected
        self._folder: str | None = None
        self._log = None

    # -- commands (any thread) ----------------------------------------------------------------
    def command(self, *cmd) -> None:
        with self._lock:
            if self._conn is None:
                self._pending.append(cmd)
                return
            try:
                self._conn.send(cmd)
            except OSError:  # the run is over
                pass

    def kill(self) -> None:
        """End every rank and the launcher at once (ranks first: they are its children)."""
        if self.launcher is None or self.launcher.poll() is not None:
            return
        for pid in [*descendants(self.launcher.pid), self.launcher.pid]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    # -- the run ------------------------------------------------------------------------------
    def run(self, handle: Callable[[str, list], None]) -> RunFinished:
        server = self._start()
        try:
            if not self._connect(server):
                return self._died()
        finally:
            server.close()
        while True:
            try:
                if not self._conn.poll(0.25):
                    if self.launcher.poll() is not None and not self._conn.poll(0):
                        return self._died()
                    continue
                kind, *payload = self._conn.recv()
            except (EOFError, OSError):
                return self._died()
            if kind == "finished":
                return self._cause(payload[0])
            handle(kind, payload)

    def answers(self, handle: Callable[[str, list], None]) -> None:
        """After the run: rank 0's answers (feature maps) until it has closed."""
        while self._conn is not None and self.launcher.poll() is None:
            try:
                if not self._conn.poll(0.25):
                    continue
                kind, *payload = self._conn.recv()
            except (EOFError, OSError):
                return
            handle(kind, payload)

    def end(self) -> None:
        if self.launcher is not None:
            try:
                self.launcher.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
                self.launcher.wait(5)
        if self._conn is not None:
            self._conn.close()
        if self._log is not None:
            self._log.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    def _start(self) -> socket.socket:
        self._folder = tempfile.mkdtemp(prefix="netwright-ddp-")  # private: mode 0700
        address = str(Path(self._folder) / "link")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(address)
        server.listen(1)
        server.settimeout(0.25)
        spec = Path(self._folder) / "spec.json"
        spec.write_text(json.dumps({**self.spec, "link": address}))
        self._log = open(Path(self._folder) / "launcher.log", "wb")  # noqa: SIM115
        self.launcher = subprocess.Popen(
            [sys.executable, "-u", "-m", "backend.experiments.ddp_launch", str(spec)],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            start_new_session=True, env=_environment())
        return server

    def _connect(self, server: socket.socket) -> bool:
        """Wait for rank 0; False when the launcher ended first (refused, or died)."""
        while self.launcher.poll() is None:
            try:
                sock, _ = server.accept()
            except TimeoutError:
                continue
            sock.settimeout(None)
            with self._lock:
                self._conn = Connection(sock.detach())
                pending, self._pending = self._pending, []
            for cmd in pending:
                self.command(*cmd)
            return True
        return False

    def _cause(self, event: RunFinished) -> RunFinished:
        """A run that failed because another rank died says so (rank 0 only saw a broken
        connection): the launcher names the process that stopped first."""
        if event.reason != "error":
            return event
        self._wait_launcher(5)
        sentence = self._sentence()
        if sentence and not sentence.startswith("Training process 0 "):
            from dataclasses import replace

            return replace(event, message=sentence)  # its curves and kept weights stay
        return event

    def _died(self) -> RunFinished:
        self._wait_launcher(5)  # its sentence comes as it exits
        sentence = self._sentence()
        if sentence:
            return RunFinished("error", sentence)
        code = self.launcher.returncode
        return RunFinished("error", DIED.format(
            why="" if code is None else f" (exit code {code})"))

    def _wait_launcher(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while self.launcher.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)

    def _sentence(self) -> str:
        """Why the run ended, as a sentence: a process killed by a signal (the others only
        lost their connection to it), else a rank's own message when one failed in training,
        else the launcher's "netwright: ..." line."""
        try:
            self._log.flush()
            text = (Path(self._folder) / "launcher.log").read_text(errors="replace")
        except OSError:
            text = ""
        lines = [ln[len("netwright: "):] for ln in text.splitlines()
                 if ln.startswith("netwright: ")]
        launcher = lines[-1].rstrip(".") if lines else ""
        if "killed by signal" not in launcher:
            launcher = self._rank_note() or launcher
        return launcher[:1].upper() + launcher[1:] + "." if launcher else ""

    def _rank_note(self) -> str:
        for note in sorted(Path(self._folder).glob("rank*.txt")):
            try:
                message = note.read_text().strip().rstrip(".")
            except OSError:
                continue
            n = self.spec["training"].get("processes", "?")
            return f"training process {note.stem[4:]} of {n} stopped: {message}"
        return ""


def processes_of(doc) -> int:
    """The design's `processes` setting (1 when unset or not a whole number)."""
    value = (doc.sections.get("training") or {}).get("processes", 1)
    return value if isinstance(value, int) and not isinstance(value, bool) else 1


def descendants(pid: int) -> list[int]:
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
            found += [*descendants(child), child]
    return found


def _environment() -> dict[str, str]:
    """This process's environment, with the folder `backend` is imported from on the path."""
    import backend

    root = str(Path(backend.__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env
