"""The Compare view: the selected runs side by side, and how their settings and designs differ.

A table lists each selected run in its curve colour (what sets it apart is in the tooltip and
the curves' legend): validation figure, test accuracy, epochs and time. Below it a
tree shows, from the oldest selected run to each other one, the settings that changed (from ->
to) and the model diff (layers added, removed, changed in type or parameters, rewired). With
one run selected it shows that run's settings, its note and what changed in the design since
it trained. Plain data in, no edits.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from backend.graph.diff import diff_designs
from backend.graph.diff_text import change_text, counts_text, diff_lines
from backend.project.run_labels import setting_phrase, settings_changes
from backend.project.runs import run_name, run_score

KIND_COLOURS = {"added": "#009E73", "removed": "#D55E00", "type": "#E69F00",
                "rewired": "#CC79A7"}
COLUMNS = ("Run", "Validation", "Test acc", "Epochs", "Time")
MAIN_SETTINGS = ("optimizer", "lr", "loss", "batch_size", "epochs", "schedule", "weight_decay",
                 "seed")
EMPTY = ("Select a run in the Runs list to see its settings and how the design changed since; "
         "Ctrl+click a second run to compare them.")


def _history(run: dict) -> list[dict]:
    history = run.get("history")
    return [h for h in history if isinstance(h, dict)] if isinstance(history, list) else []


def _seconds(run: dict) -> str:
    total = sum(h["seconds"] for h in _history(run)
                if isinstance(h.get("seconds"), int | float) and not isinstance(h["seconds"], bool))
    return f"{total:.1f} s" if total < 120 else f"{total / 60:.1f} min"


def _row(run: dict) -> list[str]:
    score = run_score(run)
    final = run.get("final") if isinstance(run.get("final"), dict) else {}
    test = final.get("test_accuracy")
    test_ok = isinstance(test, int | float) and not isinstance(test, bool)
    return [run_name(run), score.text if score else "—", f"{test:.1%}" if test_ok else "—",
            str(len(_history(run))), _seconds(run)]


class RunComparison(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel(EMPTY)
        self.title.setWordWrap(True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)  # a line too long for the view: its tooltip
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.table)
        layout.addWidget(self.tree, 1)
        self.show_runs([], {}, {}, None)

    def show_runs(self, runs: list[dict], labels: dict[str, str], colours: dict[str, str],
                  current_design: dict | None) -> None:
        """Show `runs` (oldest first); `current_design` is the open design (file form)."""
        self._fill_table(runs, labels, colours)
        self.tree.clear()
        self.folded: list[QTreeWidgetItem] = []
        self.table.setVisible(bool(runs))
        self.tree.setVisible(bool(runs))
        self.layout().setStretchFactor(self.title, 0 if runs else 1)
        if not runs:
            self.title.setText(EMPTY)
        elif len(runs) == 1:
            self.title.setText(f"<b>{run_name(runs[0])}</b>: its settings, and the design "
                               "changes made since it trained.")
            self._one(runs[0], current_design)
        else:
            names = ", ".join(run_name(r) for r in runs[1:])
            self.title.setText(f"<b>Comparing {run_name(runs[0])}</b> with {names}: what "
                               "changed from the first to each other run.")
            for run in runs[1:]:
                self._pair(runs[0], run)
        self.tree.expandAll()
        for item in self.folded:
            item.setExpanded(False)

    def _fill_table(self, runs: list[dict], labels: dict[str, str],
                    colours: dict[str, str]) -> None:
        self.table.setRowCount(len(runs))
        for r, run in enumerate(runs):
            for c, text in enumerate(_row(run)):
                item = QTableWidgetItem(text)
                item.setToolTip(labels.get(run.get("id"), ""))
                if c == 0 and run.get("id") in colours:
                    item.setForeground(QBrush(QColor(colours[run["id"]])))
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        rows = sum(self.table.rowHeight(r) for r in range(min(len(runs), 4)))
        self.table.setFixedHeight(rows + self.table.horizontalHeader().sizeHint().height()
                                  + 2 * self.table.frameWidth())

    # -- tree -----------------------------------------------------------------------------------
    def _heading(self, text: str, parent: QTreeWidgetItem | None = None) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text])
        font = QFont(item.font(0))
        font.setBold(True)
        item.setFont(0, font)
        if parent is None:
            self.tree.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def _leaf(self, parent: QTreeWidgetItem, text: str, kind: str = "") -> QTreeWidgetItem:
        item = QTreeWidgetItem([text])
        item.setToolTip(0, text)
        if kind in KIND_COLOURS:
            item.setForeground(0, QBrush(QColor(KIND_COLOURS[kind])))
        parent.addChild(item)
        return item

    def _design_lines(self, parent: QTreeWidgetItem, old: dict, new: dict) -> None:
        diff = diff_designs(old, new)
        if not diff.model_changed and not any(c.renamed for c in diff.changed):
            return
        parents = {0: parent}
        for line in diff_lines(diff, settings=False):
            holder = parents.get(line.depth, parent)
            item = self._leaf(holder, line.text, line.kind)
            parents[line.depth + 1] = item

    def _pair(self, old: dict, new: dict) -> None:
        top = self._heading(f"{run_name(old)} → {run_name(new)}")
        changes = settings_changes(old, new)
        settings = self._heading(f"Settings: {len(changes)} differ" if changes
                                 else "Settings: the same", top)
        for change in changes:
            self._leaf(settings, change_text(change))
        old_design, new_design = old.get("design"), new.get("design")
        if isinstance(old_design, dict) and isinstance(new_design, dict):
            diff = diff_designs(old_design, new_design)
            what = counts_text(diff, unchanged=False).removeprefix("layers: ") \
                if diff.model_changed else "the same model"
            design = self._heading(f"Design: {what}", top)
            self._design_lines(design, old_design, new_design)

    def _one(self, run: dict, current: dict | None) -> None:
        """One run: its note, what changed since it trained, then its settings (folded)."""
        note = run.get("note")
        if isinstance(note, str) and note:
            notes = self._heading("Note")
            for line in note.splitlines():
                self._leaf(notes, line)
        design = run.get("design")
        if isinstance(design, dict) and current is not None:
            diff = diff_designs(design, current)
            what = counts_text(diff, unchanged=False).removeprefix("layers: ") \
                if diff.model_changed else "none"
            self._design_lines(self._heading(f"Design changes since: {what}"), design, current)
        if current is not None:
            now = {"training": current.get("training") or {},
                   "dataset": current.get("dataset") or {}}
            changes = settings_changes(run, now)
            since = self._heading(f"Settings changed since: {len(changes) or 'none'}")
            for change in changes:
                self._leaf(since, change_text(change))
        self._settings(run)

    def _settings(self, run: dict) -> None:
        from backend.project.run_labels import comparable_settings

        values = comparable_settings(run)
        settings = self._heading("Settings of this run")
        for key in (*MAIN_SETTINGS, "data:name"):
            if key in values:
                self._leaf(settings, setting_phrase(key, values[key]))
        self.folded.append(settings)
