"""Runs from the command line: `train --out X.nwproj` numbers runs after the highest stored,
`summary` lists them with what differs, `export --run` finds a run by name, `diff` compares
designs and runs' designs."""

from __future__ import annotations

import copy
import json

import pytest

from backend.cli import main
from backend.project import open_any, save_design, save_project
from backend.project.run_edits import DeleteRun, SetRunText
from backend.templates import make_template


def run_cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def project_path(tmp_path_factory):
    """A project with runs 1 and 3 (2 deleted, 3 renamed): run 1 trained by the CLI, the
    others copies of its record with another learning rate (training once keeps it quick)."""
    folder = tmp_path_factory.mktemp("runs")
    doc = make_template("xor-mlp")
    doc.sections["dataset"] = {"name": "moons", "samples": 200}
    doc.sections["training"] = {"epochs": 2, "batch_size": 32, "device": "cpu"}
    design = folder / "moons.json"
    save_design(doc, design)
    path = folder / "moons.nwproj"
    assert main(["train", str(design), "--out", str(path)]) == 0
    project = open_any(path)
    for _ in range(2):
        run = copy.deepcopy(project.runs[0])
        del run["id"]
        run["training"]["lr"] = 0.05
        project.add_run(run, project.weights["run_1"])
    DeleteRun("run_2").apply(project)
    SetRunText("run_3", "name", "fast lr").apply(project)
    save_project(path, project)
    return path


def test_a_cli_run_appended_to_a_project_gets_the_next_number(project_path, capsys, tmp_path):
    again = tmp_path / "again.nwproj"
    again.write_bytes(project_path.read_bytes())
    code, out, _ = run_cli(capsys, "train", again, "--epochs", "1")
    assert code == 0 and f"wrote {again} as run 4" in out
    runs = open_any(again).runs
    assert [r["id"] for r in runs] == ["run_1", "run_3", "run_4"]
    assert runs[-1]["training"]["epochs"] == 1  # the settings it ran with, --epochs included


def test_summary_lists_the_runs_with_what_differs(project_path, capsys):
    code, out, _ = run_cli(capsys, "summary", project_path)
    assert code == 0
    table = out[out.index("Runs (2;"):].splitlines()
    assert table[1].split() == ["Run", "What", "differs", "Validation", "Finished", "Note"]
    assert table[2].startswith("run 1 ") and "lr 0.001" in table[2]
    assert table[3].startswith("fast lr") and "lr 0.05" in table[3]
    assert "val acc" in table[2]
    code, out, _ = run_cli(capsys, "summary", project_path, "--json")
    runs = json.loads(out)["runs"]
    assert [(r["id"], r["name"], r["label"]) for r in runs] == [
        ("run_1", "run 1", "lr 0.001"), ("run_3", "fast lr", "lr 0.05")]
    assert sum(r["default"] for r in runs) == 1 and all(r["weights"] for r in runs)
    assert runs[0]["metric"] == "val_accuracy" and 0 <= runs[0]["value"] <= 1


def test_export_takes_a_run_by_its_name_or_number(project_path, capsys, tmp_path):
    project = open_any(project_path)
    for key, run_id in (("fast lr", "run_3"), ("1", "run_1"), ("run 3", "run_3")):
        out = tmp_path / f"w{run_id}{key[0]}.safetensors"
        assert run_cli(capsys, "export", project_path, "--weights", out, "--run", key)[0] == 0
        assert out.read_bytes() == project.weights[run_id]
    code, _, err = run_cli(capsys, "export", project_path, "--weights", tmp_path / "x.st",
                           "--run", "run 2")
    assert code == 2 and "no weights named 'run 2' (available: fast lr, run 1)" in err


def test_diff_of_two_designs_and_of_two_runs(project_path, capsys, tmp_path):
    doc = make_template("xor-mlp")
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    save_design(doc, a)
    tanh = next(nid for nid, n in doc.nodes.items() if n.type == "Tanh")
    doc.nodes[tanh].type = "ReLU"
    doc.nodes[next(n for n in doc.nodes if n.startswith("hidden"))].params["units"] = 16
    save_design(doc, b)
    code, out, _ = run_cli(capsys, "diff", a, b)
    assert code == 1
    assert "~ tanh: Tanh → ReLU" in out and "units 8 → 16" in out
    assert out.startswith("a.json → b.json: layers: 2 changed, 2 unchanged")
    code, out, _ = run_cli(capsys, "diff", a, b, "--json")
    data = json.loads(out)
    assert code == 1 and not data["same_model"]
    assert {c["to_type"] for c in data["changed"]} == {"ReLU", "Dense"}
    code, out, _ = run_cli(capsys, "diff", f"{project_path}:1", f"{project_path}:fast lr")
    assert code == 0 and "moons.nwproj:run 1 → moons.nwproj:fast lr" in out
    assert "training.lr 0.001 → 0.05" in out
    code, _, err = run_cli(capsys, "diff", f"{project_path}:9", a)
    assert code == 2 and "no run called '9'" in err and err.count("\n") == 1
