"""Importing a .py file in a child process, so the user's code cannot take us down.

Importing a PyTorch module runs the user's file. `import_file_isolated` does that in a fresh
Python process (`python -m backend.importer.child`; nothing of ours is inherited but the
request), limited in memory where the OS allows (`RLIMIT_AS` on Linux and macOS) and in time:
a file that crashes the interpreter, calls `sys.exit` or `os._exit`, waits for input, loops
forever or allocates without end costs the designer or the command line nothing but one
sentence. The child reports its stage as it goes (`progress`), a `cancel` event stops it at
once, and the time limit counts from the moment the child is ready (our own start-up is not
the user's code). Messages come back as JSON lines on the child's stdout (the user's prints
go to its stderr); the design and the weights come back in temporary files.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from backend.importer.user_code import FxImportError

TIMEOUT_S = 300.0  # for the user's code, from the moment the child is ready
STARTUP_S = 180.0  # for the child to start Python and load torch
MIN_MEMORY = 2 * 1024**3


class ImportCancelled(FxImportError):
    """The user stopped the import."""


def memory_limit() -> int | None:
    """Bytes the child may map: 60 % of the machine's memory (at least 2 GB), or None where
    it cannot be measured or limited."""
    try:
        import resource  # noqa: F401  (POSIX only)

        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ImportError, ValueError, OSError, AttributeError):
        return None
    return max(MIN_MEMORY, int(total * 0.6))


def import_file_isolated(path: str | Path, input_shapes: list[list[int]],
                         class_name: str | None = None, args: str | None = None,
                         weights: str | Path | None = None, timeout: float = TIMEOUT_S,
                         progress: Callable[[str], None] | None = None,
                         cancel: threading.Event | None = None, memory: int | None = -1):
    """`backend.importer.fx.import_file` run in a child process: the same FxImport or
    FxImportError, and one sentence for a child that crashed, hung or ran out of memory.
    `memory` is the child's limit in bytes (-1: `memory_limit()`, None: none)."""
    from backend.importer.fx import FxImport

    path = Path(path).resolve()
    with tempfile.TemporaryDirectory(prefix="netwright-import-") as folder:
        out = Path(folder)
        request = {"path": str(path), "shapes": input_shapes, "class_name": class_name,
                   "args": args, "weights": str(weights) if weights else None,
                   "out": folder, "memory": memory_limit() if memory == -1 else memory}
        (out / "request.json").write_text(json.dumps(request), encoding="utf-8")
        with open(out / "stderr.txt", "wb") as errors:
            child = subprocess.Popen(
                [sys.executable, "-m", "backend.importer.child", str(out / "request.json")],
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=errors,
                cwd=str(path.parent))
            try:
                message = _wait(child, path.name, timeout, progress, cancel, out)
            finally:
                _stop(child)
        if message["kind"] == "error":
            raise FxImportError(message["message"], [tuple(i) for i in message["items"]])
        doc = _design((out / "design.json").read_text(encoding="utf-8"))
        return FxImport(doc, (out / "weights.safetensors").read_bytes(),
                        list(message["warnings"]), float(message["max_difference"]))


def _wait(child, name: str, timeout: float, progress, cancel, out: Path) -> dict:
    """The child's final message, passing its stages on; raises when it fails to answer."""
    lines: queue.Queue = queue.Queue()
    reader = threading.Thread(target=_read, args=(child.stdout, lines), daemon=True,
                              name="netwright-import-reader")
    reader.start()
    deadline = time.monotonic() + STARTUP_S
    while True:
        if cancel is not None and cancel.is_set():
            raise ImportCancelled("the import was cancelled: nothing was imported")
        try:
            message = lines.get(timeout=0.1)
        except queue.Empty:
            message = None
        if message is None and reader.is_alive() is False and lines.empty():
            raise FxImportError(_ended(name, child, out))
        if message is not None and message["kind"] == "ready":
            deadline = time.monotonic() + timeout
        elif message is not None and message["kind"] == "stage":
            if progress is not None:
                progress(message["text"])
        elif message is not None:
            return message
        if time.monotonic() > deadline:
            raise FxImportError(f"importing {name} did not finish within {timeout:g} s (the "
                                "file may wait for input, loop forever or build a very large "
                                "model): make importing the file only define the model, or "
                                "give a smaller input shape")


def _read(stream, lines: queue.Queue) -> None:
    for raw in stream:
        try:
            message = json.loads(raw)
        except ValueError:
            continue
        if isinstance(message, dict) and "kind" in message:
            lines.put(message)
    stream.close()


def _ended(name: str, child, out: Path) -> str:
    try:
        code = child.wait(5)
    except subprocess.TimeoutExpired:
        code = None
    said = _last_line(out / "stderr.txt")
    said = f" (it last printed: {said})" if said else ""
    if code is not None and code < 0:
        how = "was killed (out of memory?)" if code == -9 else f"crashed (signal {-code})"
        return (f"importing {name} {how}{said}: nothing was imported; run the file with "
                "python to see what fails, or give a smaller input shape")
    return (f"{name} ended the import process (exit code {code}) before the import "
            f"finished{said}, e.g. with os._exit: remove that from the file, or guard it "
            "with `if __name__ == \"__main__\":`")


def _last_line(path: Path) -> str:
    try:
        text = path.read_bytes()[-2000:].decode("utf-8", "replace")
    except OSError:
        return ""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:160] if lines else ""


def _stop(child) -> None:
    if child.poll() is None:
        child.kill()
    try:
        child.wait(5)
    except subprocess.TimeoutExpired:
        pass
    if child.stdout is not None:
        child.stdout.close()


def _design(text: str):
    from backend.project.project import design_from_data
    from backend.project.safe import parse_json

    return design_from_data(parse_json(text.encode("utf-8"), "the import"), "the import")
