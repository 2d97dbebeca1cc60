"""Autosave and recovery: unsaved work and a run's best weights survive a killed app; a clean
save or exit discards them; live sessions are not offered; a damaged folder is harmless."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch

from backend.build import build_model
from backend.export.weights import decode_weights, encode_weights
from backend.graph import Rename
from backend.project import Project, open_any, save_project
from backend.project.autosave import (
    ENV_VAR,
    RecoverySession,
    discard_session,
    list_sessions,
    recover,
    recovery_dir,
)
from backend.templates import make_template

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def recovery(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "recovery"
    monkeypatch.setenv(ENV_VAR, str(folder))
    return folder


def crash(session: RecoverySession) -> None:
    """Pretend the session's process died: its pid no longer runs."""
    info_path = session.folder / "session.json"
    info = json.loads(info_path.read_text())
    info["pid"] = 2**22 + 12345  # above the default pid_max: never a live process
    info_path.write_text(json.dumps(info))


def test_the_recovery_dir_follows_the_environment(recovery):
    assert recovery_dir() == recovery
    assert not recovery.exists()  # nothing is created until something is autosaved


def test_unsaved_changes_are_recovered_after_a_crash(recovery, tmp_path):
    saved = tmp_path / "net.nwproj"
    doc = make_template("lenet5")
    save_project(saved, doc)
    session = RecoverySession(saved)
    doc.apply(Rename("c1_1", "first conv"))
    session.autosave(doc)
    assert list_sessions() == []  # the window is still open: not offered
    crash(session)
    (found,) = list_sessions()
    assert found.original_path == str(saved) and found.name == "LeNet-5" and found.has_design
    assert "net.nwproj" in found.describe()
    project = recover(found)
    assert project.kind == "recovered" and project.path == saved
    assert project.doc.nodes["c1_1"].title == "first conv"
    assert open_any(saved).doc.nodes["c1_1"].title == "c1"  # the saved file is untouched
    discard_session(found)
    assert list_sessions() == []


def test_a_clean_save_discards_the_session(recovery):
    session = RecoverySession()
    session.autosave(make_template("mlp"))
    assert session.folder.is_dir()
    session.discard()
    crash_free = list_sessions()
    assert crash_free == [] and not session.folder.exists()


def test_best_weights_survive_a_killed_process(recovery, tmp_path):
    saved = tmp_path / "digits.nwproj"
    save_project(saved, make_template("mlp"))
    script = textwrap.dedent(f"""
        import os, signal, torch
        from backend.build import build_model
        from backend.project import open_any
        from backend.project.autosave import RecoverySession
        project = open_any({str(saved)!r})
        session = RecoverySession(project.path)
        torch.manual_seed(1)
        model = build_model(project.doc)
        session.save_best_weights(model.state_dict(), run={{"epoch": 3, "val_loss": 0.25}})
        torch.save(model.state_dict(), {str(tmp_path / "expected.pt")!r})
        os.kill(os.getpid(), signal.SIGKILL)
    """)
    env = {**os.environ, ENV_VAR: str(recovery), "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", script], env=env, timeout=120,
                            capture_output=True, text=True)
    assert result.returncode == -9, result.stderr[-2000:]
    (found,) = list_sessions()
    assert found.weights == ["training_best"] and not found.has_design
    project = recover(found)
    assert project.path == saved and project.doc.name == "MLP for 8×8 digits"
    assert project.runs == [{"epoch": 3, "val_loss": 0.25, "id": "training_best"}]
    expected = torch.load(tmp_path / "expected.pt", weights_only=True)  # written by the test
    model = build_model(project.doc)
    model.load_state_dict(decode_weights(project.weights["training_best"]))
    assert all(torch.equal(model.state_dict()[k], v) for k, v in expected.items())


def test_autosave_rewrites_weights_only_when_they_change(recovery):
    doc = make_template("mlp")
    weights = encode_weights(build_model(doc).state_dict())
    project = Project(doc, weights={"run_1": weights})
    project.add_run({"history": []})
    session = RecoverySession()
    session.autosave(project)
    path = session.folder / "weights" / "run_1.safetensors"
    first = path.stat().st_mtime_ns
    os.utime(path, ns=(first - 10**9, first - 10**9))
    session.autosave(project)
    assert path.stat().st_mtime_ns == first - 10**9  # same bytes object: not rewritten
    project.weights = {}
    project.runs = []
    session.autosave(project)
    assert not path.exists() and list((session.folder / "runs").iterdir()) == []


def test_autosave_never_removes_best_weights_from_training(recovery):
    doc = make_template("mlp")
    session = RecoverySession()
    session.save_best_weights(encode_weights(build_model(doc).state_dict()))
    session.autosave(Project(doc))
    assert (session.folder / "weights" / "training_best.safetensors").exists()


def test_damaged_recovery_folders_are_skipped_or_refused_cleanly(recovery):
    (recovery / "junk").mkdir(parents=True)
    (recovery / "junk" / "session.json").write_text("{not json")
    (recovery / "empty").mkdir()
    session = RecoverySession()
    session.autosave(make_template("mlp"))
    crash(session)
    (session.folder / "design.json").write_text('{"format": "netwright-design", "version": 99}')
    (found,) = list_sessions()
    with pytest.raises(ValueError, match="newer than this Netwright"):
        recover(found)
    assert sorted(p.name for p in recovery.iterdir()) == sorted(["junk", "empty", session.id])


def test_set_path_records_where_work_was_saved(recovery, tmp_path):
    session = RecoverySession()
    session.autosave(make_template("mlp"))
    session.set_path(tmp_path / "later.nwproj")
    crash(session)
    (found,) = list_sessions()
    assert found.original_path == str(tmp_path / "later.nwproj")


def test_the_trainers_keep_best_callback_persists_weights(recovery):
    from backend.templates.builder import DesignBuilder
    from backend.training import Trainer

    b = DesignBuilder("XOR")
    b.add("Input", "points", after=None, shape=[2])
    b.add("Dense", "hidden", units=4)
    b.add("Tanh", "tanh")
    b.add("Dense", "classes", units=2)
    b.section("dataset", {"name": "xor", "samples": 120})
    b.section("training", {"epochs": 2, "batch_size": 16})
    session = RecoverySession()
    session.autosave(b.doc)  # the designer autosaves when a run starts
    trainer = Trainer(b.doc, on_best=session.keep_best)
    finished = trainer.run()
    assert finished.reason == "completed", finished.message
    crash(session)
    (found,) = list_sessions()
    assert found.weights == ["training_best"]
    project = recover(found)
    assert project.path is None and project.doc.snapshot() == b.doc.snapshot()
    assert project.runs == [{"epoch": finished.best_epoch, "id": "training_best"}]
    best = decode_weights(project.weights["training_best"])
    assert all(torch.equal(best[k], v) for k, v in trainer.best_state.items())


@pytest.mark.parametrize("template", ["lenet5", "resnet18", "gan"])
def test_a_snapshot_is_written_as_the_design_was_when_it_was_taken(recovery, template):
    """Autosave writes the design on a thread from a snapshot: edits made meanwhile (a
    rename, a move, new parameters, a new layer) are not in the file, which reads exactly
    as a save at the moment of the snapshot."""
    from backend.graph import AddNode, Move, Node, SetParams
    from backend.project.design import dumps

    doc = make_template(template)
    before = dumps(doc)
    session = RecoverySession(root=recovery)
    snapshot = session.snapshot(doc)
    first = next(iter(doc.nodes))
    doc.apply(Rename(first, "renamed"))
    doc.apply(Move(((first, (999.0, 999.0)),)))
    doc.apply(SetParams(first, {**doc.nodes[first].params, "extra": 1}))
    doc.apply(AddNode(Node("late", "ReLU", {}, "late", (0.0, 0.0))))
    assert session.write_design(snapshot)
    assert (session.folder / "design.json").read_text() == before
    session.discard()
    assert not session.write_design(snapshot)  # taken before the discard: not written
    assert not session.folder.exists()
