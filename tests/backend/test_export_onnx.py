"""ONNX export: one checked file, dynamic batch size, onnxruntime equals torch within 1e-4,
trained weights included, several inputs and outputs, and no half-written file on failure."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import pytest
import torch

from backend.build import build_model
from backend.export.onnx import OnnxExportError, example_inputs, export_onnx
from backend.export.weights import encode_weights
from backend.templates import make_template

sys.path.insert(0, str(Path(__file__).parent))
from test_codegen import merges_doc  # noqa: E402


def run_onnx(path: Path, names: list[str], xs: list[torch.Tensor]) -> list[np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {n: x.numpy() for n, x in zip(names, xs, strict=True)})


def test_lenet5_with_trained_weights_matches_torch_for_any_batch_size(tmp_path):
    doc = make_template("lenet5")
    torch.manual_seed(5)
    trained = build_model(doc).eval()
    with torch.no_grad():
        for p in trained.parameters():
            p.add_(torch.randn_like(p) * 0.1)  # weights that differ from any fresh init
    path = tmp_path / "lenet5.onnx"
    report = export_onnx(doc, path, encode_weights(trained.state_dict()))
    assert report.ok and report.max_abs_diff <= 1e-4 and report.opset >= 17
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert [p.name for p in tmp_path.iterdir()] == ["lenet5.onnx"]  # one file, no temp left
    batch = proto.graph.input[0].type.tensor_type.shape.dim[0]
    assert batch.dim_param and not batch.dim_value  # symbolic batch dimension
    for n in (1, 7):
        (x,) = example_inputs(doc, n, seed=n)
        (got,) = run_onnx(path, ["image"], [x])
        with torch.no_grad():
            assert np.allclose(got, trained(x).numpy(), atol=1e-4)


def test_several_inputs_and_outputs(tmp_path):
    doc = merges_doc()
    path = tmp_path / "two.onnx"
    report = export_onnx(doc, path)
    assert report.ok
    proto = onnx.load(str(path))
    assert [i.name for i in proto.graph.input] == ["a", "b"]
    assert [o.name for o in proto.graph.output] == ["head_one", "flat"]


def test_layer_names_that_clash_with_torch_fx_still_export(tmp_path):
    doc = make_template("autoencoder")  # has a layer named 'code'
    assert any(n.title == "code" for n in doc.nodes.values())
    assert export_onnx(doc, tmp_path / "ae.onnx").ok


def test_a_failed_export_leaves_nothing_behind(tmp_path, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("unsupported operator\nmore detail")

    monkeypatch.setattr(torch.onnx, "export", fail)
    with pytest.raises(OnnxExportError, match="ONNX export failed .*unsupported operator"):
        export_onnx(make_template("mlp"), tmp_path / "x.onnx")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name,cls,shape", [("text_lstm.py", "LSTMClassifier", [12]),
                                            ("prelu_regressor.py", "CountRegressor", [1, 28, 28]),
                                            ("mobilenet_v3_block.py", "MobileNetV3Tiny",
                                             [3, 32, 32])])
def test_embedding_and_the_newer_activations_export(tmp_path, name, cls, shape):
    """Token indices into an Embedding, ReLU6, Hardswish, Hardsigmoid, PReLU...: the file
    onnxruntime runs gives torch's outputs."""
    from import_cases import MODELS

    from backend.importer.fx import import_file

    result = import_file(MODELS / name, [shape], cls)
    types = {n.type for n in result.doc.nodes.values()} | {
        n.type for d in result.doc.blocks.values() for n in d.graph.nodes.values()}
    path = tmp_path / "model.onnx"
    report = export_onnx(result.doc, path, result.weights)
    assert report.ok and report.max_abs_diff <= 1e-4, report
    (x,) = example_inputs(result.doc, 3, seed=2)
    assert x.dtype == (torch.int64 if "Embedding" in types else torch.float32)
    model = build_model(result.doc).eval()
    from backend.export.weights import load_into

    load_into(model, result.weights)
    (got,) = run_onnx(path, [onnx.load(str(path)).graph.input[0].name], [x])
    with torch.no_grad():
        assert np.allclose(got, model(x).numpy(), atol=1e-4)
