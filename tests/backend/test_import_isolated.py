"""Importing a .py file runs it in a child process: a file that crashes the interpreter,
never finishes or eats all memory is one sentence, the caller can cancel, and no child is
left behind. (Each case starts a Python with torch, so the set is kept small.)"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import pytest

from backend.importer.isolated import ImportCancelled, import_file_isolated
from backend.importer.user_code import FxImportError

NET = """
import torch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)

    def forward(self, x):
        return self.fc(x)
"""


@pytest.fixture
def children(monkeypatch):
    """The child processes started during the test."""
    started: list[subprocess.Popen] = []
    real = subprocess.Popen

    def popen(*args, **kwargs):
        started.append(real(*args, **kwargs))
        return started[-1]

    monkeypatch.setattr(subprocess, "Popen", popen)
    return started


def _file(tmp_path, tail: str, head: str = ""):
    path = tmp_path / "net.py"
    path.write_text(head + NET + tail)
    return path


def test_a_file_that_crashes_the_interpreter_is_one_sentence(tmp_path, children):
    path = _file(tmp_path, "print('loading data')\nimport ctypes\nctypes.string_at(0)\n")
    with pytest.raises(FxImportError) as info:
        import_file_isolated(path, [[4]], "Net")
    assert str(info.value).startswith("importing net.py crashed (signal 11)")
    assert "\n" not in str(info.value)
    assert all(child.poll() is not None for child in children)


def test_a_file_that_never_finishes_is_stopped_at_the_time_limit(tmp_path, children):
    path = _file(tmp_path, "while True:\n    pass\n")
    start = time.monotonic()
    with pytest.raises(FxImportError, match="did not finish within 2 s"):
        import_file_isolated(path, [[4]], "Net", timeout=2)
    assert time.monotonic() - start < 60  # start-up, then two seconds of the file
    assert all(child.poll() is not None for child in children)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS binds on Linux")
def test_a_file_that_allocates_without_end_hits_the_memory_limit(tmp_path):
    path = _file(tmp_path, "hoard = [bytearray(10**8) for _ in range(100)]\n")
    with pytest.raises(FxImportError, match="needs more memory than the 2 GB it may use"):
        import_file_isolated(path, [[4]], "Net", memory=2 * 1024**3, timeout=120)


def test_cancel_stops_the_child_at_once(tmp_path, children):
    path = _file(tmp_path, "import time\ntime.sleep(600)\n")
    cancel = threading.Event()
    stages: list[str] = []

    def progress(text: str) -> None:
        stages.append(text)
        if text.startswith("Running"):
            cancel.set()

    with pytest.raises(ImportCancelled, match="cancelled"):
        import_file_isolated(path, [[4]], "Net", progress=progress, cancel=cancel)
    assert stages[-1] == "Running net.py"
    assert all(child.poll() is not None for child in children)
