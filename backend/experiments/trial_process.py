"""A sweep trial's child process, seen from the sweep: start it, steer it, read what it says.

`TrialProcess(trial, doc, out, spec, events)` starts `python -m backend.experiments.
trial_worker SPEC` with this checkout on its path, a thread that puts each JSON line it prints
on `events` as (trial number, message) and, when its output closes (it ended or died),
(trial number, {"event": "closed"}). Its stderr goes to OUT.log; `last_error()` is that log's
last line, the sentence a failed trial shows.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

from backend.graph.document import GraphDocument


class TrialProcess:
    """A trial's child process and the thread that reads its JSON lines."""

    def __init__(self, trial, doc: GraphDocument, out: Path, spec: Path, events: queue.Queue):
        self.trial, self.doc, self.out = trial, doc, out
        self.epochs, self.pruned, self.finished = 0, False, None
        self.closed = threading.Event()
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        self.log = out.with_suffix(".log")
        with open(self.log, "w") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "backend.experiments.trial_worker", str(spec)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True, env=env)
        threading.Thread(target=self._read, args=(events,), daemon=True).start()

    def last_error(self) -> str:
        """The last line the worker wrote on stderr (why it died, when it could say)."""
        try:
            lines = [ln.strip() for ln in self.log.read_text().splitlines() if ln.strip()]
        except OSError:
            return ""
        return lines[-1][:300] if lines else ""

    @property
    def pid(self) -> int:
        return self.process.pid

    def send(self, line: str) -> None:
        try:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        except (OSError, ValueError):  # it has already ended
            pass

    def _read(self, events: queue.Queue) -> None:
        number = self.trial.number
        for line in self.process.stdout:
            try:
                message = json.loads(line)
            except ValueError:
                continue
            if isinstance(message, dict):
                events.put((number, message))
        self.closed.set()
        events.put((number, {"event": "closed"}))
