"""The window an import shows while it runs: its stages as they pass, the time, and Cancel.

An import takes seconds to minutes (a child process starts Python and torch, runs the
user's file, traces, measures and checks the design against the original). The dialog lists
each stage the import reports (done ones ticked, the current one in bold), counts the
seconds, and offers Cancel: pressing it (or Esc, or closing the window) emits `cancelled`
once and says "Cancelling…" until the controller closes the dialog. It never deletes
itself: the controller hides it when the import ends.
"""

from __future__ import annotations

import html
import time

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QVBoxLayout,
)


class ImportProgress(QDialog):
    """A modal window for one running import; `start(title, first_stage)` shows it."""

    cancelled = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Importing")
        self.setWindowModality(Qt.WindowModal)
        self.setMinimumWidth(560)
        self.stages: list[str] = []
        self.started = 0.0
        self.cancelling = False
        self._build()
        self.clock = QTimer(self)
        self.clock.setInterval(500)
        self.clock.timeout.connect(self._tick)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        self.title = QLabel(self)
        self.title.setObjectName("importTitle")
        self.title.setTextFormat(Qt.RichText)
        self.title.setWordWrap(True)
        self.list = QLabel(self)
        self.list.setObjectName("importStages")
        self.list.setTextFormat(Qt.RichText)
        self.list.setWordWrap(True)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)  # busy: the stages take unknown times
        self.bar.setTextVisible(False)
        self.time = QLabel(self)
        self.time.setObjectName("importTime")
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel, self)
        self.cancel_button = self.buttons.button(QDialogButtonBox.Cancel)
        self.buttons.rejected.connect(self.reject)
        for widget in (self.title, self.list, self.bar, self.time, self.buttons):
            layout.addWidget(widget)

    def start(self, title: str, first: str) -> None:
        self.title.setText(f"<b>{html.escape(title)}</b>")
        self.stages = []
        self.cancelling = False
        self.cancel_button.setEnabled(True)
        self.started = time.monotonic()
        self.add_stage(first)
        self._tick()
        self.clock.start()
        self.open()

    @Slot(str)
    def add_stage(self, text: str) -> None:
        if self.cancelling or (self.stages and self.stages[-1] == text):
            return
        self.stages.append(text)
        self._show()

    def _show(self) -> None:
        done = self.palette().color(QPalette.PlaceholderText).name()
        lines = [f"<span style='color: {done}'>✓ {html.escape(s)}</span>"
                 for s in self.stages[:-1]]
        if self.stages:
            lines.append(f"<b>{html.escape(self.stages[-1])}…</b>")
        self.list.setText("<br>".join(lines))
        self.adjustSize()  # the list grows by a line per stage

    def _tick(self) -> None:
        seconds = int(time.monotonic() - self.started)
        self.time.setText(f"{seconds} s" if seconds < 60 else f"{seconds // 60} min "
                          f"{seconds % 60:02d} s")

    def stage(self) -> str:
        return self.stages[-1] if self.stages else ""

    def reject(self) -> None:
        """Cancel, Esc or the close button: ask the import to stop; stay up until it has."""
        if self.cancelling or not self.isVisible():
            return
        self.cancelling = True
        self.cancel_button.setEnabled(False)
        self.stages.append("Cancelling")
        self._show()
        self.cancelled.emit()

    def finish(self) -> None:
        """The import ended (done, failed or cancelled): hide the window."""
        self.clock.stop()
        self.hide()
        self.setResult(QDialog.Rejected)
