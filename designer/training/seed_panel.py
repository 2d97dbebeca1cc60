"""The Seeds tab of the Training dock: "Repeat with N seeds", the seed groups and a verdict.

`SeedPanel` only shows state and reports intent (signals); `designer.training.experiments`
runs the groups and fills it. Selecting one or more groups draws their mean ± spread bands;
selecting two says whether their difference exceeds the spread across seeds.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

ID_ROLE = Qt.ItemDataRole.UserRole
HINT = ("Train a design again with several seeds (every other setting unchanged) to see how "
        "much its result varies. Each seed is a run in the Runs list; the runs of one repeat "
        "form a group.")
OPEN_DESIGN = ""  # the source id of the open design (runs are chosen by their id)


class SeedPanel(QWidget):
    repeat_requested = Signal(int)  # number of seeds
    stop_requested = Signal()
    groups_selected = Signal(list)  # group ids, oldest first

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setProperty("role", "caption")
        self.source = QComboBox()
        self.source.setToolTip("What to repeat: the open design with its settings, or the "
                               "design and settings a run trained with")
        self.source.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source.setMinimumContentsLength(12)
        self.set_sources([])
        self.seeds = QSpinBox()
        self.seeds.setRange(2, 100)
        self.seeds.setValue(5)
        self.seeds.setMaximumWidth(64)
        self.seeds.setToolTip("How many seeds (runs): s, s+1, … from the design's seed")
        self.repeat_button = QPushButton()
        self.repeat_button.clicked.connect(self._repeat)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after this epoch; finished seeds are kept")
        self.stop_button.clicked.connect(self.stop_requested)
        self.seeds.valueChanged.connect(self._label_button)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.groups = QListWidget()
        self.groups.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.groups.setWordWrap(True)
        self.groups.setAlternatingRowColors(True)
        self.groups.itemSelectionChanged.connect(self._on_selection)
        self.verdict = QLabel("")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.seeds)
        row.addWidget(self.repeat_button, 1)
        row.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(hint)
        layout.addWidget(self.source)
        layout.addLayout(row)
        layout.addWidget(self.status)
        groups_title = QLabel("Seed groups (select two to compare them)")
        groups_title.setProperty("role", "caption")
        layout.addWidget(groups_title)
        layout.addWidget(self.groups, 1)
        layout.addWidget(self.verdict)
        self._label_button()
        self.set_busy(False)

    def _label_button(self, *_args) -> None:
        self.repeat_button.setText(f"Repeat with {self.seeds.value()} seeds")
        self.repeat_button.setToolTip(f"Train the open design {self.seeds.value()} times, "
                                      "once per seed, and keep the runs as a group")

    def _repeat(self) -> None:
        self.repeat_requested.emit(self.seeds.value())

    def set_sources(self, runs: list[tuple[str, str]]) -> None:
        """The open design, then (run id, text) per run, newest first; keeps the choice."""
        keep = self.source_id()
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem("the open design", OPEN_DESIGN)
        for run_id, text in runs:
            self.source.addItem(f"the design and settings of {text}", run_id)
        index = self.source.findData(keep)
        self.source.setCurrentIndex(max(index, 0))
        self.source.blockSignals(False)

    def source_id(self) -> str:
        data = self.source.currentData() if hasattr(self, "source") else None
        return data if isinstance(data, str) else OPEN_DESIGN

    def set_busy(self, busy: bool) -> None:
        self.source.setEnabled(not busy)
        self.repeat_button.setEnabled(not busy)
        self.seeds.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    def set_status(self, text: str) -> None:
        self.status.setText(text)

    def set_groups(self, rows: list[tuple[str, str, str]]) -> None:
        """(group id, text, tooltip) per group, oldest first; shown newest first."""
        keep = set(self.selected_ids())
        self.groups.blockSignals(True)
        self.groups.clear()
        for gid, text, tip in reversed(rows):
            item = QListWidgetItem(text)
            item.setData(ID_ROLE, gid)
            item.setToolTip(tip)
            self.groups.addItem(item)
            item.setSelected(gid in keep)
        self.groups.blockSignals(False)
        if keep != set(self.selected_ids()):
            self._on_selection()

    def selected_ids(self) -> list[str]:
        ids = [self.groups.item(i).data(ID_ROLE) for i in range(self.groups.count())
               if self.groups.item(i).isSelected()]
        return list(reversed(ids))

    def clear_selection(self) -> None:
        self.groups.clearSelection()

    def _on_selection(self) -> None:
        self.groups_selected.emit(self.selected_ids())

    def set_verdict(self, text: str) -> None:
        self.verdict.setText(text)
