"""No output destroys work: outputs equal to an input or an existing file are refused before
any training (or replaced only with --force, keeping a .bak), a result that cannot be written
after training is kept in the recovery folder and the user is told where."""

from __future__ import annotations

import errno
import os

import pytest

from backend.cli import main
from backend.project import load_design, open_any, save_design
from backend.project.autosave import list_sessions, recover
from backend.templates import make_template


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def design(tmp_path):
    doc = make_template("mlp")
    doc.sections["training"].update(epochs=1, val_fraction=0.2)
    path = tmp_path / "m.json"
    save_design(doc, path)
    return path


def test_training_into_its_own_design_is_refused_and_the_design_kept(design, capsys):
    before = design.read_bytes()
    for extra in ([], ["--force"]):
        code, out, err = run(capsys, "train", design, "--out", design, *extra)
        assert code == 2 and "is the design being trained" in err and "training on" not in err
        assert design.read_bytes() == before


def test_training_into_a_data_file_is_refused(design, tmp_path, capsys):
    data = tmp_path / "data.csv"
    data.write_text("a,b,label\n1,2,0\n")
    doc = load_design(design)
    doc.sections["dataset"] = {"name": "csv", "path": "data.csv", "target": "label"}
    save_design(doc, design)
    code, _, err = run(capsys, "train", design, "--out", data, "--force")
    assert code == 2 and "one of the files it reads" in err
    assert data.read_text() == "a,b,label\n1,2,0\n"


def test_an_existing_output_is_refused_before_training_unless_forced(design, capsys):
    weights = design.with_suffix(".safetensors")
    weights.write_bytes(b"my own file")
    code, _, err = run(capsys, "train", design)
    assert code == 2 and "already exists" in err and "--force" in err
    assert "training on" not in err and weights.read_bytes() == b"my own file"
    code, out, _ = run(capsys, "train", design, "--force")
    assert code == 0 and weights.read_bytes()[8:9] == b"{"
    assert (design.parent / "m.safetensors.bak").read_bytes() == b"my own file"


def test_training_into_another_project_needs_force(design, tmp_path, capsys):
    other = tmp_path / "other.nwproj"
    code, _, _ = run(capsys, "new", "--template", "lenet5", "-o", other)
    assert code == 0
    code, _, err = run(capsys, "train", design, "--out", other)
    assert code == 2 and "already exists" in err
    assert open_any(other).doc.name != load_design(design).name


@pytest.mark.parametrize("out, words", [
    ("a" * 300 + ".safetensors", "longer than this file system allows"),
    ("missing/w.safetensors", "does not exist"),
    (".", "not a file name"),
])
def test_outputs_that_cannot_be_written_are_refused_before_training(design, capsys, out,
                                                                     words):
    os.chdir(design.parent)
    code, _, err = run(capsys, "train", design, "--out", out)
    assert code == 2 and words in err and "training on" not in err


def test_a_pipe_or_folder_as_output_is_refused(design, tmp_path, capsys):
    fifo = tmp_path / "out.safetensors"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "train", design, "--out", fifo, "--force")
    assert code == 2 and "not a regular file" in err
    code, _, err = run(capsys, "export", design, "--python", tmp_path, "--force")
    assert code == 2 and "folder" in err


def test_a_result_that_cannot_be_saved_is_kept_in_the_recovery_folder(
        design, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    monkeypatch.setattr("backend.project.autosave._alive", lambda pid, host: False)  # as after exit

    from backend.project import atomic

    real_commit = atomic.commit

    def disk_full_beside_the_design(tmp, path, backup):
        if path.parent == design.parent:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_commit(tmp, path, backup)

    monkeypatch.setattr(atomic, "commit", disk_full_beside_the_design)
    code, out, err = run(capsys, "train", design)
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert "cannot save m.safetensors: the disk is full" in last
    assert "the trained run was kept in" in last and "recover it at its next start" in last
    assert not design.with_suffix(".safetensors").exists()
    assert [p.name for p in design.parent.iterdir() if p.name.startswith(".")] == []
    (session,) = list_sessions(tmp_path / "recovery")
    project = recover(session)
    assert project.doc.name == load_design(design).name and "trained" in project.weights
    assert project.runs[0]["final"]["epochs_done"] == 1


def test_new_and_export_replace_only_with_force_and_keep_a_backup(design, tmp_path, capsys):
    out = tmp_path / "model.py"
    out.write_text("# mine\n")
    code, _, err = run(capsys, "export", design, "--python", out)
    assert code == 2 and "already exists" in err
    assert run(capsys, "export", design, "--python", out, "--force")[0] == 0
    assert (tmp_path / "model.py.bak").read_text() == "# mine\n"
    code, out_text, _ = run(capsys, "new", "--template", "lenet5", "-o", design, "--force")
    assert code == 0 and "kept as m.json.bak" in out_text
    assert load_design(tmp_path / "m.json.bak").name == make_template("mlp").name


def test_a_save_over_a_backup_that_is_already_a_link_to_the_file_leaves_no_temp_file(tmp_path):
    """A save killed after keeping its backup leaves NAME.bak as a second link to NAME; the
    next save's backup rename then does nothing and used to leave its temp file behind."""
    target = tmp_path / "d.json"
    save_design(make_template("mlp"), target)
    os.link(target, tmp_path / "d.json.bak")
    design = make_template("mlp")
    design.name = "second"
    save_design(design, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json", "d.json.bak"]
    assert load_design(target).name == "second"
    assert load_design(tmp_path / "d.json.bak").name != "second"
