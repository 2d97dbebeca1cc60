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
import threading

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStyle,
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
from designer.theme import SPACE

log = logging.getLogger(__name__)
RECOVER, DISCARD, LATER = "recover", "discard", "later"
MIN_LIST_WIDTH = 520
SCREEN_SHARE = 0.7  # the widest the dialog grows to show long paths in full


class RecoveryDialog(QDialog):
    """Lists the autosaved work of crashed sessions: Recover or Discard the selected one, or
    decide Later (everything stays in the recovery folder).

    Each row is the design's name with when it was autosaved, and below it where it was
    saved. The dialog is as wide as its longest path needs, up to most of the screen; a path
    longer than that is elided in the middle (its folder's start and its file name stay in
    sight) and shown in full in the row's tooltip.
    """

    def __init__(self, sessions: list[RecoverableSession], parent=None):
        super().__init__(parent)
        self.setWindowTitle("Recover unsaved work")
        self.sessions = list(sessions)
        self.answer = LATER
        self.list = QListWidget()
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)  # _elide_paths does it
        for found in self.sessions:
            item = QListWidgetItem(f"{found.name}, {found.when()}\n{found.where()}")
            item.setToolTip(f"{found.where()}\n{found.name}, {found.when()}\n"
                            f"Autosaved in {found.folder}")
            self.list.addItem(item)
        self.list.setCurrentRow(0)
        self.list.itemDoubleClicked.connect(lambda _item: self._answer(RECOVER))
        text = QLabel("Netwright did not close normally last time. It autosaved this work; "
                      "recover it to continue where you stopped:")
        text.setWordWrap(True)
        hint = QLabel("Later keeps it for the next start; Discard deletes it for good.")
        hint.setProperty("role", "caption")
        layout = QVBoxLayout(self)
        for widget in (text, self.list, hint, self._buttons()):
            layout.addWidget(widget)
        self.list.setMinimumWidth(MIN_LIST_WIDTH)
        self.list.viewport().installEventFilter(self)
        rows = sum(self.list.sizeHintForRow(i) for i in range(min(len(self.sessions), 6)))
        self.list.setFixedHeight(max(80, rows + 2 * self.list.frameWidth() + 8))
        self.resize(self._fitting_width(), self.sizeHint().height())
        self.setWindowModality(Qt.WindowModality.ApplicationModal)

    def _buttons(self) -> QDialogButtonBox:
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
        return buttons

    def _fitting_width(self) -> int:
        """Wide enough for every row in full, but at most most of the screen."""
        metrics = self.list.fontMetrics()
        widest = max((metrics.horizontalAdvance(line) for found in self.sessions
                      for line in (f"{found.name}, {found.when()}", found.where())), default=0)
        margins = self.layout().contentsMargins()
        chrome = margins.left() + margins.right() + 2 * self.list.frameWidth() + 3 * SPACE
        if len(self.sessions) > 6:  # more rows than the list shows: a scroll bar beside them
            chrome += self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        screen = self.screen() or QGuiApplication.primaryScreen()
        most = int(screen.availableGeometry().width() * SCREEN_SHARE) if screen else 1200
        return max(MIN_LIST_WIDTH, min(widest + chrome, most))

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.list.viewport() and event.type() == QEvent.Type.Resize:
            self._elide_paths()  # the rows' texts change in place, nothing is deleted
        return super().eventFilter(watched, event)

    def _elide_paths(self) -> None:
        """Each row's path fits its row: elided in the middle when it is longer."""
        metrics = self.list.fontMetrics()
        width = self.list.viewport().width() - 2 * SPACE
        for row, found in enumerate(self.sessions):
            what = metrics.elidedText(f"{found.name}, {found.when()}",
                                      Qt.TextElideMode.ElideRight, width)
            where = metrics.elidedText(found.where(), Qt.TextElideMode.ElideMiddle, width)
            self.list.item(row).setText(f"{what}\n{where}")

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
    """Autosaves the window's state: every AUTOSAVE_SECONDS the design is written on a thread
    of its own from a snapshot (turning a design of thousands of layers into text takes
    about half a second, which the window would otherwise freeze for); `autosave()` writes
    at once."""

    _written = Signal(str)  # from the writing thread: "" or why the design was not written

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.editor = window.editor
        self.session = RecoverySession(self.editor.path or None)
        self._failed = False
        self._writing: threading.Thread | None = None
        self._written.connect(self._on_written)
        self.timer = QTimer(self)
        self.timer.setInterval(AUTOSAVE_SECONDS * 1000)
        self.timer.timeout.connect(self.autosave_later)
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
        try:
            self.session.autosave(self._project())
        except (OSError, DesignFileError) as exc:
            self._on_written(str(exc))
            return False
        self._on_written("")
        return True

    def _project(self) -> Project:
        base = self.window.files.project
        return Project(self.editor.doc, weights=base.weights.copy() if base else {},
                       runs=list(base.runs) if base else [])

    def autosave_later(self) -> bool:
        """Autosave with the design written on a thread (the weights and runs, rewritten only
        when they change, at once); False when there is nothing to save or a write is still
        going on (the next turn of the timer writes then)."""
        if not self.editor.dirty or (self._writing is not None and self._writing.is_alive()):
            return False
        try:
            self.session.autosave_files(self._project())
            snapshot = self.session.snapshot(self.editor.doc)
        except (OSError, DesignFileError) as exc:
            self._on_written(str(exc))
            return False
        self._writing = threading.Thread(target=self._write, args=(snapshot,), daemon=True,
                                         name="netwright-autosave")
        self._writing.start()
        return True

    def _write(self, snapshot) -> None:
        """On the writing thread."""
        try:
            self.session.write_design(snapshot)
        except (OSError, DesignFileError) as exc:
            self._written.emit(str(exc))
            return
        except Exception as exc:  # a bug still ends in a sentence, not a dead thread's trace
            log.exception("autosave failed")
            self._written.emit(f"the design could not be written ({exc})")
            return
        self._written.emit("")

    @Slot(str)
    def _on_written(self, error: str) -> None:
        if error and not self._failed:  # say it once, not every 30 seconds
            self.window.statusBar().showMessage(f"Autosave failed: {error}", 10000)
        self._failed = bool(error)

    def wait(self) -> None:
        """Until a design being written on the thread is written."""
        if self._writing is not None:
            self._writing.join()

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
        self.wait()
        self.session.discard()


def install(window) -> RecoveryController:
    """Start autosaving `window` and keep the controller as `window.recovery`."""
    window.recovery = RecoveryController(window)
    return window.recovery
