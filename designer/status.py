"""The status bar: design totals and validity on the right, passing hints on the left.

Refused edits (`editor.refused`) show their sentence for a few seconds with a warning icon;
the totals and the valid / N problems indicator follow `analysis_changed`.
"""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QStatusBar

from designer import icons
from designer.editor import DocumentEditor

HINT_MS = 8000


def plural(n: int, word: str) -> str:
    """'1 layer', '3 layers', '4,810 parameters'."""
    return f"{n:,} {word}{'s' * (n != 1)}"


class StatusController:
    def __init__(self, editor: DocumentEditor, bar: QStatusBar):
        self.editor = editor
        self.bar = bar
        self.totals = QLabel()
        self.state_icon = QLabel()
        self.state = QLabel()
        for widget in (self.totals, self.state_icon, self.state):
            bar.addPermanentWidget(widget)
        editor.analysis_changed.connect(self.refresh)
        editor.refused.connect(self.show_refusal)
        self.refresh()

    def refresh(self) -> None:
        doc, analysis = self.editor.doc, self.editor.analysis
        self.totals.setText(f"{plural(len(doc.nodes), 'layer')} · "
                            f"{plural(analysis.total_params, 'parameter')}")
        errors = sum(p.severity == "error" for p in analysis.problems)
        warnings = len(analysis.problems) - errors
        if errors:  # both counts, so they add up to the Problems list's count
            severity = "error"
            text = plural(errors, "problem") + (f", {plural(warnings, 'warning')}"
                                                if warnings else "")
        elif warnings:
            severity, text = "warning", plural(warnings, "warning")
        else:
            severity, text = ("ok", "Valid") if doc.nodes else ("info", "Empty design")
        self.state_icon.setPixmap(icons.severity_icon(severity).pixmap(16, 16))
        self.state.setText(text)

    def show_refusal(self, sentence: str) -> None:
        self.bar.showMessage(f"Not done: {sentence}", HINT_MS)

    def refresh_icons(self) -> None:
        self.refresh()
