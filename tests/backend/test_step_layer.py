"""The Step activation: the perceptron's threshold as a layer that builds, trains and exports."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from backend.build import build_model
from backend.codegen import python_module
from backend.export.onnx import export_onnx
from backend.teaching.perceptron import dataset
from backend.templates.builder import DesignBuilder
from backend.training import Trainer


def perceptron_doc(gradient: str = "straight-through"):
    b = DesignBuilder("Perceptron")
    b.add("Input", "points", after=None, shape=[2])
    b.add("Dense", "weights", units=1)
    b.add("Step", "step", gradient=gradient)
    return b.doc


def test_step_outputs_zero_or_one_and_its_gradient_is_a_choice():
    x = torch.tensor([[-2.0], [0.0], [0.5]], requires_grad=True)
    for gradient, expected in (("straight-through", [1.0, 1.0, 1.0]), ("zero", [0.0] * 3)):
        model = build_model(perceptron_doc(gradient))
        step = getattr(model, model.node_attrs["step_1"])
        y = step(x)
        assert y.detach().flatten().tolist() == [0.0, 0.0, 1.0]
        x.grad = None
        y.sum().backward()
        assert x.grad.flatten().tolist() == expected


def test_a_step_network_trains_on_separable_points():
    from backend.data import Dataset, DatasetInfo

    x, y = dataset("clouds", n=80, seed=1)
    info = DatasetInfo("clouds", "regression", (2,), target_shape=(1,), kind="points")
    data = Dataset(info, x.astype(np.float32), y.astype(np.float32).reshape(-1, 1))
    trainer = Trainer(perceptron_doc(), data, {"epochs": 30, "optimizer": "sgd", "lr": 0.1,
                                               "task": "regression", "loss": "mse",
                                               "val_fraction": 0.0, "test_fraction": 0.0})
    finished = trainer.run()
    assert finished.reason == "completed", finished.message
    train = trainer.setup.splits.train  # the points as the model saw them (normalised)
    with torch.no_grad():
        predicted = trainer.model.eval()(torch.from_numpy(train.x)).numpy()
    assert set(np.unique(predicted)) <= {0.0, 1.0}
    assert (predicted == train.y).mean() >= 0.95


def test_exported_code_and_onnx_keep_the_step(tmp_path):
    doc = perceptron_doc()
    torch.manual_seed(0)
    built = build_model(doc).eval()
    source = python_module(doc)
    ns: dict = {}
    exec(compile(source.code, "exported.py", "exec"), ns)  # noqa: S102  (our own output)
    exported = ns[source.class_name]().eval()
    exported.load_state_dict(built.state_dict())
    xs = torch.randn(16, 2)
    assert torch.equal(exported(xs), built(xs))
    report = export_onnx(doc, tmp_path / "perceptron.onnx")
    assert report.ok and report.max_abs_diff == pytest.approx(0.0)
