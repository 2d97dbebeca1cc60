"""Multi-hot labels are multi-label classification: one sigmoid and BCE per class, in the app
and in the exported train.py, never silently one class per sample."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from backend.data import DataConfig
from backend.templates.builder import DesignBuilder
from backend.training import Trainer
from backend.training.events import Probes, RunStarted
from backend.training.preflight import preflight
from backend.training.teaching_events import OutputNumbers


def write_npz(folder, multi: bool = True, n: int = 300, seed: int = 0):
    """Points in 3-D; class k is on when coordinate k is positive (several at once)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 3)).astype(np.float32)
    y = (x > 0).astype(np.int64)
    if not multi:
        y = np.eye(3, dtype=np.int64)[x.argmax(axis=1)]
    path = folder / "labels.npz"
    np.savez(path, x=x, y=y)
    return path


def design(path, **training):
    b = DesignBuilder("multi-label")
    b.add("Input", "x", after=None, shape=[3])
    b.add("Dense", "hidden", units=16)
    b.add("ReLU", "relu")
    b.add("Dense", "labels", units=3)
    b.section("dataset", {"name": "npz", "path": str(path)})
    b.section("training", {"epochs": 15, "batch_size": 32, "lr": 0.01, **training})
    return b.doc


def test_multi_hot_labels_load_as_multi_label(tmp_path):
    data = DataConfig.from_section({"name": "npz", "path": str(write_npz(tmp_path))}).load()
    assert data.info.multi_label and data.info.num_classes == 3
    assert data.y.dtype == np.float32 and data.y.shape == (300, 3)
    one_hot = DataConfig.from_section({"name": "npz", "path": str(
        write_npz(tmp_path, multi=False))}).load()
    assert not one_hot.info.multi_label and one_hot.y.shape == (300,)


def test_training_uses_a_sigmoid_per_class_and_learns(tmp_path):
    doc = design(write_npz(tmp_path))
    events = list(Trainer(doc, probes=Probes(teaching=True, feature_every_s=0.0)).events())
    started, finished = events[0], events[-1]
    assert isinstance(started, RunStarted) and started.loss == "bce_with_logits"
    assert finished.reason == "completed", finished.message
    assert finished.history[-1]["val_accuracy"] >= 0.8  # every label of a sample right
    numbers = [e for e in events if isinstance(e, OutputNumbers)][-1]
    assert numbers.kind == "multilabel" and numbers.targets.shape == (3,)


def test_cross_entropy_on_multi_hot_labels_is_refused_with_the_fix(tmp_path):
    doc = design(write_npz(tmp_path), loss="cross_entropy")
    errors, _ = preflight(doc)
    assert errors and "multi-hot labels" in errors[0]
    assert "bce_with_logits (one sigmoid per class)" in errors[0]
    finished = Trainer(doc).run()
    assert finished.reason == "error" and "multi-label classification" in finished.message


def test_exported_train_py_reads_and_scores_multi_hot_labels_the_same_way(tmp_path):
    from backend.codegen.train_recipes import supervised as exported
    from backend.data import export_loaders

    path = write_npz(tmp_path)
    x, y, info = export_loaders.load_npz({"path": str(path), "x": "x", "y": "y",
                                          "task": "classification"})
    app = DataConfig.from_section({"name": "npz", "path": str(path)}).load()
    assert np.array_equal(x, app.x) and np.array_equal(y, app.y) and info["multi_label"]
    fmt = exported.target_format("classification", "bce_with_logits", (3,), "index",
                                 info["multi_label"])
    assert fmt == "multihot"
    target = torch.tensor([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    out = torch.tensor([[2.0, -1.0, 0.5], [1.0, 1.0, -1.0]])
    assert exported.correct_count(out, target, fmt) == 1


@pytest.mark.parametrize("loss", ["auto", "bce_with_logits"])
def test_no_one_class_warning_for_multi_label(tmp_path, loss):
    errors, warnings = preflight(design(write_npz(tmp_path), loss=loss))
    assert errors == [] and not any("separate yes/no" in w for w in warnings)
