"""Opening, saving and creating designs from the main window, and the unsaved-changes guard.

Files go through `backend.project` (`open_any` / `save_project` for .nwproj projects, .json
designs and exported .py files; plain `load_design` / `save_design` where those are missing).
A file that cannot be opened shows one sentence and leaves the open design untouched; a save
that fails shows one sentence and keeps the unsaved changes. The dialogs are methods
(`ask_save_changes`, `ask_open_path`, `ask_save_path`, `warn`) so tests can replace them.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from backend.project import DesignFileError, load_design, save_design
from backend.project.atomic import SaveError
from designer import settings
from designer.editor import DocumentEditor
from designer.panels.templates import TemplateDialog, new_document
from designer.unsaved import SavedState, lost_parts, lost_text

try:  # project files (weights and runs) arrive with backend.project.project
    from backend.project.project import Project, json_drops, open_any, save_project
except ImportError:  # pragma: no cover - only while that module is missing
    Project = open_any = save_project = json_drops = None

SAVE, DISCARD, CANCEL = "save", "discard", "cancel"
OPEN_FILTER = "Netwright files (*.nwproj *.json *.py);;All files (*)"
SAVE_FILTER = ("Netwright project (*.nwproj);;Design only (*.json)" if save_project
               else "Netwright design (*.json)")
EXAMPLE = Path(__file__).resolve().parents[1] / "resources" / "examples" / "mlp-digits.json"


class FileController:
    """File menu behaviour for one window and its DocumentEditor."""

    def __init__(self, editor: DocumentEditor, parent: QWidget):
        self.editor = editor
        self.parent = parent
        self.project = None  # the backend Project (weights, runs) behind the open design
        self._saved: SavedState | None = None  # the design and runs as last saved
        self.on_recent_changed = lambda files: None
        self._mark_saved()

    # -- dialogs (replaceable in tests) ---------------------------------------------------------
    def ask_save_changes(self) -> str:
        """SAVE, DISCARD or CANCEL for the unsaved changes of the open design."""
        name = self.display_name()
        box = QMessageBox(QMessageBox.Warning, "Unsaved changes",
                          f"Save the changes to {name} before closing it?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel,
                          self.parent)
        box.setInformativeText(self.unsaved_text())
        box.setDefaultButton(QMessageBox.Save)
        answer = box.exec()
        return {QMessageBox.Save: SAVE, QMessageBox.Discard: DISCARD}.get(answer, CANCEL)

    def ask_open_path(self) -> str:
        path, _ = QFileDialog.getOpenFileName(self.parent, "Open design", self._folder(),
                                              OPEN_FILTER)
        return path

    def ask_save_path(self) -> str:
        suggested = os.path.join(self._folder(), self._suggested_name())
        path, chosen = QFileDialog.getSaveFileName(self.parent, "Save design as", suggested,
                                                   SAVE_FILTER)
        if path and not Path(path).suffix:
            path += ".json" if "json" in chosen or not save_project else ".nwproj"
        return path

    def warn(self, title: str, sentence: str) -> None:
        QMessageBox.warning(self.parent, title, sentence)

    # -- guard ------------------------------------------------------------------------------------
    def confirm_discard(self) -> bool:
        """True when the open design may be replaced (saved, discarded, or not modified)."""
        if not self.editor.dirty:
            return True
        answer = self.ask_save_changes()
        if answer == SAVE:
            return self.save()
        return answer == DISCARD

    # -- commands ---------------------------------------------------------------------------------
    def new_from_template(self) -> bool:
        if not self.confirm_discard():
            return False
        dialog = TemplateDialog(self.parent)
        if dialog.exec() != QDialog.Accepted:
            return False
        return self.new_design(dialog.chosen(), *dialog.sizes())

    def new_design(self, template: str = "", num_classes: int | None = None,
                   input_shape: tuple[int, ...] | None = None) -> bool:
        """Show a fresh untitled design (no prompt; callers guard with confirm_discard)."""
        self.project = None
        self.editor.replace_document(new_document(template, num_classes, input_shape), "")
        self._mark_saved()
        return True

    def open(self) -> bool:
        if not self.confirm_discard():
            return False
        path = self.ask_open_path()
        return bool(path) and self.open_path(path, confirm=False)

    def open_path(self, path: str, confirm: bool = True, untitled: bool = False) -> bool:
        """Open `path`; on failure show one sentence and keep the open design as it was."""
        if confirm and not self.confirm_discard():
            return False
        try:
            project, doc = _load(path)
        except (DesignFileError, OSError) as exc:
            self.warn("Cannot open design", _sentence(exc))
            return False
        self.project = project  # before the views hear of the new document, so they see it
        self.editor.replace_document(doc, "" if untitled else os.path.abspath(path))
        self._keep(project)
        self._mark_saved()
        if not untitled:
            self._remember(path)
        return True

    def adopt(self, project) -> None:
        """Show recovered work as a modified design (Save writes to its original path)."""
        path = str(project.path) if project.path else ""
        self.project = project
        self.editor.replace_document(project.doc, os.path.abspath(path) if path else "")
        self._keep(project)
        self._saved = None  # recovered work: none of it is in a file yet
        self.editor.undo_stack.resetClean()

    def current_project(self):
        """The Project behind the open design (weights and runs), its doc the live one.

        Training adds runs and weights here; Save writes them into a .nwproj.
        """
        if self.project is None and Project is not None:
            self.project = Project(self.editor.doc)
        if self.project is not None:
            self.project.doc = self.editor.doc
        return self.project

    def _keep(self, project) -> None:
        self.project = project
        if project is not None:
            project.doc = self.editor.doc

    def open_example(self) -> bool:
        """The bundled example as an untitled copy, so saving never overwrites it."""
        return EXAMPLE.exists() and self.open_path(str(EXAMPLE), confirm=False, untitled=True)

    def save(self) -> bool:
        if not self.editor.path:
            return self.save_as()
        return self.save_to(self.editor.path)

    def save_as(self) -> bool:
        path = self.ask_save_path()
        return bool(path) and self.save_to(path)

    def save_to(self, path: str) -> bool:
        """Write the design to `path`; on failure one sentence, and the changes stay unsaved."""
        try:
            self._write(path)
        except (DesignFileError, OSError) as exc:
            self.warn("Cannot save design", _save_sentence(path, exc))
            return False
        self.editor.mark_saved(os.path.abspath(path))
        self._mark_saved()
        self._remember(path)
        return True

    def _write(self, path: str) -> None:
        doc = self.editor.doc
        if save_project is None:
            save_design(doc, path)
            return
        project = self.current_project()
        lost = json_drops(project) if path.lower().endswith(".json") else None
        if lost:
            raise DesignFileError(f"Not saved: {lost}.")
        save_project(path, project)

    # -- what is not saved yet ------------------------------------------------------------------
    def _mark_saved(self) -> None:
        """Remember the design and runs as they are in the file now."""
        self._saved = SavedState.of(self.editor.doc, self.project)

    def unsaved_parts(self) -> list[str]:
        """What closing without saving would lose ("edits to the design", "3 runs ...")."""
        return lost_parts(self._saved, self.editor.doc, self.project)

    def unsaved_text(self) -> str:
        return lost_text(self.unsaved_parts())

    # -- names and recent files -------------------------------------------------------------------
    def display_name(self) -> str:
        if self.editor.path:
            return os.path.basename(self.editor.path)
        return self.editor.doc.name or "Untitled"

    def _suggested_name(self) -> str:
        stem = "".join(ch if ch.isalnum() or ch in "-_" else "-"
                       for ch in (self.editor.doc.name or "untitled").lower()).strip("-")
        return f"{stem or 'untitled'}{'.nwproj' if save_project else '.json'}"

    def _folder(self) -> str:
        if self.editor.path:
            return os.path.dirname(self.editor.path)
        recent = settings.recent_files()
        return os.path.dirname(recent[0]) if recent else str(Path.home())

    def _remember(self, path: str) -> None:
        self.on_recent_changed(settings.add_recent_file(path))


def _load(path: str):
    if open_any is None:
        return None, load_design(path)
    project = open_any(path)
    return project, project.doc


def _sentence(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text + ("" if text.endswith(".") else ".")


def _save_sentence(path: str, exc: Exception) -> str:
    if isinstance(exc, PermissionError):
        return (f"{os.path.basename(path)} could not be saved because the folder is not "
                "writable: use Save As to choose another place. Your changes are still open.")
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc)
        return (f"{os.path.basename(path)} could not be saved ({reason}): use Save As to choose "
                "another place. Your changes are still open.")
    if isinstance(exc, SaveError):  # already says why and what was kept on disk
        return _sentence(exc) + " Use Save As to choose another place; your changes are still open."
    return _sentence(exc)
