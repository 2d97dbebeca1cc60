"""ONNX files become designs whose outputs equal onnxruntime's; unsupported operators are
listed by name; a broken or oversized file is one sentence. Opening one never runs code."""

from __future__ import annotations

import warnings

import numpy as np
import onnx
import pytest
import torch
from import_cases import MODELS
from onnx import TensorProto, helper

from backend.build import build_model
from backend.export.weights import load_into
from backend.importer import onnx_import
from backend.importer.onnx_import import OnnxImportError, import_onnx
from backend.importer.user_code import instantiate, load_class


def _export(model, shape, path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.randn(1, *shape),), str(path), dynamo=False,
                          input_names=["x"], dynamic_axes={"x": {0: "batch"}})
    return path


@pytest.mark.parametrize("name,cls,shape", [("cifar_cnn.py", "Net", [3, 32, 32]),
                                            ("dcgan.py", "Generator", [16, 1, 1])])
def test_an_exported_model_becomes_the_same_network(tmp_path, name, cls, shape):
    torch.manual_seed(0)
    original = instantiate(load_class(MODELS / name, cls), [], {})
    path = _export(original, shape, tmp_path / "model.onnx")
    result = import_onnx(path)
    assert result.max_difference < 1e-4
    model = build_model(result.doc).eval()
    load_into(model, result.weights)
    x = torch.randn(4, *shape)
    with torch.no_grad():
        assert torch.allclose(model(x), original.eval()(x), atol=1e-4)
    assert sum(p.numel() for p in model.parameters()) == \
        sum(p.numel() for p in original.parameters())
    assert result.doc.name == "model"


def _graph(nodes, inits=(), shape=(None, 4), out_shape=(None, 4)):
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, list(out_shape))],
        initializer=list(inits))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_gemm_relu_softmax_map_with_the_file_s_tensors(tmp_path):
    w = np.arange(12, dtype=np.float32).reshape(3, 4) / 10
    b = np.array([0.1, -0.2, 0.3], dtype=np.float32)
    model = _graph([helper.make_node("Gemm", ["x", "fc.weight", "b"], ["h"], transB=1, name="fc"),
                    helper.make_node("Relu", ["h"], ["r"]),
                    helper.make_node("Softmax", ["r"], ["y"], axis=1)],
                   [onnx.numpy_helper.from_array(w, "fc.weight"),
                    onnx.numpy_helper.from_array(b, "b")], out_shape=(None, 3))
    onnx.save(model, tmp_path / "m.onnx")
    doc = import_onnx(tmp_path / "m.onnx").doc
    assert [(n.type, n.params, n.title) for n in doc.nodes.values()] == [
        ("Input", {"shape": [4]}, "x"), ("Dense", {"units": 3}, "fc"),
        ("ReLU", {}, "relu"), ("Softmax", {}, "softmax")]


def test_unsupported_operators_are_listed_by_name(tmp_path):
    model = _graph([helper.make_node("Sin", ["x"], ["s"]), helper.make_node("Cos", ["s"], ["c"]),
                    helper.make_node("Relu", ["c"], ["y"])])
    onnx.save(model, tmp_path / "trig.onnx")
    with pytest.raises(OnnxImportError) as info:
        import_onnx(tmp_path / "trig.onnx")
    assert "2 operator(s) of trig.onnx have no Netwright layer (Cos, Sin)" in str(info.value)
    assert [item[1].split(" ")[0] for item in info.value.items] == ["Sin", "Cos"]


def test_damaged_missing_and_oversized_files_are_one_sentence(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(b"\x08\x07garbage" + str(marker).encode())
    for path, phrase in ((broken, "broken.onnx is not a valid ONNX model"),
                         (tmp_path / "none.onnx", "does not exist")):
        with pytest.raises(OnnxImportError, match=phrase) as info:
            import_onnx(path)
        assert "\n" not in str(info.value)
    good = tmp_path / "ok.onnx"
    onnx.save(_graph([helper.make_node("Relu", ["x"], ["y"])]), good)
    monkeypatch.setattr(onnx_import, "MAX_ONNX_BYTES", 10)
    with pytest.raises(OnnxImportError, match="more than the 1 GB Netwright imports"):
        import_onnx(good)
    assert not marker.exists()


def test_a_fixed_size_per_sample_is_required(tmp_path):
    onnx.save(_graph([helper.make_node("Relu", ["x"], ["y"])], shape=(None, "n")),
              tmp_path / "dyn.onnx")
    with pytest.raises(OnnxImportError, match="export it with a fixed input shape"):
        import_onnx(tmp_path / "dyn.onnx")


RECURRENT = [("lstm_classifier.py", "RNN", "[28, 32, 2, 10]", [28, 28],
              [("LSTM", {"units": 32, "return_sequences": True}), ("LSTM", {"units": 32})]),
             ("gru_forecaster.py", "GRUForecaster", None, [20, 1],
              [("GRU", {"units": 32, "return_sequences": True}), ("GRU", {"units": 32})]),
             ("seq_first_lstm.py", "SequenceClassifier", None, [7, 8], None),
             ("bidirectional_rnn.py", "BiRNN", None, [9, 6],
              [("SimpleRNN", {"units": 10, "bidirectional": True, "return_sequences": True}),
               ("SimpleRNN", {"units": 10, "bidirectional": True})])]


@pytest.mark.parametrize("name,cls,args,shape,layers", RECURRENT,
                         ids=[case[0] for case in RECURRENT])
def test_recurrent_operators_become_recurrent_layers(tmp_path, name, cls, args, shape, layers):
    """torch writes LSTM/GRU/RNN sequence-first, one operator per stacked layer, with
    transposes around it and zero initial states; each becomes one batch-first layer."""
    from backend.importer.user_code import parse_args

    pos, kw = parse_args(args)
    torch.manual_seed(1)
    original = instantiate(load_class(MODELS / name, cls), pos, kw).eval()
    result = import_onnx(_export(original, shape, tmp_path / "rnn.onnx"))
    kinds = [(n.type, n.params) for n in result.doc.nodes.values()
             if n.type in ("LSTM", "GRU", "SimpleRNN")]
    assert kinds == (layers or [("LSTM", {"units": 16})])
    model = build_model(result.doc).eval()
    load_into(model, result.weights)
    x = torch.randn(3, *shape)
    with torch.no_grad():
        assert torch.allclose(model(x), original(x), atol=1e-5)


def test_a_recurrent_output_the_layers_cannot_follow_is_listed(tmp_path):
    class BothStates(torch.nn.Module):  # h_n[-1] of a bidirectional GRU: the backward state
        def __init__(self):
            super().__init__()
            self.gru = torch.nn.GRU(4, 6, batch_first=True, bidirectional=True)

        def forward(self, x):
            return self.gru(x)[1][-1]

    with pytest.raises(OnnxImportError) as info:
        import_onnx(_export(BothStates(), [5, 4], tmp_path / "both.onnx"))
    (item,) = [i for i in info.value.items if "GRU" in i[1]]
    assert item[1].startswith("ONNX GRU whose output is used in a way the layers cannot")
    assert "import the PyTorch module instead" in item[2]
