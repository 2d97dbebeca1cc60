"""A process killed (SIGKILL) at a random instant while it saves a project, a design or its
autosave never leaves a broken target or backup, and the temp files it leaves are removed by
the next open or save."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backend.project import open_any, save_project
from backend.project.weights_store import WeightsStore
from backend.templates import make_template

ROOT = Path(__file__).resolve().parents[2]
SAVER = """
import json, sys, time
from backend.project import Project, save_project
from backend.project.autosave import RecoverySession
from backend.templates import make_template

target, kind, blob = sys.argv[1], sys.argv[2], open(sys.argv[3], "rb").read()
doc = make_template("lenet5")
session = RecoverySession(target, session_id="killed") if kind == "autosave" else None
k = 0
while True:
    k += 1
    doc.name = f"version {k}"
    project = Project(doc, weights={"w": blob}, meta={"version": k})
    if session is not None:
        session.autosave(project)
    else:
        save_project(target, project)
    if k == 1:
        print("saving", flush=True)
"""


def weights_blob(size: int) -> bytes:
    header = json.dumps({"w": {"dtype": "U8", "shape": [size], "data_offsets": [0, size]}})
    header += " " * (-len(header) % 8)
    return len(header).to_bytes(8, "little") + header.encode() + os.urandom(size)


def check_intact(path: Path) -> None:
    project = open_any(path)  # one sentence if broken, and the test fails
    assert project.doc.name.startswith("version") or project.doc.name == "first"
    if ".nwproj" in path.name:
        assert len(project.weights["w"]) >= 1000  # every byte read back (CRC checked)


def kill_while_saving(tmp_path: Path, kind: str, target: Path, kills: int) -> int:
    """Kill `kills` saving processes; returns how many were killed in the middle of writing
    (they left a temp file)."""
    blob_file = tmp_path / "blob"
    blob_file.write_bytes(weights_blob(3_000_000))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NETWRIGHT_RECOVERY_DIR": str(tmp_path)}
    rng = random.Random(kills)
    interrupted = 0
    for _ in range(kills):
        child = subprocess.Popen([sys.executable, "-c", SAVER, str(target), kind,
                                  str(blob_file)], stdout=subprocess.PIPE, env=env)
        assert child.stdout.readline().strip() == b"saving"
        time.sleep(rng.uniform(0, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()
        interrupted += any(tmp_path.rglob("*.tmp"))
        if kind == "autosave":
            check_intact(tmp_path / "killed" / "design.json")
            weights = tmp_path / "killed" / "weights" / "w.safetensors"
            assert weights.read_bytes() == blob_file.read_bytes()
        else:
            check_intact(target)
            check_intact(target.with_name(target.name + ".bak"))
    return interrupted


@pytest.mark.parametrize("kind, name", [("project", "p.nwproj"), ("design", "d.json"),
                                        ("autosave", "a.nwproj")])
def test_killed_saves_never_break_the_target_or_its_backup(tmp_path, kind, name, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path))  # where the killed ones wrote
    target = tmp_path / name
    first = make_template("mlp")
    first.name = "first"
    if kind != "autosave":
        weights = {"w": weights_blob(1000)} if name.endswith(".nwproj") else {}
        save_project(target, first, weights=WeightsStore(weights))
    kill_while_saving(tmp_path, kind, target, kills=4)
    if kind == "autosave":
        from backend.project.autosave import RecoverySession

        RecoverySession(target, session_id="killed").autosave(first)
        assert list((tmp_path / "killed").rglob("*.tmp")) == []
    else:
        open_any(target)
        assert list(tmp_path.glob("*.tmp")) == []  # the killed saves' temp files are gone


@pytest.mark.slow
def test_many_kills_during_project_saves(tmp_path):
    target = tmp_path / "p.nwproj"
    save_project(target, make_template("mlp"), weights={"w": weights_blob(1000)})
    assert kill_while_saving(tmp_path, "project", target, kills=40) > 10
    save_project(target, open_any(target))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blob", "p.nwproj", "p.nwproj.bak"]
