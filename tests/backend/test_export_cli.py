"""`netwright export`: Python with train.py beside it, ONNX, safetensors weights that load
into the exported module; bad input is one line and exit 2, and nothing is overwritten."""

from __future__ import annotations

import pytest
import torch

from backend.build import build_model
from backend.cli import main
from backend.export.weights import WeightsError, decode_weights, encode_weights, load_into
from backend.project import Project, ProjectFileError, open_any, save_project
from backend.templates import make_template


def run(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def trained(tmp_path):
    """A LeNet-5 project holding weights that differ from a fresh initialisation."""
    doc = make_template("lenet5")
    torch.manual_seed(11)
    model = build_model(doc).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(1.5)
    project = Project(doc)
    project.add_run({"final": {"test_accuracy": 0.5}}, encode_weights(model.state_dict()))
    path = tmp_path / "lenet.nwproj"
    save_project(path, project)
    return path, model


def test_python_export_writes_model_train_py_and_weights_that_load(trained, capsys):
    path, model = trained
    out = path.parent / "lenet5.py"
    code, stdout, err = run(capsys, "export", path, "--python", out)
    assert code == 0, err
    assert "lenet5.py" in stdout and "train.py" in stdout and "class LeNet5" in stdout
    assert (path.parent / "train.py").read_text().count("from lenet5 import LeNet5") == 1
    namespace = {"__name__": "lenet5"}
    exec(out.read_text(), namespace)  # the file we just exported
    exported = namespace["LeNet5"]().eval()
    exported.load_state_dict(decode_weights((path.parent / "lenet5.safetensors").read_bytes()))
    x = torch.randn(2, 1, 32, 32)
    with torch.no_grad():
        assert torch.allclose(exported(x), model(x), atol=1e-6)


def test_weights_export_and_the_run_option(trained, capsys):
    path, model = trained
    out = path.parent / "w.safetensors"
    assert run(capsys, "export", path, "--weights", out)[0] == 0
    fresh = build_model(open_any(path).doc)
    load_into(fresh, out.read_bytes())
    assert all(torch.equal(fresh.state_dict()[k], v) for k, v in model.state_dict().items())
    code, _, err = run(capsys, "export", path, "--weights", path.parent / "x.st", "--run", "nope")
    assert code == 2 and "no weights named 'nope' (available: run 1)" in err


def test_onnx_export_from_a_project(trained, capsys):
    path, _ = trained
    code, stdout, err = run(capsys, "export", path, "--onnx", path.parent / "lenet.onnx")
    assert code == 0, err
    assert "trained weights" in stdout and "dynamic batch" in stdout


def test_export_from_exported_python_round_trips(tmp_path, capsys):
    design = tmp_path / "mlp.json"
    assert run(capsys, "new", "--template", "mlp", "-o", design)[0] == 0
    assert run(capsys, "export", design, "--python", tmp_path / "mlp.py")[0] == 0
    (tmp_path / "train.py").unlink()
    code, _, err = run(capsys, "export", tmp_path / "mlp.py", "--python", tmp_path / "again.py")
    assert code == 0, err
    first = (tmp_path / "mlp.py").read_text()
    assert (tmp_path / "again.py").read_text() == first
    code, out, _ = run(capsys, "summary", tmp_path / "mlp.py")
    assert code == 0 and "4,810" in out


@pytest.mark.parametrize(("flag", "name", "message"), [
    ("--python", "my-model.py", "letters, digits and underscores"),
    ("--python", "train.py", "name the model file otherwise"),
    ("--python", "model.txt", "must end in .py"),
    ("--weights", "w.safetensors", "holds no trained weights"),
    ("--python", "missing/model.py", "does not exist"),
])
def test_bad_requests_are_one_line_and_write_nothing(tmp_path, capsys, flag, name, message):
    design = tmp_path / "d.json"
    run(capsys, "new", "--template", "mlp", "-o", design)
    before = sorted(tmp_path.iterdir())
    code, out, err = run(capsys, "export", design, flag, tmp_path / name)
    assert code == 2 and message in err, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("netwright: error: ")
    assert sorted(tmp_path.iterdir()) == before


def test_existing_outputs_are_kept_unless_forced(tmp_path, capsys):
    design = tmp_path / "d.json"
    run(capsys, "new", "--template", "mlp", "-o", design)
    (tmp_path / "train.py").write_text("# mine\n")
    code, _, err = run(capsys, "export", design, "--python", tmp_path / "model.py")
    assert code == 2 and "train.py already exists" in err
    assert (tmp_path / "train.py").read_text() == "# mine\n"
    assert not (tmp_path / "model.py").exists()
    assert run(capsys, "export", design, "--python", tmp_path / "model.py", "--force")[0] == 0
    assert "SETTINGS" in (tmp_path / "train.py").read_text()
    code, _, err = run(capsys, "export", design, "--onnx", design, "--force")
    assert code == 2 and "is the file being exported" in err


def test_mismatched_or_broken_weights_give_a_sentence():
    lenet = build_model(make_template("lenet5"))
    mlp_weights = encode_weights(build_model(make_template("mlp")).state_dict())
    with pytest.raises(WeightsError, match=r"do not fit this design \(missing c1.bias, c1.weight"):
        load_into(lenet, mlp_weights)
    with pytest.raises(ProjectFileError):
        decode_weights(b"\x08\x00\x00\x00\x00\x00\x00\x00{}garbage")


def test_train_stores_the_run_and_weights_in_a_project(tmp_path, capsys):
    design = tmp_path / "xor.json"
    run(capsys, "new", "--template", "xor-mlp", "-o", design)
    project = tmp_path / "xor.nwproj"
    code, _, err = run(capsys, "train", design, "--epochs", "1", "--out", project)
    assert code == 0, err
    code, _, err = run(capsys, "train", project, "--epochs", "1", "--device", "cpu")
    assert code == 0, err
    opened = open_any(project)
    assert [r["id"] for r in opened.runs] == ["run_1", "run_2"]
    assert all(r["final"]["reason"] == "completed" and len(r["history"]) == 1
               for r in opened.runs)
    assert sorted(opened.weights) == ["run_1", "run_2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["xor.json", "xor.nwproj",
                                                           "xor.nwproj.bak"]
