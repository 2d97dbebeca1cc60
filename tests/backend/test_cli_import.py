"""`netwright import`: Python files (run on request, said plainly) and ONNX models become
designs or projects with the original's weights; refusals are a list or one line, exit 2."""

from __future__ import annotations

import json

import torch
from import_cases import MODELS
from safetensors.torch import save_file

from backend.cli import main
from backend.project import open_any


def test_python_import_writes_a_project_with_the_author_s_weights(tmp_path, capsys):
    from backend.importer.user_code import load_class

    torch.manual_seed(1)
    original = load_class(MODELS / "cifar_cnn.py", "Net")()
    torch.save(original.state_dict(), tmp_path / "trained.pt")
    out = tmp_path / "net.nwproj"
    code = main(["import", str(MODELS / "cifar_cnn.py"), "--class", "Net", "--input-shape",
                 "3,32,32", "--weights", str(tmp_path / "trained.pt"), "-o", str(out)])
    captured = capsys.readouterr()
    assert code == 0
    assert "running cifar_cnn.py to import its nn.Module (this executes the file's code, in " \
        "a separate process)" in captured.err
    assert "10 layers" not in captured.out and "62,006 parameters" in captured.out
    assert "in evaluation and training mode" in captured.out
    project = open_any(out)
    from backend.build import build_model
    from backend.export.weights import load_into

    model = build_model(project.doc).eval()
    load_into(model, project.weights["imported"])
    x = torch.randn(2, 3, 32, 32)
    assert torch.allclose(model(x), original.eval()(x))


def test_refusals_list_each_operation_and_exit_2(tmp_path, capsys):
    code = main(["import", str(MODELS / "text_cnn.py"), "--input-shape", "12", "-o",
                 str(tmp_path / "t.json")])
    err = capsys.readouterr().err
    assert code == 2
    assert "1 operation has no Netwright layer; nothing was imported:" in err
    assert "  line 16: x.transpose() (reorders axes (0, 2, 1))" in err
    assert "Traceback" not in err
    assert not (tmp_path / "t.json").exists()


def test_bad_arguments_are_one_line(tmp_path, capsys):
    onnx_out = tmp_path / "x.json"
    for argv, phrase in (
        (["import", str(MODELS / "mnist_cnn.py"), "-o", str(onnx_out)], "needs --input-shape"),
        (["import", str(MODELS / "mnist_cnn.py"), "--input-shape", "1,a", "-o",
          str(onnx_out)], "is not a shape"),
        (["import", str(MODELS / "mnist_cnn.py"), "--input-shape", "1,28,28", "-o",
          str(tmp_path / "x.txt")], "must end in .json"),
        (["import", str(tmp_path / "nope.py"), "--input-shape", "4", "-o", str(onnx_out)],
         "does not exist"),
        (["import", str(MODELS / "lstm_classifier.py"), "--input-shape", "28,28", "-o",
          str(onnx_out)], "give input_size, hidden_size, num_layers and num_classes"),
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert phrase in err[-1] and err[-1].startswith("netwright: error: ")


def test_onnx_import_writes_a_design_and_never_needs_class_arguments(tmp_path, capsys):
    import onnx
    from onnx import TensorProto, helper

    graph = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, [None, 5])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 5])])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              tmp_path / "relu.onnx")
    out = tmp_path / "relu.json"
    assert main(["import", str(tmp_path / "relu.onnx"), "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["layers"] == 1 and report["weights_kept"] is False
    assert [n.type for n in open_any(out).doc.nodes.values()] == ["Input", "ReLU"]
    assert main(["import", str(tmp_path / "relu.onnx"), "--class", "Net", "-o",
                 str(tmp_path / "b.json")]) == 2
    assert "needs no --class" in capsys.readouterr().err


def test_safetensors_weights_that_do_not_fit_are_one_sentence(tmp_path, capsys):
    save_file({"conv1.weight": torch.zeros(1)}, tmp_path / "w.safetensors")
    code = main(["import", str(MODELS / "cifar_cnn.py"), "--input-shape", "3,32,32",
                 "--weights", str(tmp_path / "w.safetensors"), "-o", str(tmp_path / "n.json")])
    assert code == 2
    assert "the weights do not fit Net" in capsys.readouterr().err


def test_an_import_that_keeps_blocks_names_them(tmp_path, capsys):
    out = tmp_path / "cnn.json"
    code = main(["import", str(MODELS / "convblock_reuse.py"), "--class", "SmallCNN",
                 "--input-shape", "3,32,32", "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "5 layers in 1 block definition (ConvBlock), 34,714 parameters" in printed
    doc = open_any(out).doc
    assert [d.title for d in doc.blocks.values()] == ["ConvBlock"]
    assert doc.sections["dataset"] == {"name": "digits", "resize": 32, "channels": 3}
