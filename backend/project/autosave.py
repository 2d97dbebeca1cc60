"""Autosave and crash recovery, Qt-free: unsaved work and best weights survive a crash.

Each designer window owns a `RecoverySession`: a folder `<recovery dir>/<session id>/` with
`session.json` (original path, name, time, pid), `design.json`, `runs/NAME.json` and
`weights/NAME.safetensors`. The folder is created on the first write; every write is atomic.
The designer calls `autosave(...)` every `AUTOSAVE_SECONDS` while there are unsaved changes
and when a training run starts (so the trained design is there too), passes `keep_best` as
the trainer's `on_best` callback, and calls `discard()` after a clean save or exit. At start,
`list_sessions()` finds what a crashed session left behind and `recover(...)` opens it as a
Project (read with the same limits as any untrusted file).

The recovery dir is `$NETWRIGHT_RECOVERY_DIR` if set, else the platform's user data folder.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from backend.graph.document import GraphDocument
from backend.project.atomic import atomic_save
from backend.project.design import DesignFileError, dumps_data, snapshot_to_dict
from backend.project.design import snapshot as design_snapshot
from backend.project.project import Project, design_from_data, open_any
from backend.project.safe import (
    MAX_JSON_BYTES,
    ProjectFileError,
    check_safetensors,
    parse_json,
    read_regular,
    safe_name,
)
from backend.project.weights_store import ArchiveEntry, weights_source, write_weights_value

ENV_VAR = "NETWRIGHT_RECOVERY_DIR"
AUTOSAVE_SECONDS = 30
BEST = "training_best"
FORMAT = "netwright-recovery"
MAX_WEIGHTS_BYTES = 8 * 1024**3


def recovery_dir() -> Path:
    """Where recovery sessions live (not created here)."""
    override = os.environ.get(ENV_VAR)
    if override:
        return Path(override)
    home = Path.home()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "Netwright"
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support" / "Netwright"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share") / "netwright"
    return base / "recovery"


@dataclass
class RecoverableSession:
    """What a session that did not end cleanly left behind."""

    id: str
    folder: Path
    original_path: str | None
    name: str
    saved_at: float
    has_design: bool
    weights: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line: name (where it was saved), when it was autosaved, its trained weights."""
        return f"{self.name} ({self.where()}), {self.when()}"

    def where(self) -> str:
        return self.original_path or "never saved"

    def when(self) -> str:
        """'autosaved 2026-11-30 05:12' and the names of its trained weights, if any."""
        stamp = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved_at))
        extra = f", trained weights: {', '.join(self.weights)}" if self.weights else ""
        return f"autosaved {stamp}{extra}"


class RecoverySession:
    """The recovery folder of one running designer window."""

    def __init__(self, original_path: str | Path | None = None, root: Path | None = None,
                 session_id: str | None = None) -> None:
        self.id = session_id or uuid.uuid4().hex
        self.folder = (root or recovery_dir()) / self.id
        self.original_path = str(original_path) if original_path else None
        self.name = "Untitled"
        self._written: dict[str, bytes] = {}  # weights already on disk, by identity
        self._pinned: set[str] = set()  # names written by save_best_weights
        self._lock = threading.Lock()  # a design written on another thread, and discard
        self._generation = 0

    def set_path(self, path: str | Path | None) -> None:
        """Record where the work is saved (after Save As or Open)."""
        self.original_path = str(path) if path else None
        if self.folder.exists():
            self._write_session()

    def autosave(self, project: Project | GraphDocument) -> Path:
        """Write the current, unsaved state; weights are rewritten only when they changed."""
        if isinstance(project, GraphDocument):
            project = Project(project)
        self.write_design(self.snapshot(project.doc))
        self.autosave_files(project)
        return self.folder

    def snapshot(self, doc: GraphDocument) -> tuple[tuple, int]:
        """The design as it is now, for `write_design` on another thread, and the session's
        generation (backend.project.design.snapshot: milliseconds for thousands of layers)."""
        return design_snapshot(doc), self.generation

    @property
    def generation(self) -> int:
        """Counts the discards: a snapshot taken before one is not written after it."""
        return self._generation

    def write_design(self, snapshot: tuple[dict, int]) -> bool:
        """Write a snapshot of the design (from any thread); False when the session was
        discarded since it was taken. Raises DesignFileError or OSError when it cannot."""
        snap, generation = snapshot
        text = dumps_data(snapshot_to_dict(snap)).encode("utf-8")
        with self._lock:
            if generation != self._generation:
                return False
            self.name = snap[0]
            self._ensure_folder()
            atomic_save(self.folder / "design.json", lambda tmp: tmp.write_bytes(text), False)
        return True

    def autosave_files(self, project: Project) -> None:
        """Write the project's weights (those that changed) and runs."""
        self._ensure_folder()
        for name in project.weights:
            value = weights_source(project.weights, name)  # nothing read from a project file
            if safe_name(name) and name not in self._pinned and \
                    self._written.get(name) is not value:
                self._write_weights(name, value)
        self._remove_stale("weights", ".safetensors", set(project.weights))
        for run in project.runs:
            if safe_name(run.get("id")) and run["id"] not in self._pinned:
                self._write_run(run["id"], run)
        self._remove_stale("runs", ".json", {r.get("id") for r in project.runs})

    def save_best_weights(self, weights, name: str = BEST, run: dict | None = None) -> Path:
        """Persist a training run's best weights now (safetensors bytes or a state_dict).

        Safe to call from the training thread; autosave never overwrites or removes them.
        """
        if not safe_name(name):
            raise ProjectFileError(f"{name!r} is not a valid weights name")
        if not isinstance(weights, bytes | bytearray):
            from backend.export.weights import encode_weights

            weights = encode_weights(weights)
        self._ensure_folder()
        self._pinned.add(name)
        path = self._write_weights(name, bytes(weights))
        if run is not None:
            self._write_run(name, {**run, "id": name})
        return path

    def keep_best(self, state: dict, epoch: int) -> None:
        """The trainer's `on_best(state_dict, epoch)` callback: persist the new best weights."""
        self.save_best_weights(state, run={"epoch": int(epoch)})

    def discard(self) -> None:
        """Forget this session's recovery data (after a clean save or exit); a design being
        written on another thread is finished first, and none taken before is written after."""
        with self._lock:
            self._generation += 1
            shutil.rmtree(self.folder, ignore_errors=True)
        self._written.clear()
        self._pinned.clear()

    # -- files ----------------------------------------------------------------------------------
    def _ensure_folder(self) -> None:
        if not self.folder.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
        self._write_session()

    def _write_session(self) -> None:
        import json

        info = {"format": FORMAT, "version": 1, "id": self.id, "name": self.name,
                "original_path": self.original_path, "saved_at": time.time(),
                "pid": os.getpid(), "host": socket.gethostname()}
        data = json.dumps(info, indent=1, sort_keys=True).encode("utf-8")
        atomic_save(self.folder / "session.json", lambda tmp: tmp.write_bytes(data), False)

    def _write_weights(self, name: str, value: bytes | ArchiveEntry) -> Path:
        """Write weights (bytes, or streamed from the project file they are in)."""
        if not isinstance(value, ArchiveEntry):  # entries were checked when opened
            check_safetensors(value, f"weights '{name}'")
        folder = self.folder / "weights"
        folder.mkdir(exist_ok=True)
        path = folder / f"{name}.safetensors"

        def write(tmp: Path) -> None:
            with open(tmp, "wb") as out:
                write_weights_value(value, out)

        atomic_save(path, write, False)
        self._written[name] = value
        return path

    def _write_run(self, name: str, run: dict) -> None:
        import json

        folder = self.folder / "runs"
        folder.mkdir(exist_ok=True)
        data = json.dumps(run, sort_keys=True, allow_nan=False).encode("utf-8")
        atomic_save(folder / f"{name}.json", lambda tmp: tmp.write_bytes(data), False)

    def _remove_stale(self, folder: str, suffix: str, keep: set) -> None:
        for path in (self.folder / folder).glob(f"*{suffix}"):
            if path.stem not in keep and path.stem not in self._pinned:
                path.unlink(missing_ok=True)
                self._written.pop(path.stem, None)


def list_sessions(root: Path | None = None) -> list[RecoverableSession]:
    """Sessions left by windows that did not end cleanly, newest first (reads only)."""
    root = root or recovery_dir()
    if not root.is_dir():
        return []
    found = []
    for folder in sorted(root.iterdir()):
        session = _read_session(folder)
        if session is not None and (session.has_design or session.weights):
            found.append(session)
    return sorted(found, key=lambda s: s.saved_at, reverse=True)


def _read_session(folder: Path) -> RecoverableSession | None:
    try:
        info = parse_json(_read(folder / "session.json", 1024 * 1024), "session.json")
    except (OSError, ProjectFileError):
        return None
    if not isinstance(info, dict) or info.get("format") != FORMAT:
        return None
    if _alive(info.get("pid"), info.get("host")):
        return None
    weights = sorted(p.stem for p in (folder / "weights").glob("*.safetensors")
                     if safe_name(p.stem))
    saved = info.get("saved_at")
    original = info.get("original_path")
    return RecoverableSession(
        folder.name, folder, original if isinstance(original, str) else None,
        str(info.get("name", "Untitled"))[:200],
        float(saved) if isinstance(saved, int | float) else 0.0,
        (folder / "design.json").is_file(), weights)


def _alive(pid: object, host: object) -> bool:
    """True if the session's process still runs here (so it is not a crashed session)."""
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False
    if host != socket.gethostname() or os.name == "nt":
        return False  # os.kill(pid, 0) would signal the process on Windows
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def recover(session: RecoverableSession) -> Project:
    """The session's work as a Project whose `path` is where it was last saved (or None)."""
    folder = session.folder
    warnings = []
    if session.has_design:
        raw = _read(folder / "design.json", MAX_JSON_BYTES)
        project = Project(design_from_data(parse_json(raw, "the autosaved design"),
                                  "the autosaved design"))
    elif session.original_path:
        project = open_any(session.original_path)
        warnings.append("the design had no unsaved changes; recovered weights were added to "
                        "the saved file's content")
    else:
        raise ProjectFileError("this recovery session holds weights but no design: discard it")
    project.path = Path(session.original_path) if session.original_path else None
    project.kind = "recovered"
    project.warnings += warnings
    _attach(project, folder)
    return project


def _attach(project: Project, folder: Path) -> None:
    for path in sorted((folder / "runs").glob("*.json")):
        if safe_name(path.stem):
            run = parse_json(_read(path, MAX_JSON_BYTES), f"recovered run {path.stem}")
            if isinstance(run, dict):
                project.runs = [r for r in project.runs if r.get("id") != path.stem]
                from backend.project.runs import readable_run

                project.runs.append({**readable_run(run), "id": path.stem})
    for path in sorted((folder / "weights").glob("*.safetensors")):
        if safe_name(path.stem):
            from backend.memory import require_memory

            require_memory(path.stat().st_size, f"the recovered weights {path.stem}",
                           ProjectFileError)
            raw = _read(path, MAX_WEIGHTS_BYTES)
            check_safetensors(raw, f"recovered weights {path.stem}")
            project.weights[path.stem] = raw


def _read(path: Path, limit: int) -> bytes:
    try:
        return read_regular(path, limit, "a recovery file")
    except ProjectFileError as exc:
        raise ProjectFileError(f"the recovery file {path.name} cannot be read ({exc}): "
                               "discard it") from None


def discard_session(session: RecoverableSession | str, root: Path | None = None) -> None:
    """Remove a recoverable session (recovered and saved elsewhere, or declined)."""
    folder = session.folder if isinstance(session, RecoverableSession) else \
        (root or recovery_dir()) / session
    if safe_name(folder.name):
        shutil.rmtree(folder, ignore_errors=True)


__all__ = ["AUTOSAVE_SECONDS", "ENV_VAR", "DesignFileError", "RecoverableSession",
           "RecoverySession", "discard_session", "list_sessions", "recover", "recovery_dir"]
