"""File > Import: a PyTorch module (runs the user's file, on request) or an ONNX model.

`install(window)` fills the window's Import submenu (`window.menus["import"]`) and keeps the
controller as `window.importer`. The open design is offered for saving first (an import
replaces it). The import takes seconds to minutes, so it runs on a worker QThread while a
progress window (designer.import_progress) lists its stages and offers Cancel. A .py file is
run in a child process (backend.importer.isolated): a file that crashes, hangs or exits costs
one sentence, and Cancel stops it at once. A refusal returns to the dialog with its sentence
and the list of operations without a layer; a success opens the design untitled (laid out,
blocks collapsed, with the original's weights in the project as 'imported') and says how
closely it matched the original and whether the author's modules were kept as blocks.
"""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from designer.import_dialog import ImportRequest, PythonImportDialog
from designer.import_progress import ImportProgress

ONNX_FILTER = "ONNX models (*.onnx);;All files (*)"


def python_job(req: ImportRequest, progress: Callable[[str], None],
               cancel: threading.Event, timeout: float | None = None):
    """Run on the worker thread: (FxImport, summary sentence). The file runs in a child
    process; `cancel` stops it."""
    from backend.importer.isolated import TIMEOUT_S, import_file_isolated

    result = import_file_isolated(req.path, req.shapes, req.class_name, req.args or None,
                                  req.weights or None, timeout=timeout or TIMEOUT_S,
                                  progress=progress, cancel=cancel)
    source = "the weights you gave" if req.weights else "its current weights"
    return result, (f"Imported {result.doc.name} from {Path(req.path).name}{_shape(result)}. "
                    f"With {source}, its outputs equal the module's in evaluation and "
                    f"training mode (largest difference {result.max_difference:.1e}).")


def _shape(result) -> str:
    """How the design keeps the author's structure, for the sentence after an import."""
    blocks = len(result.doc.blocks)
    if blocks:
        return (f" with {blocks} block definition{'s' if blocks != 1 else ''} for its "
                "modules (double-click a block to open it)")
    return ""


def onnx_job(path: str, progress: Callable[[str], None], cancel: threading.Event):
    from backend.importer.onnx_import import import_onnx

    progress("Converting the operators and checking against onnxruntime")
    result = import_onnx(path)
    return result, (f"Imported {Path(path).name}. Its outputs equal onnxruntime's on the file "
                    f"(largest difference {result.max_difference:.1e}).")


class ImportJob(QObject):
    """Runs one import on its thread: `stage(text)` as it goes, then `done(result, text)` or
    `failed(sentence, items)`. `work(progress, cancel)` does the import."""

    stage = Signal(str)
    done = Signal(object, str)
    failed = Signal(str, object)

    def __init__(self, work: Callable[..., tuple]):
        super().__init__()
        self.work = work
        self.cancel = threading.Event()

    @Slot()
    def run(self) -> None:
        from backend.importer.user_code import FxImportError

        try:
            result, text = self.work(self.stage.emit, self.cancel)
        except FxImportError as exc:
            self.failed.emit(_sentence(str(exc)), list(exc.items))
            return
        except Exception as exc:  # every failure becomes a sentence for the user
            text = " ".join(str(exc).split())[:200] or type(exc).__name__
            self.failed.emit(f"The import failed ({type(exc).__name__}: {text}).", [])
            return
        if self.cancel.is_set():
            self.failed.emit("The import was cancelled: nothing was imported.", [])
            return
        self.done.emit(result, text)


def _sentence(text: str) -> str:
    """A backend phrase ("the file ...: do this") as a sentence."""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


class ImportController(QObject):
    """The Import menu's behaviour for one main window."""

    finished = Signal(bool, str)  # ok, the sentence shown

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.thread: QThread | None = None
        self.job: ImportJob | None = None
        self.dialog: PythonImportDialog | None = None
        self.progress: ImportProgress | None = None
        self.timeout: float | None = None  # seconds for the user's file (None: the default)
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
        return self.start(f"Importing {Path(path).name} (read, never run)",
                          f"Reading {Path(path).name}",
                          lambda progress, cancel: onnx_job(path, progress, cancel))

    @Slot()
    def _run_python(self) -> None:
        req = self.dialog.request()
        self.kind = "python"
        name = Path(req.path).name
        self.start(f"Importing {req.class_name or 'the model'} from {name} (the file runs in "
                   "a separate process)", "Starting the import process",
                   lambda progress, cancel: python_job(req, progress, cancel, self.timeout))

    # -- running -----------------------------------------------------------------------------
    def start(self, title: str, first: str, work: Callable[..., tuple]) -> bool:
        self.thread = QThread()
        self.thread.setObjectName("netwright-import")
        self.job = ImportJob(work)
        self.job.moveToThread(self.thread)
        self.thread.started.connect(self.job.run)
        self.job.done.connect(self._on_done)
        self.job.failed.connect(self._on_failed)
        if self.progress is None:
            self.progress = ImportProgress(self.window)
            self.progress.cancelled.connect(self.cancel)
        self.job.stage.connect(self.progress.add_stage)
        for action in self.actions.values():
            action.setEnabled(False)
        self.window.statusBar().showMessage(title + "…")
        self.progress.start(title, first)
        gc.collect()  # keep the collector from freeing Qt objects on the worker thread
        gc.freeze()
        self.thread.start()
        return True

    @Slot()
    def cancel(self) -> None:
        """Stop the running import: the child process is killed within a tenth of a second
        (an ONNX import finishes reading and is then dropped)."""
        if self.job is not None:
            self.job.cancel.set()

    @Slot(object, str)
    def _on_done(self, result, text: str) -> None:
        self._end()
        self.adopt(result)
        notes = "".join(f"\n\n{_sentence(w)}" for w in getattr(result, "warnings", []) or [])
        QMessageBox.information(self.window, "Import finished", text + " The project keeps "
                                "the original's weights as 'imported'; save it to keep them."
                                + notes)
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

        for graph in [result.doc, *(d.graph for d in result.doc.blocks.values())]:
            for nid, pos in layered_positions(graph).items():
                graph.nodes[nid].pos = pos
        project = Project(result.doc, weights={"imported": result.weights}, kind="design")
        self.window.files.adopt(project)
        if callable(getattr(self.window.canvas, "fit_all", None)):
            QTimer.singleShot(0, self._fit)  # once the scene has its new items

    @Slot()
    def _fit(self) -> None:
        self.window.canvas.fit_all()

    def _end(self) -> None:
        gc.unfreeze()
        if self.progress is not None:
            self.progress.finish()
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
        """Stop a running import (the window is closing) so no thread or process is left."""
        if self.job is not None:
            self.job.cancel.set()
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
