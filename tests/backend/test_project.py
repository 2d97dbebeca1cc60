"""Project files: round trip of design, weights and runs; plain JSON designs; backups; atomic
saves; migrations; newer versions refused."""

from __future__ import annotations

import json
import zipfile

import pytest
import torch

from backend.build import build_model
from backend.export.weights import decode_weights, encode_weights, load_into
from backend.project import (
    Project,
    ProjectFileError,
    doc_to_dict,
    from_dict,
    json_drops,
    open_any,
    save_project,
)
from backend.project.archive import write_entries
from backend.project.migrations import PROJECT_VERSION, migrate_project
from backend.templates import make_template


def trained_project() -> Project:
    doc = make_template("mlp")
    torch.manual_seed(0)
    model = build_model(doc)
    project = Project(doc)
    run = {"settings": {"epochs": 2}, "history": [{"epoch": 1, "val_loss": 0.5}],
           "final": {"test_accuracy": 0.9}}
    project.add_run(run, encode_weights(model.state_dict()))
    return project


def test_project_round_trip_keeps_design_weights_and_runs(tmp_path):
    project = trained_project()
    path = tmp_path / "digits.nwproj"
    assert save_project(path, project) is None  # nothing to back up yet
    again = open_any(path)
    assert again.kind == "project" and again.path == path
    assert again.doc.snapshot() == project.doc.snapshot()
    assert again.runs == project.runs and again.runs[0]["id"] == "run_1"
    assert again.weights == project.weights and again.default_weights() == "run_1"
    model = build_model(again.doc)
    load_into(model, again.weights["run_1"])
    original = decode_weights(project.weights["run_1"])
    assert all(torch.equal(model.state_dict()[k], v) for k, v in original.items())
    with zipfile.ZipFile(path) as zf:
        assert sorted(zf.namelist()) == ["project.json", "runs/run_1.json",
                                         "weights/run_1.safetensors"]
        head = json.loads(zf.read("project.json"))
    assert head["format"] == "netwright-project" and head["version"] == PROJECT_VERSION


def test_saving_twice_keeps_the_previous_version_as_backup(tmp_path):
    path = tmp_path / "net.nwproj"
    project = trained_project()
    save_project(path, project)
    first = path.read_bytes()
    project.doc.name = "Renamed"
    backup = save_project(path, project)
    assert backup == tmp_path / "net.nwproj.bak" and backup.read_bytes() == first
    assert open_any(path).doc.name == "Renamed"
    assert open_any(backup).doc.name == "MLP for 8×8 digits"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.nwproj", "net.nwproj.bak"]


def test_saves_are_reproducible_byte_for_byte(tmp_path):
    project = trained_project()
    save_project(tmp_path / "a.nwproj", project)
    save_project(tmp_path / "b.nwproj", project)
    assert (tmp_path / "a.nwproj").read_bytes() == (tmp_path / "b.nwproj").read_bytes()


def test_a_failed_save_leaves_the_old_file_and_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "net.nwproj"
    project = trained_project()
    save_project(path, project)
    before = path.read_bytes()

    def broken(zf, entries):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("backend.project.project.write_entries", broken)
    with pytest.raises(ProjectFileError, match="disk is full.*previous version is unchanged"):
        save_project(path, project)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["net.nwproj"]


def test_plain_json_designs_still_open_and_save(tmp_path):
    doc = make_template("lenet5")
    path = tmp_path / "lenet.json"
    save_project(path, doc)
    text = path.read_text()
    assert text.startswith("{\n") and '"format": "netwright-design"' in text
    project = open_any(path)
    assert project.kind == "design" and project.doc.snapshot() == doc.snapshot()
    assert project.weights == {} and project.runs == []
    save_project(path, project)
    assert (tmp_path / "lenet.json.bak").read_text() == text


def test_saving_weights_as_json_says_what_would_be_lost():
    assert "save as .nwproj" in json_drops(trained_project())
    assert json_drops(Project(make_template("mlp"))) is None


def test_first_migration_adds_the_indexes_from_an_old_archive(tmp_path):
    project = trained_project()
    old = {"format": "netwright-project", "version": 1, "design": doc_to_dict(project.doc)}
    path = tmp_path / "old.nwproj"
    with zipfile.ZipFile(path, "w") as zf:
        write_entries(zf, [("project.json", json.dumps(old).encode(), True),
                           ("runs/run_1.json", json.dumps(project.runs[0]).encode(), True),
                           ("weights/run_1.safetensors", project.weights["run_1"], False),
                           ("notes/readme.txt", b"ignored", True)])
    again = open_any(path)
    assert again.doc.snapshot() == project.doc.snapshot()
    assert list(again.weights) == ["run_1"] and again.runs[0]["id"] == "run_1"
    assert again.meta == {}


def test_migration_steps_are_pure_and_reach_the_current_version():
    data = {"format": "netwright-project", "version": 1, "design": {}}
    migrated = migrate_project(data, ["weights/a.safetensors", "runs/b.json", "x/../y"], "f")
    assert migrated["version"] == PROJECT_VERSION
    assert migrated["weights"] == ["a"] and migrated["runs"] == ["b"] and migrated["meta"] == {}
    assert data == {"format": "netwright-project", "version": 1, "design": {}}


def test_a_project_from_a_newer_netwright_is_refused_with_a_sentence(tmp_path):
    path = tmp_path / "future.nwproj"
    head = {"format": "netwright-project", "version": PROJECT_VERSION + 1, "design": {}}
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("project.json", json.dumps(head))
    with pytest.raises(ProjectFileError, match="saved by a newer Netwright.*update Netwright"):
        open_any(path)


def test_open_detects_the_kind_by_content(tmp_path):
    project = trained_project()
    odd = tmp_path / "named-like-json.json"
    save_project(tmp_path / "p.nwproj", project)
    odd.write_bytes((tmp_path / "p.nwproj").read_bytes())
    assert open_any(odd).kind == "project"
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(ProjectFileError, match="is not a Netwright file"):
        open_any(tmp_path / "notes.txt")
    with pytest.raises(ProjectFileError, match="does not exist"):
        open_any(tmp_path / "missing.nwproj")
    with pytest.raises(ProjectFileError, match="is a folder"):
        open_any(tmp_path)


def test_add_run_gives_unique_safe_ids():
    project = Project(make_template("mlp"))
    assert project.add_run({"id": "../../etc"}) == "run_1"
    assert project.add_run({"id": "baseline"}) == "baseline"
    assert project.add_run({"id": "baseline"}) == "run_2"  # after the highest numbered run
    with pytest.raises(ProjectFileError):
        project.add_run({}, b"not safetensors")


def test_a_real_training_run_is_stored_in_the_project(tmp_path):
    from backend.export.weights import model_weights
    from backend.project.runs import run_record, store_run
    from backend.templates.builder import DesignBuilder
    from backend.training import Trainer

    b = DesignBuilder("XOR")
    b.add("Input", "points", after=None, shape=[2])
    b.add("Dense", "hidden", units=4)
    b.add("Tanh", "tanh")
    b.add("Dense", "classes", units=2)
    b.section("dataset", {"name": "xor", "samples": 120})
    b.section("training", {"epochs": 2, "batch_size": 16})
    trainer = Trainer(b.doc)
    finished = trainer.run()
    assert finished.reason == "completed", finished.message
    path = tmp_path / "xor.nwproj"
    run_id = store_run(path, run_record(b.doc, finished), model_weights(trainer.model), b.doc)
    second = store_run(path, run_record(b.doc, finished), model_weights(trainer.model))
    project = open_any(path)
    assert [r["id"] for r in project.runs] == [run_id, second] == ["run_1", "run_2"]
    run = project.runs[0]
    assert len(run["history"]) == 2 and run["final"]["reason"] == "completed"
    assert run["training"]["epochs"] == 2 and run["training"]["batch_size"] == 16
    assert run["training"]["optimizer"] == "adam"  # the settings it used, defaults written
    assert from_dict(run["design"]).snapshot() == b.doc.snapshot()
    assert project.default_weights() == "run_2"
    model = build_model(project.doc)
    load_into(model, project.weights["run_1"])
    assert (tmp_path / "xor.nwproj.bak").exists()
    with pytest.raises(ProjectFileError, match="save it as .nwproj first"):
        store_run(tmp_path / "xor.json", run)
