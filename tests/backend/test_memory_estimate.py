"""Memory is estimated before it is spent: the summary shows what the weights and one training
batch take, and train, ONNX export and the Train button's check refuse a design that would not
fit (here under a cap set with NETWRIGHT_MEMORY_LIMIT, so the figures hold on any machine) with
one sentence naming the largest layer, before any weights are allocated."""

from __future__ import annotations

import json

import pytest

from backend.cli import main
from backend.project import doc_to_dict, save_design
from backend.templates import make_template
from backend.training.preflight import preflight


def wide_mlp(units: int):
    doc = make_template("mlp")
    for node in doc.nodes.values():
        if node.type == "Dense" and node.title == "hidden":
            node.params["units"] = units
    return doc


def test_summary_reports_weights_and_one_batch_of_activations(tmp_path, capsys):
    doc = make_template("mlp")
    doc.sections["training"] = {"batch_size": 100}
    path = tmp_path / "mlp.json"
    save_design(doc, path)
    assert main(["summary", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    memory = data["memory"]
    assert memory["weights_bytes"] == 4 * data["total_params"]  # float32
    per_sample = 64 + 64 + 64 + 64 + 10  # input, flatten, hidden, relu, classes
    assert memory["batch"] == 100 and memory["activation_bytes"] == 4 * 100 * per_sample
    assert memory["training_bytes"] > memory["weights_bytes"] * 3  # grads and Adam's state
    assert main(["summary", str(path)]) == 0
    assert "Memory: weights 19.2 KB; activations of one batch of 100: 106 KB" \
        in capsys.readouterr().out


@pytest.fixture
def too_big(tmp_path, monkeypatch):
    """A 20,000-unit hidden layer (5.2 MB of weights) under a 2 MB cap."""
    monkeypatch.setenv("NETWRIGHT_MEMORY_LIMIT", "2MB")
    path = tmp_path / "wide.json"
    save_design(wide_mlp(20_000), path)
    return path


def test_train_refuses_before_spending_memory(too_big, capsys):
    out = too_big.with_suffix(".safetensors")
    assert main(["train", str(too_big), "--epochs", "1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Dense 'hidden' needs 5.2 MB of weights" in err
    assert "limit ($NETWRIGHT_MEMORY_LIMIT) is 2 MB" in err
    assert "training would need about" in err and "reduce its units" in err
    assert not out.exists()


def test_onnx_export_refuses_what_would_not_fit(too_big, capsys):
    out = too_big.with_suffix(".onnx")
    assert main(["export", str(too_big), "--onnx", str(out)]) in (1, 2)
    err = capsys.readouterr().err
    assert "Dense 'hidden'" in err and "exporting it needs" in err and not out.exists()


def test_train_button_check_names_the_layer_and_the_fix(too_big):
    from backend.project import open_any

    errors, _ = preflight(open_any(too_big).doc)
    assert len(errors) == 1 and "Dense 'hidden'" in errors[0] and "reduce its units" in errors[0]


def test_a_design_that_fits_passes_the_same_checks(tmp_path, monkeypatch):
    monkeypatch.setenv("NETWRIGHT_MEMORY_LIMIT", "2GB")
    doc = make_template("mlp")
    assert preflight(doc)[0] == []
    assert doc_to_dict(doc)  # nothing about memory is written into the design
