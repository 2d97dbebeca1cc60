"""Autosave and crash recovery for a main window (installed after the window shows).

Every AUTOSAVE_SECONDS, while the design has unsaved changes, the window's state goes into
its `RecoverySession` (backend.project.autosave). A clean state (saved, or undone back to
the saved state) and a normal close discard it. At start, work left by a session that did
not end cleanly is offered back: Recover opens it as a modified design (its original path,
if it had one, so Save writes there), Discard deletes it, Later keeps it for next time. The
question is a method (`ask_recover`) so tests can answer it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from backend.project import DesignFileError
from backend.project.autosave import (
    AUTOSAVE_SECONDS,
    RecoverableSession,
    RecoverySession,
    discard_session,
    list_sessions,
    recover,
)
from backend.project.project import Project

log = logging.getLogger(__name__)
RECOVER, DISCARD, LATER = "recover", "discard", "later"


class RecoveryController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.editor = window.editor
        self.session = RecoverySession(self.editor.path or None)
        self._failed = False
        self.timer = QTimer(self)
        self.timer.setInterval(AUTOSAVE_SECONDS * 1000)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        self.editor.path_changed.connect(self._on_path)
        self.editor.dirty_changed.connect(self._on_dirty)
        window.closed.connect(self._on_closed)

    def autosave(self, force: bool = False) -> bool:
        """Write the unsaved state now; False when there is nothing to save or it failed.

        `force` writes even a saved design (a training run starting: its best weights need
        the design they belong to).
        """
        if not (self.editor.dirty or force):
            return False
        base = self.window.files.project
        project = Project(self.editor.doc, weights=dict(base.weights) if base else {},
                          runs=list(base.runs) if base else [])
        try:
            self.session.autosave(project)
        except (OSError, DesignFileError) as exc:
            if not self._failed:  # say it once, not every 30 seconds
                self.window.statusBar().showMessage(f"Autosave failed: {exc}", 10000)
            self._failed = True
            return False
        self._failed = False
        return True

    # -- recovery at start ----------------------------------------------------------------------
    def offer(self) -> bool:
        """Offer the newest work a crashed session left; True when it was recovered."""
        for found in list_sessions():
            answer = self.ask_recover(found)
            if answer == DISCARD:
                discard_session(found)
            elif answer == RECOVER:
                return self._recover(found)
            else:
                return False
        return False

    def ask_recover(self, found: RecoverableSession) -> str:
        box = QMessageBox(QMessageBox.Question, "Recover unsaved work",
                          "Netwright did not close normally last time. Recover the work it "
                          "autosaved?", QMessageBox.NoButton, self.window)
        box.setInformativeText(found.describe())
        recover_button = box.addButton("Recover", QMessageBox.AcceptRole)
        discard_button = box.addButton("Discard", QMessageBox.DestructiveRole)
        box.addButton("Later", QMessageBox.RejectRole)
        box.setDefaultButton(recover_button)
        box.exec()
        clicked = box.clickedButton()
        return RECOVER if clicked is recover_button else (
            DISCARD if clicked is discard_button else LATER)

    def _recover(self, found: RecoverableSession) -> bool:
        if not self.window.files.confirm_discard():
            return False
        try:
            project = recover(found)
        except (OSError, DesignFileError) as exc:
            self.window.files.warn("Cannot recover", f"{exc}.".replace("..", "."))
            return False
        self.window.files.adopt(project)
        self.autosave()
        discard_session(found)
        return True

    # -- following the window -------------------------------------------------------------------
    def _on_path(self, path: str) -> None:
        self.session.set_path(path or None)

    def _on_dirty(self, dirty: bool) -> None:
        if not dirty:
            self.session.discard()

    def _on_closed(self) -> None:
        self.timer.stop()
        self.session.discard()


def install(window) -> RecoveryController:
    """Start autosaving `window` and keep the controller as `window.recovery`."""
    window.recovery = RecoveryController(window)
    return window.recovery
