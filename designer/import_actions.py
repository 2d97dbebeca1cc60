"""File > Import: a PyTorch module (runs the user's file, on request) or an ONNX model.

`install(window)` fills the window's Import submenu (`window.menus["import"]`) and keeps the
controller as `window.importer`. The open design is offered for saving first (an import
replaces it). The import itself takes seconds (torch, tracing, the check against the
original), so it runs on a worker QThread while the window shows a busy cursor; a refusal
returns to the dialog with its sentence and the list of operations without a layer, a
success opens the design untitled (laid out, with the original's weights in the project as
'imported') and says how closely it matched the original.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from designer.import_dialog import ImportRequest, PythonImportDialog

ONNX_FILTER = "ONNX models (*.onnx);;All files (*)"


def python_job(req: ImportRequest):
    """Run on the worker thread: (FxImport, summary sentence)."""
    from backend.importer.fx import import_file
    from backend.importer.weights_file import read_state_dict

    state = read_state_dict(req.weights) if req.weights else None
    result = import_file(req.path, req.shapes, req.class_name, req.args or None, state)
    source = "the weights you gave" if state is not None else "its current weights"
    return result, (f"Imported {result.doc.name} from {Path(req.path).name}. With {source}, "
                    "its outputs equal the module's in evaluation and training mode "
                    f"(largest difference {result.max_difference:.1e}).")


def onnx_job(path: str):
    from backend.importer.onnx_import import import_onnx

    result = import_onnx(path)
    return result, (f"Imported {Path(path).name}. Its outputs equal onnxruntime's on the file "
                    f"(largest difference {result.max_difference:.1e}).")


class ImportJob(QObject):
    """Runs one import on its thread; `done(result, text)` or `failed(sentence, items)`."""

    done = Signal(object, str)
    failed = Signal(str, object)

    def __init__(self, work: Callable[[], tuple]):
        super().__init__()
        self.work = work

    @Slot()
    def run(self) -> None:
        from backend.importer.user_code import FxImportError

        try:
            result, text = self.work()
        except FxImportError as exc:
            self.failed.emit(str(exc), list(exc.items))
            return
        except Exception as exc:  # every failure becomes a sentence for the user
            text = " ".join(str(exc).split())[:200] or type(exc).__name__
            self.failed.emit(f"The import failed ({type(exc).__name__}: {text}).", [])
            return
        self.done.emit(result, text)


class ImportController(QObject):
    """The Import menu's behaviour for one main window."""

    finished = Signal(bool, str)  # ok, the sentence shown

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.thread: QThread | None = None
        self.job: ImportJob | None = None
        self.dialog: PythonImportDialog | None = None
        self.kind = ""
        self.actions = {}

    def build_menu(self) -> None:
        menu = self.window.menus["import"]
        for key, text, tip, slot in (
            ("python", "&PyTorch Module…", "An nn.Module from a .py file (runs the file)",
             self.import_python),
            ("onnx", "&ONNX Model…", "An .onnx file (read, never run)", self.import_onnx),
        ):
            action = menu.addAction(text)
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.triggered.connect(slot)
            self.actions[key] = action

    # -- asking ------------------------------------------------------------------------------
    def import_python(self) -> bool:
        if self.thread is not None or not self.window.files.confirm_discard():
            return False
        if self.dialog is None:
            self.dialog = PythonImportDialog(self.window)
            self.dialog.accepted.connect(self._run_python)
        self.dialog.show_error("")
        self.dialog.open()
        return True

    def ask_onnx_path(self) -> str:
        folder = os.path.dirname(self.window.editor.path) or str(Path.home())
        path, _ = QFileDialog.getOpenFileName(self.window, "Import ONNX model", folder,
                                              ONNX_FILTER)
        return path

    def import_onnx(self) -> bool:
        if self.thread is not None or not self.window.files.confirm_discard():
            return False
        path = self.ask_onnx_path()
        if not path:
            return False
        self.kind = "onnx"
        return self.start(f"Reading {Path(path).name}…", lambda: onnx_job(path))

    @Slot()
    def _run_python(self) -> None:
        req = self.dialog.request()
        self.kind = "python"
        self.start(f"Running {Path(req.path).name} to import its module…",
                   lambda: python_job(req))

    # -- running -----------------------------------------------------------------------------
    def start(self, status: str, work: Callable[[], tuple]) -> bool:
        self.thread = QThread()
        self.thread.setObjectName("netwright-import")
        self.job = ImportJob(work)
        self.job.moveToThread(self.thread)
        self.thread.started.connect(self.job.run)
        self.job.done.connect(self._on_done)
        self.job.failed.connect(self._on_failed)
        for action in self.actions.values():
            action.setEnabled(False)
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.window.statusBar().showMessage(status)
        gc.collect()  # keep the collector from freeing Qt objects on the worker thread
        gc.freeze()
        self.thread.start()
        return True

    @Slot(object, str)
    def _on_done(self, result, text: str) -> None:
        self._end()
        self.adopt(result)
        QMessageBox.information(self.window, "Import finished", text + " The project keeps "
                                "the original's weights as 'imported'; save it to keep them.")
        self.window.statusBar().showMessage(text, 8000)
        self.finished.emit(True, text)

    @Slot(str, object)
    def _on_failed(self, sentence: str, items) -> None:
        self._end()
        if self.kind == "python" and self.dialog is not None:
            self.dialog.show_error(sentence, items)
            self.dialog.open()  # the same values, to fix and try again
        else:
            QMessageBox.warning(self.window, "Import failed", sentence)
        self.finished.emit(False, sentence)

    def adopt(self, result) -> None:
        """Open the imported design untitled (unsaved), laid out, with its weights."""
        from backend.project.project import Project
        from designer.canvas.layout import layered_positions

        for nid, pos in layered_positions(result.doc).items():
            result.doc.nodes[nid].pos = pos
        project = Project(result.doc, weights={"imported": result.weights}, kind="design")
        self.window.files.adopt(project)
        if callable(getattr(self.window.canvas, "fit_all", None)):
            QTimer.singleShot(0, self._fit)  # once the scene has its new items

    @Slot()
    def _fit(self) -> None:
        self.window.canvas.fit_all()

    def _end(self) -> None:
        gc.unfreeze()
        QApplication.restoreOverrideCursor()
        self.window.statusBar().clearMessage()
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()
        if self.job is not None:
            self.job.deleteLater()
        self.thread, self.job = None, None
        for action in self.actions.values():
            action.setEnabled(True)

    def shutdown(self) -> None:
        """Wait for a running import (the window is closing) so no thread is left running."""
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()


def install(window) -> ImportController:
    """Fill File > Import of `window`; the controller is kept as `window.importer`."""
    window.importer = ImportController(window)
    window.importer.build_menu()
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(window.importer.shutdown)
    return window.importer
