"""File > Import in the designer: the dialog lists the file's classes without running it,
a refusal comes back to the dialog as a list, and an import opens untitled with weights."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from designer.import_dialog import PythonImportDialog

MODELS = Path(__file__).resolve().parents[1] / "backend" / "import_models"


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    from designer.files import DISCARD
    from designer.main_window import MainWindow

    monkeypatch.setenv("NETWRIGHT_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("NETWRIGHT_RECOVERY_DIR", str(tmp_path / "recovery"))
    win = MainWindow()
    qtbot.addWidget(win)
    win.files.ask_save_changes = lambda: DISCARD
    win.show()
    win.install_extensions()
    yield win
    win.files.ask_save_changes = lambda: DISCARD


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
    assert "line 16: nn.Embedding self.embedding" in dialog.details.toPlainText()

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
