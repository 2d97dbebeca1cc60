"""Sweeps: parameters parsed and refused in one sentence; trials in child processes become
runs; a killed worker fails its trial and the sweep goes on; a diverging trial is pruned."""

import json
import os
import signal

import pytest

from backend.cli import main
from backend.experiments.space import SpaceError, apply_values, check_space, parse_param
from backend.experiments.sweep import Sweep
from backend.project import open_any, save_design
from backend.templates import make_template


@pytest.fixture
def xor(tmp_path):
    doc = make_template("xor-mlp")
    doc.sections["training"].update(epochs=1, val_fraction=0.2)
    path = tmp_path / "x.json"
    save_design(doc, path)
    return path


def hidden(doc) -> str:
    return next(n.title or n.id for n in doc.nodes.values() if n.type == "Dense")


@pytest.mark.parametrize("spec, words", [
    ("lr=0.1..0.001:log", "the range 0.1..0.001 is inverted: write it as 0.001..0.1"),
    ("lr=0.01..0.01", "the range 0.01..0.01 is empty"),
    ("lr=0..0.1:log", "a :log range must stay above 0"),
    ("lr=1e-3..1e-1:exp", "unknown tag ':exp'"),
    ("lr=a..b", "'a' is not a number"),
    ("batch_size=8.5..64:int", "an :int range needs whole ends"),
    ("optimizer=adam,sgd:log", ":int and :log belong to a range"),
    ("lr", "needs a name and values"),
])
def test_bad_ranges_are_refused_with_the_fix(spec, words):
    with pytest.raises(SpaceError, match=None) as info:
        parse_param(spec)
    assert words in str(info.value)


def test_parameters_name_settings_or_layer_parameters_and_are_tried_on_the_design():
    doc = make_template("xor-mlp")
    layer = hidden(doc)
    space = [parse_param("lr=1e-4..1e-1:log"), parse_param(f"{layer}.units=4..32:int"),
             parse_param("optimizer=adam,sgd")]
    assert [p.text for p in space] == ["lr=0.0001..0.1:log", f"{layer}.units=4..32:int",
                                       "optimizer=adam,sgd"]
    check_space(doc, space)
    trial = apply_values(doc, {"lr": 0.02, f"{layer}.units": 16})
    assert trial.sections["training"]["lr"] == 0.02
    assert [n.params["units"] for n in trial.nodes.values() if n.title == layer] == [16]
    assert doc.sections["training"]["lr"] != 0.02  # the design itself is unchanged
    for spec, words in ((f"{layer}.unitz=1..4:int", "has no parameter 'unitz'"),
                        ("nolayer.units=1..4:int", "neither a training setting"),
                        (f"{layer}.units=0..8:int", "breaks the design"),
                        ("batch_size=0..8:int", "'batch_size' must be a whole number")):
        with pytest.raises(SpaceError) as info:
            check_space(doc, [parse_param(spec)])
        assert words in str(info.value)


@pytest.mark.slow
def test_trials_run_in_processes_and_a_killed_worker_fails_only_its_trial(xor, tmp_path):
    doc = open_any(xor).doc
    project = tmp_path / "lab.nwproj"
    sweep = Sweep(doc, [parse_param("lr=1e-3..1e-1:log"),
                        parse_param(f"{hidden(doc)}.units=4..16:int")], project,
                  trials=3, parallel=2)
    pids = []

    def on_start(number, params, pid):
        pids.append(pid)
        if number == 0:
            os.kill(pid, signal.SIGKILL)

    summary = sweep.run(on_start=on_start)
    states = {o.number: o.state for o in summary.outcomes}
    assert states == {0: "failed", 1: "complete", 2: "complete"}
    assert len(set(pids)) == 3 and os.getpid() not in pids
    failed = next(o for o in summary.outcomes if o.number == 0)
    assert "worker process died (killed by signal 9)" in failed.message
    runs = open_any(project).runs
    assert sorted(r["sweep"]["trial"] for r in runs) == [0, 1, 2]  # every trial is a run
    assert {r["sweep"]["state"] for r in runs} == {"failed", "complete"}
    assert project.with_suffix(".optuna.db").exists()
    best = summary.best
    assert best.state == "complete" and best.value == max(
        o.value for o in summary.outcomes if o.state == "complete")
    kept = next(r for r in runs if r["id"] == best.run_id)
    assert kept["training"]["lr"] == pytest.approx(best.params["lr"])


@pytest.mark.slow
def test_cli_sweep_json_and_a_diverging_trial_is_pruned(xor, tmp_path, capsys):
    project = tmp_path / "lab.nwproj"
    code = main(["sweep", str(xor), "--param", "lr=1e5..1e6:log", "--trials", "1",
                 "--out", str(project), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # no trial completed
    assert lines[0]["state"] == "pruned" and lines[0]["run"] == "run_1"
    assert lines[0]["message"]  # why: the loss diverged
    assert lines[-1]["summary"] and lines[-1]["best"] is None and lines[-1]["pruned"] == 1
    assert open_any(project).runs[0]["sweep"]["state"] == "pruned"


def test_cli_sweep_refuses_bad_input_in_one_line(xor, capsys):
    assert main(["sweep", str(xor), "--param", "lr=0.1..0.01"]) == 2
    assert main(["sweep", str(xor), "--param", "lr=1e-3..1e-1", "--parallel", "999"]) == 2
    assert main(["sweep", str(xor)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and "is inverted" in err[0]
    assert "999 parallel workers were asked for but this machine has" in err[1]
    assert "the sweep has no parameters" in err[2]


def test_a_bad_storage_url_is_one_sentence_and_passwords_are_never_shown(xor, capsys):
    from backend.experiments.sweep import shown_url

    assert shown_url("postgresql://ann:s3cret@db/lab") == "postgresql://ann:***@db/lab"
    assert main(["sweep", str(xor), "--param", "lr=1e-3..1e-1:log", "--trials", "1",
                 "--storage", "nonsense"]) == 2
    assert main(["sweep", str(xor), "--param", "lr=1e-3..1e-1:log", "--trials", "1",
                 "--storage", "postgresql://ann:s3cret@localhost:1/lab"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and "check the --storage URL" in err[0]
    assert "needs a database driver" in err[1] and "s3cret" not in err[1]
    assert not xor.with_suffix(".nwproj").exists()  # nothing trained, nothing written


def test_a_sweep_into_another_existing_project_needs_force_like_train(xor, tmp_path, capsys):
    from backend.project import save_project

    save_project(xor.with_suffix(".nwproj"), open_any(xor).doc)
    before = xor.with_suffix(".nwproj").read_bytes()
    assert main(["sweep", str(xor), "--param", "lr=1e-3..1e-1:log", "--trials", "1"]) == 2
    assert main(["train", str(xor), "--out", str(xor.with_suffix(".nwproj"))]) == 2
    sweep_says, train_says = capsys.readouterr().err.splitlines()
    assert sweep_says == train_says and "x.nwproj already exists" in sweep_says
    assert "pass --force" in sweep_says and "kept as x.nwproj.bak" in sweep_says
    assert xor.with_suffix(".nwproj").read_bytes() == before
