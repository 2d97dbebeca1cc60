"""File > Export in the main window: every format writes valid files; failures write nothing."""

from __future__ import annotations

import importlib.util
import py_compile
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from backend.graph import AddNode, Node
from backend.project import save_design
from backend.project.project import Project
from backend.templates import make_template


class Boxes:
    """Replaces the static dialogs: the save dialog answers `path`, message boxes are kept."""

    def __init__(self, monkeypatch):
        self.path = ""
        self.shown: list[tuple[str, str]] = []
        self.replace = QMessageBox.StandardButton.Yes
        monkeypatch.setattr(QFileDialog, "getSaveFileName",
                            staticmethod(lambda *a, **k: (self.path, "")))
        monkeypatch.setattr(QMessageBox, "information", staticmethod(
            lambda parent, title, text, *a: self.shown.append(("info", text))))
        monkeypatch.setattr(QMessageBox, "warning", staticmethod(
            lambda parent, title, text, *a: self.shown.append(("warning", text))))
        monkeypatch.setattr(QMessageBox, "question", staticmethod(
            lambda *a, **k: self.shown.append(("question", a[2])) or self.replace))


@pytest.fixture
def boxes(monkeypatch) -> Boxes:
    return Boxes(monkeypatch)


def open_template(window, tmp_path: Path, name: str) -> None:
    path = tmp_path / "designs" / f"{name}.json"
    path.parent.mkdir(exist_ok=True)
    save_design(make_template(name), path)
    assert window.files.open_path(str(path))


def run_export(qtbot, window, slot) -> tuple[bool, str]:
    with qtbot.waitSignal(window.exporter.finished, timeout=120_000) as blocker:
        assert slot()
    return tuple(blocker.args)


def trained_weights(doc) -> bytes:
    import torch

    from backend.build import build_model
    from backend.export.weights import model_weights

    torch.manual_seed(3)
    return model_weights(build_model(doc))


def test_export_menu_lists_every_format(window):
    texts = [a.text().replace("&", "") for a in window.menus["export"].actions() if a.text()]
    assert texts == ["Python Code (+ train.py)…", "ONNX Model…",
                     "Trained Weights (safetensors)…", "Canvas as PNG Image…",
                     "Canvas as SVG Image…"]


def test_python_export_writes_a_module_that_loads_the_trained_weights(qtbot, window, boxes,
                                                                      tmp_path):
    import safetensors.torch
    import torch

    open_template(window, tmp_path, "lenet5")
    weights = trained_weights(window.editor.doc)
    window.files.project.weights["best"] = weights
    boxes.path = str(tmp_path / "out" / "lenet")
    (tmp_path / "out").mkdir()
    ok, text = run_export(qtbot, window, window.exporter.export_python)
    assert ok and "lenet.py" in text and "train.py" in text
    assert boxes.shown == [("info", text)]
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == ["lenet.py", "lenet.safetensors", "train.py"]
    for name in ("lenet.py", "train.py"):
        py_compile.compile(str(tmp_path / "out" / name), doraise=True)
    spec = importlib.util.spec_from_file_location("exported_lenet", tmp_path / "out" / "lenet.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["exported_lenet"] = module
    try:
        spec.loader.exec_module(module)
        model = getattr(module, text.split("class ")[1].split(")")[0])()
    finally:
        del sys.modules["exported_lenet"]
    model.load_state_dict(safetensors.torch.load_file(tmp_path / "out" / "lenet.safetensors"))
    expected = safetensors.torch.load(weights)
    assert all(torch.equal(model.state_dict()[k], v) for k, v in expected.items())


def test_onnx_export_passes_the_checker_and_reports_the_difference(qtbot, window, boxes,
                                                                    tmp_path):
    import onnx

    open_template(window, tmp_path, "mlp")
    boxes.path = str(tmp_path / "mlp.onnx")
    ok, text = run_export(qtbot, window, window.exporter.export_onnx)
    assert ok, text
    onnx.checker.check_model(onnx.load(str(tmp_path / "mlp.onnx")), full_check=True)
    assert "onnxruntime matches torch within" in text and "untrained" in text
    assert window.exporter.thread is None and window.exporter.actions["onnx"].isEnabled()


def test_a_design_with_errors_gives_one_sentence_and_writes_nothing(qtbot, window, boxes,
                                                                     tmp_path):
    open_template(window, tmp_path, "mlp")
    window.editor.push(AddNode(Node("loose", "Dense", {"units": 4})), "Add")  # no input
    out = tmp_path / "out"
    out.mkdir()
    for slot, name in ((window.exporter.export_python, "broken.py"),
                       (window.exporter.export_onnx, "broken.onnx")):
        boxes.path = str(out / name)
        ok, text = run_export(qtbot, window, slot)
        assert not ok and boxes.shown[-1] == ("warning", text)
        assert text.startswith(f"{name} was not exported: ") and text.endswith(".")
        assert "\n" not in text
    assert list(out.iterdir()) == []


def test_declining_to_replace_keeps_the_existing_train_py(window, boxes, tmp_path):
    open_template(window, tmp_path, "mlp")
    (tmp_path / "train.py").write_text("mine\n")
    boxes.path = str(tmp_path / "net.py")
    boxes.replace = QMessageBox.StandardButton.No
    assert not window.exporter.export_python()
    assert boxes.shown[0][0] == "question" and "train.py" in boxes.shown[0][1]
    assert (tmp_path / "train.py").read_text() == "mine\n"
    assert not (tmp_path / "net.py").exists()


def test_weights_export_needs_trained_weights_and_writes_safetensors(window, boxes, tmp_path):
    import safetensors.torch

    open_template(window, tmp_path, "mlp")
    window.exporter.update_actions()
    assert not window.exporter.actions["weights"].isEnabled()
    window.files.project = Project(window.editor.doc)
    weights = trained_weights(window.editor.doc)
    window.files.project.add_run({"final": {}}, weights)
    window.exporter.update_actions()
    assert window.exporter.actions["weights"].isEnabled()
    boxes.path = str(tmp_path / "trained")
    assert window.exporter.export_weights()
    assert "the weights of run 1" in boxes.shown[-1][1]
    assert (tmp_path / "trained.safetensors").read_bytes() == weights
    assert safetensors.torch.load_file(tmp_path / "trained.safetensors")


@pytest.mark.parametrize("suffix", [".png", ".svg"])
def test_canvas_pictures(window, boxes, tmp_path, suffix):
    open_template(window, tmp_path, "lenet5")
    boxes.path = str(tmp_path / f"canvas{suffix}")
    slot = window.exporter.export_png if suffix == ".png" else window.exporter.export_svg
    assert slot()
    written = tmp_path / f"canvas{suffix}"
    if suffix == ".png":
        image = QImage(str(written))
        assert not image.isNull() and image.width() > 200
    else:
        assert "<svg" in written.read_text()
    assert boxes.shown == [("info", f"Wrote canvas{suffix}.")]


def test_cancelled_dialog_exports_nothing(window, boxes, tmp_path):
    open_template(window, tmp_path, "mlp")
    boxes.path = ""
    assert not window.exporter.export_onnx()
    assert boxes.shown == [] and window.exporter.thread is None
