"""The Sweep tab's form: parameters to search, trials, workers, Start/Stop, and the results.

`SweepPanel` only shows state and reports intent; `designer.training.sweeps` runs the sweep.
A parameter row is a name (the design's settings and layer parameters are offered, any
other can be typed) and its values in the CLI's syntax (`1e-4..1e-1:log`, `16..128:int`,
`adam,sgd`), filled with a suggestion when a name is chosen. Results: a table (one row per
trial, best first), a parallel-coordinates plot and parameter importance.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

HINT = ("Search training settings and layer parameters: each trial trains the design with "
        "values Optuna (TPE) picks, in its own process, and is kept as a run. Trials that fall "
        "behind are pruned.")


class ParamRow(QWidget):
    removed = Signal(object)

    def __init__(self, candidates: list[tuple[str, str]], name: str = "", values: str = ""):
        super().__init__()
        self.suggestions = dict(candidates)
        self.name = QComboBox()
        self.name.setEditable(True)
        self.name.addItems([c[0] for c in candidates])
        self.name.setCurrentText(name)
        self.name.setMinimumContentsLength(10)
        self.name.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.values = QLineEdit(values or self.suggestions.get(name, ""))
        self.values.setPlaceholderText("1e-4..1e-1:log")
        self.values.setToolTip("LOW..HIGH (add :int for whole numbers, :log for a log scale) "
                               "or choices A,B,C")
        self.name.currentTextChanged.connect(self._suggest)
        remove = QPushButton("×")
        remove.setToolTip("Remove this parameter")
        remove.setFixedWidth(28)
        remove.clicked.connect(lambda: self.removed.emit(self))
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.name, 3)
        row.addWidget(self.values, 3)
        row.addWidget(remove)

    def _suggest(self, name: str) -> None:
        if name in self.suggestions:
            self.values.setText(self.suggestions[name])

    def spec(self) -> str:
        return f"{self.name.currentText().strip()}={self.values.text().strip()}"


class SweepPanel(QWidget):
    start_requested = Signal()
    stop_requested = Signal()
    open_best_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.candidates: list[tuple[str, str]] = []
        self.rows: list[ParamRow] = []
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setProperty("role", "caption")
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(2)
        self.add_button = QPushButton("Add parameter")
        self.add_button.clicked.connect(lambda: self.add_row())
        self.trials = _spin(1, 10_000, 20, "Trials in the sweep")
        self.parallel = _spin(1, 64, 1, "Trials at once, each in its own process")
        self.epochs = _spin(1, 1_000_000, 5, "Epochs each trial trains for")
        form = QFormLayout()
        form.addRow("trials", self.trials)
        form.addRow("parallel workers", self.parallel)
        form.addRow("epochs per trial", self.epochs)
        self.start_button = QPushButton("Start sweep")
        self.start_button.clicked.connect(self.start_requested)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Start no more trials; the running ones finish")
        self.stop_button.clicked.connect(self.stop_requested)
        self.best_button = QPushButton("Open best trial")
        self.best_button.setToolTip("Make the best trial's design the open design and "
                                    "select its run")
        self.best_button.clicked.connect(self.open_best_requested)
        buttons = QHBoxLayout()
        for b in (self.start_button, self.stop_button, self.best_button):
            buttons.addWidget(b)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget(0, 0)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setMinimumHeight(120)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addLayout(self.rows_box)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        self.set_busy(False)
        self.best_button.setEnabled(False)

    # -- parameters -------------------------------------------------------------------------------
    def set_candidates(self, candidates: list[tuple[str, str]]) -> None:
        self.candidates = list(candidates)

    def add_row(self, name: str = "", values: str = "") -> ParamRow:
        name = name or next((c[0] for c in self.candidates
                             if c[0] not in {r.name.currentText() for r in self.rows}), "lr")
        row = ParamRow(self.candidates, name, values)
        row.removed.connect(self._remove_row)
        self.rows.append(row)
        self.rows_box.addWidget(row)
        return row

    def _remove_row(self, row: ParamRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            row.hide()
            row.deleteLater()  # never deleted inside its own click handler

    def specs(self) -> list[str]:
        return [r.spec() for r in self.rows]

    # -- state ------------------------------------------------------------------------------------
    def set_busy(self, busy: bool) -> None:
        self.start_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        for w in (self.add_button, self.trials, self.parallel, self.epochs, *self.rows):
            w.setEnabled(not busy)

    def say(self, text: str, error: bool = False) -> None:
        self.message.setProperty("role", "error" if error else "")
        self.message.style().unpolish(self.message)
        self.message.style().polish(self.message)
        self.message.setText(text)

    def show_results(self, headers: list[str], rows: list[list[str]]) -> None:
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(rows))
        self.table.setHorizontalHeaderLabels(headers)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        for r, row in enumerate(rows):
            self.table.item(r, 0).setToolTip(" · ".join(f"{h} {t}" for h, t in
                                                         zip(headers, row, strict=True)))


def _spin(lo: int, hi: int, value: int, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setRange(lo, hi)
    spin.setValue(value)
    spin.setToolTip(tip)
    return spin
