"""A multi-process run started by the designer: rank 0 talks to it, every rank obeys Stop.

The designer (`designer.workers.distributed`) listens on a local socket and starts the
launcher (`backend.experiments.ddp_launch`); rank 0 connects (`Link.connect`) and sends what a
one-process training child sends (`backend.training.subprocess_run`): ("events", batch),
("best", state, epoch), ("weights", state), ("finished", RunFinished), and after the run the
feature maps asked for with ("watch", node). The designer sends ("stop",), ("pause",),
("resume",), ("watch", node) and ("close",).

`SyncedControl` makes rank 0's stop and pause every rank's, at the same step: the training
loop reads `paused` once per step, and that read broadcasts rank 0's two flags (one tiny
collective per step). A paused rank 0 waits for Resume; the other ranks wait in the
broadcast that follows. Ranks that disagreed about stopping would wait for each other forever.
"""

from __future__ import annotations

import socket
import threading
from multiprocessing.connection import Connection

from backend.training.events import Control


class SyncedControl(Control):
    """Stop and pause as rank 0 has them, seen by all ranks at the same step."""

    def __init__(self, rank: int, device=None) -> None:
        super().__init__()
        self.rank, self.device = rank, device
        self._synced = (False, False)  # (stop, pause)

    @property
    def paused(self) -> bool:
        """Read once per step by the loop, before `stopped`: the step's one collective."""
        self._sync()
        return self._synced[1]

    @property
    def stopped(self) -> bool:
        return self._synced[0]

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        if self.rank == 0:
            super().wait_while_paused()
        self._sync()
        return True

    def _sync(self) -> None:
        import torch
        import torch.distributed as dist

        flags = torch.zeros(2, device=self.device)
        if self.rank == 0:
            flags[0], flags[1] = float(Control.stopped.fget(self)), \
                float(Control.paused.fget(self))
        dist.broadcast(flags, src=0)
        stop, pause = (bool(v) for v in flags.tolist())
        self._synced = (stop, pause and not stop)


class Link:
    """Rank 0's connection to the designer (pickled messages over a local socket)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._send_lock = threading.Lock()
        self.closing = threading.Event()  # the designer wants no answers after the run
        self.gone = threading.Event()  # the designer closed the connection

    @classmethod
    def connect(cls, address: str) -> Link:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(address)
        return cls(Connection(sock.detach()))

    def send(self, message: tuple) -> None:
        if self.gone.is_set():
            return
        try:
            with self._send_lock:
                self.conn.send(message)
        except OSError:
            self.gone.set()

    def forward_commands(self, control: Control, done: threading.Event) -> threading.Thread:
        """Pass the designer's commands into `control` (a daemon thread) until `done`."""
        thread = threading.Thread(target=self._forward, args=(control, done), daemon=True,
                                  name="netwright-ddp-commands")
        thread.start()
        return thread

    def _forward(self, control: Control, done: threading.Event) -> None:
        while not done.is_set():
            command = self.receive(0.2)
            if command is None:
                if self.gone.is_set():
                    control.stop()  # the designer has gone: end the run
                    return
                continue
            if command[0] in ("stop", "close"):
                if command[0] == "close":
                    self.closing.set()
                control.stop()
            elif command[0] == "pause":
                control.pause()
            elif command[0] == "resume":
                control.resume()
            elif command[0] == "watch":
                control.watch_node(command[1])

    def receive(self, timeout: float):
        """The next command, or None (none within `timeout`, or the designer has gone)."""
        try:
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError):
            self.gone.set()
        return None

    def serve(self, trainer, node: str | None) -> None:
        """After the run: answer ("watch", node) with feature maps until closed."""
        from backend.training.subprocess_run import feature_event

        while not (self.closing.is_set() or self.gone.is_set()):
            if node:
                try:
                    event = feature_event(trainer, node)
                except Exception:  # a node the model cannot probe: nothing to show
                    event = None
                if event is not None:
                    self.send(("events", [event]))
            command = self.receive(1.0)
            node = None
            if command is None:
                continue
            if command[0] in ("stop", "close"):
                return
            if command[0] == "watch":
                node = command[1]
