"""File > Export: the design as Python (+ train.py), ONNX, trained weights, or a canvas picture.

`install(window)` fills the window's Export submenu (`window.menus["export"]`) and keeps the
controller as `window.exporter`. Each export asks for a file (the platform dialog; files the
export would replace, such as train.py beside the model, are confirmed in one question), then
runs. Python and ONNX exports import torch and take seconds, so they run on a worker QThread
on a copy of the design while the window shows a busy cursor and a status line; the result
(files written, ONNX's measured difference from torch) or the one-sentence reason it failed
arrives in a message box. A failed export writes nothing: the backend checks before it
writes and renames complete temp files into place.

Trained weights come from the open project (`window.files.project`): its default set (the
best run's by validation metric) goes into the Python and ONNX exports when it fits the design
as it is now, and otherwise the export goes ahead untrained and says so. Export > Trained
Weights asks whose weights when several runs kept some (`ask_run`, the best selected).
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from backend.graph.document import GraphDocument

PYTHON_FILTER = "Python module (*.py)"
ONNX_FILTER = "ONNX model (*.onnx)"
WEIGHTS_FILTER = "safetensors weights (*.safetensors)"
PNG_FILTER = "PNG image (*.png)"
SVG_FILTER = "SVG image (*.svg)"


# -- work done on the export thread --------------------------------------------------------------
def fitting_weights(doc: GraphDocument, weights) -> tuple[bytes | None, str]:
    """`weights` (bytes, or a function reading them from the project file) if they load into
    the design as it is now, else None and a note saying so."""
    if callable(weights):
        weights = weights()  # on the export thread: a project's weights stay on disk till now
    if weights is None:
        return None, ""
    from backend.build import build_model
    from backend.export.weights import load_into

    try:
        load_into(build_model(doc), weights)
    except Exception:  # a design with errors fails later with the exporter's own sentence
        return None, (" The trained weights were left out: they do not fit the design as it "
                      "is now (train it again to export them).")
    return weights, ""


def python_job(doc: GraphDocument, out: Path, weights: bytes | None) -> str:
    from backend.export.python import export_python

    weights, note = fitting_weights(doc, weights)
    files, class_name = export_python(doc, out, weights)
    names = ", ".join(p.name for p in files)
    return (f"Wrote {names} in {out.parent} (class {class_name}). Train it with "
            f"'python train.py', or on several processes with 'torchrun --nproc_per_node=2 "
            f"train.py'.{note}")


def onnx_job(doc: GraphDocument, out: Path, weights: bytes | None) -> str:
    from backend.export.onnx import TOLERANCE, export_onnx

    weights, note = fitting_weights(doc, weights)
    report = export_onnx(doc, out, weights)
    trained = "trained" if weights is not None else "untrained"
    verdict = (f"onnxruntime matches torch within {report.max_abs_diff:.1e}" if report.ok else
               f"WARNING: onnxruntime differs from torch by {report.max_abs_diff:.1e} (more "
               f"than {TOLERANCE:.0e}); check the outputs before relying on this file")
    return (f"Wrote {out.name} ({trained}, opset {report.opset}, dynamic batch size). "
            f"{verdict} on a batch of {report.batch_checked}.{note}")


def error_sentence(target: str, exc: BaseException) -> str:
    """One sentence saying why exporting `target` failed and what to do."""
    if isinstance(exc, PermissionError):
        return (f"{target} was not exported because its folder is not writable: choose "
                "another folder.")
    text = (str(exc).strip().splitlines() or [""])[0].rstrip(".")
    if isinstance(exc, OSError) and not text:
        text = exc.strerror or ""
    if not isinstance(exc, ValueError | OSError | ImportError) or not text:
        text = (f"an unexpected {type(exc).__name__} ({text or 'no message'}); report this "
                "as a bug")
    return f"{target} was not exported: {text}."


class ExportJob(QObject):
    """Runs one export function on its thread; `done(text)` or `failed(sentence)` once."""

    done = Signal(str)
    failed = Signal(str)

    def __init__(self, target: str, work: Callable[[], str]):
        super().__init__()
        self.target, self.work = target, work

    @Slot()
    def run(self) -> None:
        try:
            text = self.work()
        except Exception as exc:  # every failure becomes a sentence for the user
            self.failed.emit(error_sentence(self.target, exc))
            return
        self.done.emit(text)


# -- the controller (GUI thread) -----------------------------------------------------------------
class ExportController(QObject):
    """The Export menu's behaviour for one main window."""

    finished = Signal(bool, str)  # ok, the sentence shown (after the message box closed)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.thread: QThread | None = None
        self.job: ExportJob | None = None
        self.actions: dict[str, QAction] = {}

    # -- menu ---------------------------------------------------------------------------------
    def build_menu(self) -> None:
        menu = self.window.menus["export"]
        for key, text, tip, slot in (
            ("python", "&Python Code (+ train.py)…", "A PyTorch module and a training script",
             self.export_python),
            ("onnx", "&ONNX Model…", "One .onnx file with a dynamic batch size, checked with "
             "onnxruntime", self.export_onnx),
            ("weights", "Trained &Weights (safetensors)…", "The trained weights of a run "
             "(the best by validation metric, unless you choose another)",
             self.export_weights_menu),
            (None, None, None, None),
            ("png", "Canvas as P&NG Image…", "A picture of the whole design", self.export_png),
            ("svg", "Canvas as &SVG Image…", "A scalable picture of the whole design",
             self.export_svg),
        ):
            if key is None:
                menu.addSeparator()
                continue
            action = menu.addAction(text)
            action.setStatusTip(tip)
            action.setToolTip(tip)
            action.triggered.connect(slot)
            self.actions[key] = action
        menu.aboutToShow.connect(self.update_actions)
        self.update_actions()

    def update_actions(self) -> None:
        idle = self.thread is None
        for key, action in self.actions.items():
            action.setEnabled(idle and (key != "weights" or self.weights_name() is not None))
        self.actions["weights"].setStatusTip(
            "The project's trained weights" if self.weights_name() is not None else
            "Train the design first: the project has no trained weights yet")

    # -- what is exported ---------------------------------------------------------------------
    def weights_name(self) -> str | None:
        """The name of the weights an export uses (nothing is read)."""
        project = getattr(self.window.files, "project", None)
        return project.default_weights() if project is not None else None

    def weights(self):
        """None, or a function that reads the default weights (on the export thread)."""
        name = self.weights_name()
        if name is None:
            return None
        store = self.window.files.project.weights
        return lambda: store[name]

    def stem(self) -> str:
        """A file stem from the design's name that is also a Python module name."""
        path = self.window.editor.path
        raw = Path(path).stem if path else (self.window.editor.doc.name or "model")
        stem = re.sub(r"\W+", "_", raw.strip().lower()).strip("_") or "model"
        return f"model_{stem}" if stem[0].isdigit() or stem == "train" else stem

    # -- dialogs (static Qt methods, so tests can replace them) ---------------------------------
    def ask_path(self, title: str, suffix: str, name_filter: str,
                 stem: str | None = None) -> Path | None:
        folder = os.path.dirname(self.window.editor.path) or str(Path.home())
        suggested = os.path.join(folder, (stem or self.stem()) + suffix)
        path, _ = QFileDialog.getSaveFileName(self.window, title, suggested, name_filter,
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if not path:
            return None
        path = Path(path)
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def confirm_replace(self, paths: list[Path]) -> bool:
        existing = [p for p in paths if p.exists()]
        if not existing:
            return True
        names = ", ".join(p.name for p in existing)
        verb, them = ("exists", "it") if len(existing) == 1 else ("exist", "them")
        answer = QMessageBox.question(
            self.window, "Replace files?",
            f"{names} already {verb} in {existing[0].parent}. Replace {them}?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def report(self, ok: bool, title: str, text: str) -> None:
        show = QMessageBox.information if ok else QMessageBox.warning
        show(self.window, title, text)
        self.window.statusBar().showMessage(text if ok else "Export failed.", 8000)
        self.finished.emit(ok, text)

    # -- the exports --------------------------------------------------------------------------
    def export_python(self) -> bool:
        from backend.export.python import python_outputs

        out = self.ask_path("Export Python code", ".py", PYTHON_FILTER)
        if out is None:
            return False
        weights = self.weights()
        try:
            files = python_outputs(out, weights is not None)
        except ValueError as exc:
            self.report(False, "Export failed", error_sentence(out.name, exc))
            return False
        if not self.confirm_replace(files):
            return False
        doc = self.window.editor.doc.copy()
        return self.start(out.name, lambda: python_job(doc, out, weights))

    def export_onnx(self) -> bool:
        out = self.ask_path("Export ONNX model", ".onnx", ONNX_FILTER)
        if out is None or not self.confirm_replace([out]):
            return False
        doc, weights = self.window.editor.doc.copy(), self.weights()
        return self.start(out.name, lambda: onnx_job(doc, out, weights))

    def ask_run(self, project) -> str | None:
        """Which run's weights to export (the chooser, with the best run selected)."""
        from designer.training.run_dialogs import choose_run

        return choose_run(project.runs, set(project.weights), self.window)

    def export_weights_menu(self) -> bool:
        return self.export_weights(None)

    def export_weights(self, run_id: str | None = None) -> bool:
        """Export one run's trained weights: `run_id`'s, else the one the user chooses when
        several runs kept weights (the best by validation metric is offered first)."""
        from backend.export.weights import write_weights
        from backend.project.runs import run_name

        project = self.window.files.project
        chosen = next((r for r in project.runs if r.get("id") == run_id), None) \
            if project is not None and run_id is not None else None
        if chosen is not None and run_id not in project.weights:
            self.report(False, "Export failed", f"{run_name(chosen)} kept no weights (it "
                        "failed before any epoch was best): export another run's weights.")
            return False
        name = project.default_weights() if project is not None else None
        if name is None:
            self.report(False, "Export failed", "There are no trained weights to export: "
                        "train the design first.")
            return False
        with_weights = [r for r in project.runs if r.get("id") in project.weights]
        if run_id is None and len(with_weights) > 1:
            run_id = self.ask_run(project)
            if run_id is None:
                return False
        name = run_id if run_id in project.weights else name
        run = next((r for r in project.runs if r.get("id") == name), {"id": name})
        stem = re.sub(r"\W+", "_", f"{self.stem()}_{run_name(run)}".lower()).strip("_")
        out = self.ask_path("Export trained weights", ".safetensors", WEIGHTS_FILTER, stem)
        if out is None or not self.confirm_replace([out]):
            return False
        store = project.weights
        return self.run_now(out.name, lambda: write_weights(out, store[name]),
                            f"Wrote {out.name} (the weights of {run_name(run)}); they load "
                            "into the exported Python module with load_state_dict.")

    def export_png(self) -> bool:
        return self.export_image(".png", PNG_FILTER)

    def export_svg(self) -> bool:
        return self.export_image(".svg", SVG_FILTER)

    def export_image(self, suffix: str, name_filter: str) -> bool:
        out = self.ask_path("Export canvas image", suffix, name_filter)
        if out is None or not self.confirm_replace([out]):
            return False
        draw = getattr(self.window.canvas, "export_image", None)
        if not callable(draw):
            self.report(False, "Export failed", "This canvas cannot be exported as a picture.")
            return False
        return self.run_now(out.name, lambda: draw(str(out)), f"Wrote {out.name}.")

    # -- running ------------------------------------------------------------------------------
    def run_now(self, target: str, work: Callable[[], object], text: str) -> bool:
        """A quick export in the GUI thread (a busy cursor while it writes)."""
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        try:
            work()
        except Exception as exc:  # every failure becomes a sentence for the user
            QApplication.restoreOverrideCursor()
            self.report(False, "Export failed", error_sentence(target, exc))
            return False
        QApplication.restoreOverrideCursor()
        self.report(True, "Export finished", text)
        return True

    def start(self, target: str, work: Callable[[], str]) -> bool:
        """Run a slow export on a worker thread; the result arrives in `_on_done/_on_failed`."""
        if self.thread is not None:
            return False
        self.thread = QThread()
        self.thread.setObjectName("netwright-export")
        self.job = ExportJob(target, work)
        self.job.moveToThread(self.thread)
        self.thread.started.connect(self.job.run)
        self.job.done.connect(self._on_done)
        self.job.failed.connect(self._on_failed)
        self.update_actions()
        QApplication.setOverrideCursor(Qt.CursorShape.BusyCursor)
        self.window.statusBar().showMessage(f"Exporting {target}…")
        # Collect garbage here and keep the collector away from every object alive now while
        # the export runs: otherwise a collection inside the export's thread may free Qt
        # objects there, off the GUI thread (seen as hangs and crashes during ONNX export).
        gc.collect()
        gc.freeze()
        self.thread.start()
        return True

    @Slot(str)
    def _on_done(self, text: str) -> None:
        self._end()
        self.report("WARNING" not in text, "Export finished", text)

    @Slot(str)
    def _on_failed(self, sentence: str) -> None:
        self._end()
        self.report(False, "Export failed", sentence)

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
        self.update_actions()

    def shutdown(self) -> None:
        """Wait for a running export (the window is closing) so no thread is left running."""
        if self.thread is not None:
            self.thread.quit()
            self.thread.wait()


def install(window) -> ExportController:
    """Fill File > Export of `window`; the controller is kept as `window.exporter`."""
    window.exporter = ExportController(window)
    window.exporter.build_menu()
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(window.exporter.shutdown)
    return window.exporter
