"""Seed groups: Welch's t-test against table values, verdicts in words, bands, `--seeds`."""

import json
import math

import pytest

from backend.cli import main
from backend.experiments.groups import (
    compare_groups,
    find_group,
    group_band,
    next_group_id,
    seed_groups,
)
from backend.experiments.seeds import seed_values
from backend.experiments.stats import t_two_sided_p, welch


@pytest.mark.parametrize("t, df, p", [
    (12.706, 1, 0.05), (2.776, 4, 0.05), (4.604, 4, 0.01), (2.228, 10, 0.05),
    (2.845, 20, 0.01), (1.960, 1e7, 0.05), (0.0, 5, 1.0),
])
def test_two_sided_p_matches_the_printed_t_table(t, df, p):
    assert t_two_sided_p(t, df) == pytest.approx(p, abs=2e-4)
    assert t_two_sided_p(-t, df) == pytest.approx(p, abs=2e-4)


def test_welch_matches_a_worked_example():
    # Welch (1947)-style example; R: t.test(a, b) gives t = -1.9932, df = 7.9222, p = 0.0817
    r = welch([1, 2, 3, 4, 5], [3, 4, 5, 6, 7.5])
    assert (r.t, r.df, r.p) == pytest.approx((-1.9932, 7.9222, 0.0817), abs=1e-3)


def test_welch_on_constant_groups_is_certain():
    assert welch([0.9, 0.9], [0.5, 0.5]).p == 0.0
    assert welch([0.9, 0.9], [0.9, 0.9]).p == 1.0


def _run(number, group, seed, accs, loss=None):
    history = [{"epoch": i + 1, "val_accuracy": a, "val_loss": loss, "train_loss": 1.0}
               for i, a in enumerate(accs)]
    return {"id": f"run_{number}", "group": {"id": group, "seed": seed, "size": 3},
            "history": history, "final": {"best_epoch": None}, "training": {"keep_best": False}}


def _groups(a_final, b_final):
    runs = [_run(i + 1, "group_1", i, [0.5, v]) for i, v in enumerate(a_final)]
    runs += [_run(i + 10, "group_2", i, [0.4, v]) for i, v in enumerate(b_final)]
    runs.append({"id": "run_30", "history": []})  # a plain run belongs to no group
    return seed_groups(runs)


def test_a_clear_difference_is_called_real_with_the_test_named():
    a, b = _groups([0.97, 0.96, 0.975], [0.90, 0.91, 0.89])
    v = compare_groups(a, b, "ReLU", "Sigmoid")
    assert v.significant is True
    assert "ReLU is better by 6.8 points" in v.text
    assert "Welch's t-test" in v.text and "ReLU 96.8% ± 0.8 points (3 seeds)" in v.text


def test_a_difference_inside_the_seed_spread_is_called_noise():
    a, b = _groups([0.90, 0.95, 0.92], [0.93, 0.89, 0.91])
    v = compare_groups(a, b)
    assert v.significant is False
    assert "within the spread across seeds: it may be noise" in v.text
    assert v.result.p > 0.05


def test_one_seed_is_not_enough_to_judge():
    a, b = _groups([0.9], [0.8, 0.82])
    v = compare_groups(a, b)
    assert v.significant is None and "at least 2 seeds" in v.text


def test_band_is_mean_and_spread_per_epoch():
    a, _ = _groups([0.9, 0.8, 1.0], [0.5, 0.5])
    band = group_band(a)
    assert band.epochs == [1.0, 2.0] and band.counts == [3, 3]
    assert band.mean[1] == pytest.approx(0.9)
    assert band.high[1] - band.mean[1] == pytest.approx(0.1)  # std of 0.8, 0.9, 1.0
    assert band.low[0] == band.high[0] == pytest.approx(0.5)


def test_group_ids_continue_and_are_found_by_number_or_name():
    groups = _groups([0.9, 0.8], [0.5, 0.5])
    assert next_group_id([r for g in groups for r in g.runs]) == "group_3"
    assert find_group(groups, "2").id == find_group(groups, "group 2").id == "group_2"
    with pytest.raises(ValueError, match="no seed group called '9'"):
        find_group(groups, "9")


def test_seed_values_refuse_one_seed_with_a_sentence():
    assert seed_values(7, 3) == [7, 8, 9]
    with pytest.raises(ValueError, match="from 2 to 100"):
        seed_values(0, 1)


def test_train_with_seeds_keeps_a_group_in_a_project_and_compares(tmp_path, capsys):
    from backend.project import open_any, save_design
    from backend.templates import make_template

    doc = make_template("xor-mlp")
    doc.sections["training"].update(epochs=1, val_fraction=0.2)
    design = tmp_path / "x.json"
    save_design(doc, design)
    project = tmp_path / "lab.nwproj"
    assert main(["train", str(design), "--seeds", "2", "--out", str(project)]) == 0
    doc.sections["training"]["lr"] = 0.05
    save_design(doc, design)
    capsys.readouterr()
    # another project that exists: refused without --force, in the words plain train uses
    assert main(["train", str(design), "--seeds", "2", "--out", str(project)]) == 2
    assert main(["train", str(design), "--out", str(project)]) == 2
    refused = capsys.readouterr().err.splitlines()
    assert refused[0] == refused[1] and "pass --force" in refused[0]
    assert "lab.nwproj.bak" in refused[0]
    assert main(["train", str(design), "--seeds", "2", "--out", str(project), "--force"]) == 0
    assert len(open_any(tmp_path / "lab.nwproj.bak").runs) == 2  # as it was before the group
    out = capsys.readouterr().out
    assert "group 2: val acc" in out and "over 2 seeds [0, 1]" in out and "runs 3–4" in out
    runs = open_any(project).runs
    assert [r["group"]["seed"] for r in runs] == [0, 1, 0, 1]
    assert runs[0]["training"]["seed"] == 0 and runs[1]["training"]["seed"] == 1
    assert main(["groups", str(project), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [g["runs"] for g in data["groups"]] == [["run_1", "run_2"], ["run_3", "run_4"]]
    assert "lr 0.05" in data["groups"][1]["label"]
    assert "Welch's t-test" in data["verdict"]["text"] and math.isfinite(data["verdict"]["p"])


def test_seeds_need_a_project_and_a_sensible_count(tmp_path, capsys):
    from backend.project import save_design
    from backend.templates import make_template

    design = tmp_path / "x.json"
    save_design(make_template("xor-mlp"), design)
    assert main(["train", str(design), "--seeds", "1"]) == 2
    assert main(["train", str(design), "--seeds", "3", "--out", str(tmp_path / "w.pt")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert "from 2 to 100" in err[0] and "give --out a .nwproj file" in err[1]
