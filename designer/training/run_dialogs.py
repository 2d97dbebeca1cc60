"""Dialogs about runs: choosing whose trained weights to export, naming a run, writing a note.

`RunChooser` lists the runs that kept weights (name, validation figure, finish date, what
sets each apart), newest first, with the best run by validation metric selected and marked;
double-click or OK chooses. `ask_run_name` / `ask_run_note` are the platform input dialogs.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QInputDialog,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.project.run_labels import run_labels
from backend.project.runs import best_run, finished_text, run_name, run_score, sorted_runs

COLUMNS = ("Run", "Validation", "Finished", "What differs")


class RunChooser(QDialog):
    """Choose one run among those that kept weights; the best is selected at first."""

    def __init__(self, runs: list[dict], weights: set[str], parent: QWidget | None = None,
                 title: str = "Export trained weights"):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.runs = [r for r in sorted_runs(runs) if r.get("id") in weights]
        best = best_run(self.runs)
        self.best_id = best["id"] if best else (self.runs[-1]["id"] if self.runs else None)
        text = QLabel("Whose trained weights? The run with the best validation figure is "
                      "selected (★).")
        text.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        labels = run_labels(self.runs) if self.runs else {}
        for run in reversed(self.runs):
            self._add(run, labels.get(run["id"], ""))
        self.tree.itemDoubleClicked.connect(self._on_double_click)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(780, 320)

    def _on_double_click(self, _item: QTreeWidgetItem, _column: int) -> None:
        self.accept()

    def _add(self, run: dict, label: str) -> None:
        score = run_score(run)
        star = " ★" if run["id"] == self.best_id else ""
        item = QTreeWidgetItem([run_name(run) + star, score.text if score else "—",
                                finished_text(run, short=True), label])
        item.setData(0, Qt.ItemDataRole.UserRole, run["id"])
        item.setToolTip(0, f"stored as {run['id']} in the project")
        self.tree.addTopLevelItem(item)
        if run["id"] == self.best_id:
            self.tree.setCurrentItem(item)

    def chosen(self) -> str | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None


def choose_run(runs: list[dict], weights: set[str], parent: QWidget | None = None) -> str | None:
    """The id of the run the user picks, or None if cancelled."""
    dialog = RunChooser(runs, weights, parent)
    return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None


def ask_run_name(parent: QWidget | None, run: dict) -> str | None:
    text, ok = QInputDialog.getText(parent, "Rename run", f"New name for {run_name(run)} "
                                    "(empty: back to its number):", text=run.get("name", ""))
    return text if ok else None


def ask_run_note(parent: QWidget | None, run: dict) -> str | None:
    text, ok = QInputDialog.getMultiLineText(parent, "Note on run",
                                             f"Note on {run_name(run)}:", run.get("note", ""))
    return text if ok else None
