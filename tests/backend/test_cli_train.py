"""`netwright train`: JSON epoch lines, weights next to the design, one-line errors."""

import json

import pytest

from backend.cli import main
from backend.project import load_design, save_design
from backend.templates import make_template


@pytest.fixture
def design(tmp_path):
    doc = make_template("mlp")
    doc.sections["training"].update(epochs=2, val_fraction=0.2)
    path = tmp_path / "m.json"
    save_design(doc, path)
    return path


def test_train_prints_one_json_object_per_epoch_and_writes_weights(design, capsys):
    from backend.build import build_model
    from backend.export.weights import load_into

    assert main(["train", str(design), "--epochs", "3", "--json", "--device", "cpu"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    rows = [json.loads(line) for line in lines]
    assert [r["epoch"] for r in rows] == [1, 2, 3]
    assert set(rows[0]) == {"epoch", "train_loss", "val_loss", "val_accuracy", "terms",
                            "val_terms", "seconds"}
    assert rows[0]["terms"] == rows[0]["val_terms"] == {}  # a classifier has one loss
    assert rows[-1]["val_accuracy"] > 0.5
    weights = design.with_suffix(".safetensors")
    load_into(build_model(load_design(design)), weights.read_bytes())


def test_train_writes_weights_where_asked_and_summarises(design, tmp_path, capsys):
    out = tmp_path / "w.safetensors"
    assert main(["train", str(design), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert out.exists() and "best validation accuracy" in captured.out
    assert "epoch 2/2" in captured.err


@pytest.mark.parametrize("setting, words", [
    ({"batch_size": 0}, "'batch_size' must be a whole number of at least 1"),
    ({"optimizer": "adamm"}, "unknown optimizer 'adamm': choose one of sgd, sgd_momentum"),
    ({"schedule": "sometimes"}, "unknown schedule 'sometimes'"),
])
def test_bad_settings_are_one_line_and_exit_2(design, capsys, setting, words):
    doc = load_design(design)
    doc.sections["training"].update(setting)
    save_design(doc, design)
    assert main(["train", str(design)]) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not design.with_suffix(".safetensors").exists()


def test_a_diverging_run_is_one_line_and_exit_1(design, capsys):
    doc = load_design(design)
    doc.sections["training"].update(lr=1e6)
    save_design(doc, design)
    assert main(["train", str(design)]) == 1
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("netwright: training failed: the loss ")
    assert "lower the learning rate (now 1e+06)" in err


def test_a_design_that_does_not_fit_its_data_exits_2_with_the_fix(tmp_path, capsys):
    doc = make_template("lenet5")
    doc.sections["dataset"] = {"name": "digits"}
    path = tmp_path / "l.json"
    save_design(doc, path)
    assert main(["train", str(path)]) == 2
    assert "set the dataset's resize to 32" in capsys.readouterr().err
