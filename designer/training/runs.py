"""Runs of this session: each keeps its settings, its curves and its final figures.

`RunRecord` is plain data (the project-file work can save it); `RunsPanel` lists the runs with
a colour swatch and a checkbox each: checked runs are overlaid on the curves with a legend
(the course's comparisons: SGD vs Adam, sigmoid vs ReLU, MSE vs MAE).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from designer.plots.base import colour
from designer.plots.curves import Overlay


@dataclass
class RunRecord:
    number: int
    training: dict
    dataset: dict
    design_name: str
    started: float = field(default_factory=time.time)
    curves: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    reason: str = "running"
    message: str = ""
    final: dict = field(default_factory=dict)  # val_loss, val_accuracy, test_accuracy, ...

    @property
    def label(self) -> str:
        t = self.training
        opt = t.get("optimizer", "adam")
        return f"run {self.number} · {opt} lr {t.get('lr', 1e-3):g}"

    @property
    def colour_index(self) -> int:
        return self.number % 7 + 1  # colour 0 is the live run's

    def summary(self) -> str:
        parts = [self.label]
        acc = self.final.get("val_accuracy")
        loss = self.final.get("val_loss")
        if acc is not None:
            parts.append(f"val acc {acc:.1%}")
        elif loss is not None:
            parts.append(f"val loss {loss:.4g}")
        parts.append(self.reason)
        return " · ".join(parts)

    def overlay(self) -> Overlay:
        return Overlay(self.label, self.colour_index, self.curves)

    def settings_text(self) -> str:
        keys = ("task", "loss", "optimizer", "lr", "batch_size", "epochs", "schedule",
                "weight_decay", "clip_norm", "seed")
        rows = [f"{k}: {self.training[k]}" for k in keys if k in self.training]
        rows.append(f"dataset: {self.dataset.get('name', 'digits')}")
        rows.append(f"design: {self.design_name}")
        if self.message:
            rows.append(self.message)
        return "\n".join(rows)


def _swatch(hex_: str) -> QIcon:
    pix = QPixmap(12, 12)
    pix.fill(QColor(hex_))
    return QIcon(pix)


class RunsPanel(QWidget):
    """The list of runs; checking one overlays it on the curves."""

    overlays_changed = Signal(list)  # list[Overlay] of the checked runs

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        hint = QLabel("Tick runs to overlay their curves (dashed) on the live run.")
        hint.setWordWrap(True)
        hint.setProperty("role", "caption")
        self.list = QListWidget()
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        self.runs: list[RunRecord] = []
        self.list.itemChanged.connect(self._on_item_changed)

    def add_run(self, run: RunRecord) -> None:
        self.runs.append(run)
        item = QListWidgetItem(_swatch(colour(run.colour_index)), run.summary())
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        item.setToolTip(run.settings_text())
        self.list.blockSignals(True)
        self.list.insertItem(0, item)
        self.list.blockSignals(False)

    def reset(self) -> None:
        """Another design: its runs are not this one's."""
        self.runs = []
        self.list.clear()
        self._emit()

    def update_run(self, run: RunRecord) -> None:
        row = len(self.runs) - 1 - self.runs.index(run)
        item = self.list.item(row)
        self.list.blockSignals(True)
        item.setText(run.summary())
        item.setToolTip(run.settings_text())
        self.list.blockSignals(False)
        if item.checkState() == Qt.CheckState.Checked:
            self._emit()

    def set_checked(self, run: RunRecord, on: bool) -> None:
        row = len(self.runs) - 1 - self.runs.index(run)
        state = Qt.CheckState.Checked if on else Qt.CheckState.Unchecked
        self.list.item(row).setCheckState(state)

    def checked(self) -> list[RunRecord]:
        out = []
        for row in range(self.list.count()):
            if self.list.item(row).checkState() == Qt.CheckState.Checked:
                out.append(self.runs[len(self.runs) - 1 - row])
        return out

    def _on_item_changed(self, _item: QListWidgetItem) -> None:
        self._emit()

    def _emit(self) -> None:
        self.overlays_changed.emit([r.overlay() for r in self.checked() if r.curves])
