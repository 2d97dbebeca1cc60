"""Autosave and crash recovery for a main window (installed after the window shows).

Every AUTOSAVE_SECONDS, while the design has unsaved changes, the window's state goes into
its `RecoverySession` (backend.project.autosave). A clean state (saved, or undone back to
the saved state) and a normal close discard it. At start, work left by sessions that did
not end cleanly is listed in one dialog: Recover opens the selected one as a modified design
(its original path, if it had one, so Save writes there), Discard deletes it, Later keeps
everything for next time. The question is a method (`choose`) so tests can answer it.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

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


class RecoveryDialog(QDialog):
    """Lists the autosaved work of crashed sessions: Recover or Discard the selected one, or
    decide Later (everything stays in the recovery folder)."""

    def __init__(self, sessions: list[RecoverableSession], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Recover unsaved work")
        self.sessions = list(sessions)
        self.answer = LATER
        self.list = QListWidget()
        for found in self.sessions:
            item = QListWidgetItem(found.describe())
            item.setToolTip(str(found.folder))
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self._answer(RECOVER))
        text = QLabel("Netwright did not close normally last time. It autosaved this work; "
                      "recover it to continue where you stopped:")
        text.setWordWrap(True)
        hint = QLabel("Later keeps it for the next start; Discard deletes it for good.")
        hint.setProperty("role", "caption")
        buttons = QDialogButtonBox()
        for label, answer, role in (("Recover", RECOVER, QDialogButtonBox.AcceptRole),
                                    ("Discard", DISCARD, QDialogButtonBox.DestructiveRole),
                                    ("Later", LATER, QDialogButtonBox.RejectRole)):
            button = QPushButton(label)
            button.setObjectName(f"recovery_{answer}")
            button.clicked.connect(lambda _c=False, a=answer: self._answer(a))
            buttons.addButton(button, role)
            if answer == RECOVER:
                button.setDefault(True)
        layout = QVBoxLayout(self)
        for widget in (text, self.list, hint, buttons):
            layout.addWidget(widget)
        self.list.setMinimumWidth(520)
        self.list.setMaximumHeight(max(80, 28 * len(self.sessions) + 12))
        self.setWindowModality(Qt.WindowModality.ApplicationModal)

    def chosen(self) -> RecoverableSession | None:
        row = self.list.currentRow()
        return self.sessions[row] if self.answer != LATER and 0 <= row < len(self.sessions) \
            else None

    def _answer(self, answer: str) -> None:
        self.answer = answer
        if answer == LATER:
            self.reject()
        else:
            self.accept()


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
        project = Project(self.editor.doc, weights=base.weights.copy() if base else {},
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
        """Offer the work crashed sessions left; True when one was recovered."""
        sessions = list_sessions()
        while sessions:
            answer, found = self.choose(sessions)
            if answer == DISCARD and found in sessions:
                discard_session(found)
                sessions.remove(found)
            elif answer == RECOVER and found in sessions:
                return self._recover(found)
            else:
                return False
        return False

    def choose(self, sessions: list[RecoverableSession]) -> tuple[str, RecoverableSession | None]:
        """RECOVER or DISCARD with the chosen session, or (LATER, None); tests replace it."""
        dialog = RecoveryDialog(sessions, self.window)
        dialog.exec()
        return dialog.answer, dialog.chosen()

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
