"""File > Import in the designer: the dialog lists the file's classes without running it,
a refusal comes back to the dialog as a list, and an import opens untitled with weights."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from designer.import_dialog import PythonImportDialog

MODELS = Path(__file__).resolve().parents[1] / "backend" / "import_models"


def _fill(qtbot, dialog: PythonImportDialog, name: str, shape: str, args: str = ""):
    dialog.file.edit.clear()
    qtbot.keyClicks(dialog.file.edit, str(MODELS / name))
    qtbot.keyClicks(dialog.args, args)
    dialog.shape.clear()
    qtbot.keyClicks(dialog.shape, shape)


def test_the_dialog_reads_classes_without_running_the_file(qtbot, tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "net.py"
    path.write_text(f"open({str(marker)!r}, 'w').close()\n"
                    + (MODELS / "resnet_small.py").read_text())
    dialog = PythonImportDialog()
    qtbot.addWidget(dialog)
    assert "runs its code" in dialog.findChild(type(dialog.message), "importWarning").text()
    assert not dialog.run.isEnabled()
    qtbot.keyClicks(dialog.file.edit, str(path))
    assert [dialog.cls.itemText(i) for i in range(dialog.cls.count())] == [
        "BasicBlock(inplanes, planes, stride=1, downsample=None)",
        "ResNet(layers=(2, 2), num_classes=10, width=16)"]
    assert dialog.cls.currentData() == "ResNet"  # the class no other class uses
    qtbot.keyClicks(dialog.shape, "3,32,32")
    assert dialog.run.isEnabled() and not marker.exists()


def test_import_refusal_then_success(qtbot, window, monkeypatch):
    importer = window.importer
    assert [a.text() for a in window.menus["import"].actions()] == [
        "&PyTorch Module…", "&ONNX Model…"]
    importer.import_python()
    dialog = importer.dialog
    _fill(qtbot, dialog, "text_cnn.py", "12")
    with qtbot.waitSignal(importer.finished, timeout=60000) as done:
        qtbot.mouseClick(dialog.run, Qt.LeftButton)
    assert done.args[0] is False and dialog.isVisible()
    assert "nothing was imported" in dialog.message.text()
    assert "line 16: x.transpose() (reorders axes" in dialog.details.toPlainText()

    _fill(qtbot, dialog, "lstm_classifier.py", "28,28", "[28, 16, 1, 10]")
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    with qtbot.waitSignal(importer.finished, timeout=60000) as done:
        qtbot.mouseClick(dialog.run, Qt.LeftButton)
    assert done.args[0] is True and "evaluation and training mode" in shown[0]
    doc = window.editor.doc
    assert [n.type for n in doc.nodes.values()] == ["Input", "LSTM", "Dense"]
    assert window.editor.path == "" and window.editor.dirty
    assert "imported" in window.files.project.weights


def test_progress_lists_stages_and_cancel_stops_a_file_that_hangs(qtbot, window, tmp_path):
    path = tmp_path / "slow.py"
    path.write_text((MODELS / "mnist_cnn.py").read_text() + "\nimport time\ntime.sleep(600)\n")
    importer = window.importer
    importer.import_python()
    dialog = importer.dialog
    dialog.file.edit.clear()
    qtbot.keyClicks(dialog.file.edit, str(path))
    qtbot.keyClicks(dialog.shape, "1,28,28")
    qtbot.mouseClick(dialog.run, Qt.LeftButton)
    progress = importer.progress
    assert progress.isVisible() and "separate process" in progress.title.text()
    qtbot.waitUntil(lambda: progress.stage() == "Running slow.py", timeout=120000)
    assert "Loading torch" in progress.stages
    assert "✓ Loading torch" in progress.list.text()
    with qtbot.waitSignal(importer.finished, timeout=10000) as done:
        qtbot.mouseClick(progress.cancel_button, Qt.LeftButton)
    assert done.args == [False, "The import was cancelled: nothing was imported."]
    assert not progress.isVisible() and dialog.isVisible()
    assert dialog.message.text() == done.args[1]
    assert all(a.isEnabled() for a in importer.actions.values())


def test_a_file_that_exits_is_one_sentence_and_the_window_stays(qtbot, window, tmp_path):
    path = tmp_path / "quits.py"
    path.write_text((MODELS / "mnist_cnn.py").read_text() + "\nimport os\nos._exit(3)\n")
    importer = window.importer
    importer.import_python()
    dialog = importer.dialog
    dialog.file.edit.clear()
    qtbot.keyClicks(dialog.file.edit, str(path))
    qtbot.keyClicks(dialog.shape, "1,28,28")
    with qtbot.waitSignal(importer.finished, timeout=120000) as done:
        qtbot.mouseClick(dialog.run, Qt.LeftButton)
    assert done.args[0] is False and "exit code 3" in done.args[1]
    assert "os._exit" in dialog.message.text() and window.isVisible()


def test_an_import_with_blocks_opens_collapsed_and_laid_out(qtbot, window):
    from backend.importer.fx import import_file

    result = import_file(MODELS / "convblock_reuse.py", [[3, 32, 32]], "SmallCNN")
    window.importer.adopt(result)
    scene = window.canvas.scene()
    blocks = [nid for nid, n in window.editor.doc.nodes.items() if n.type == "Block"]
    assert len(blocks) == 3 and not scene.expanded and set(blocks) <= set(scene.nodes)
    rects = [scene.nodes[nid].sceneBoundingRect() for nid in window.editor.doc.nodes]
    assert not any(a.intersects(b) for i, a in enumerate(rects) for b in rects[i + 1:])
    (body,) = window.editor.doc.blocks.values()
    places = [n.pos for n in body.graph.nodes.values()]
    assert len(set(places)) == len(places)  # the inside is laid out too


def test_an_onnx_recurrent_model_opens_with_its_layers(qtbot, window, tmp_path, monkeypatch):
    import warnings

    import torch

    from backend.importer.user_code import instantiate, load_class

    model = instantiate(load_class(MODELS / "gru_forecaster.py", "GRUForecaster"), [], {})
    path = tmp_path / "forecaster.onnx"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(model.eval(), (torch.randn(1, 20, 1),), str(path), dynamo=False,
                          input_names=["series"], dynamic_axes={"series": {0: "batch"}})
    importer = window.importer
    monkeypatch.setattr(importer, "ask_onnx_path", lambda: str(path))
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda *a: shown.append(a[2]))
    with qtbot.waitSignal(importer.finished, timeout=60000) as done:
        importer.actions["onnx"].trigger()
    assert done.args[0] is True and "equal onnxruntime's" in shown[0]
    assert [n.type for n in window.editor.doc.nodes.values()] == ["Input", "GRU", "GRU", "Dense"]
    assert not importer.progress.isVisible()
