"""The optimisers' table on the surface page: tick to show, edit any hyper-parameter.

One row per optimiser: a check box with its line colour and name, one spin box per
hyper-parameter (learning rate, momentum, decay, betas, weight decay) and the result of its
run (final loss, or why it stopped). `load(surface)` resets every value to the defaults that
suit that surface; `enabled()` gives {key: hyper-parameters} of the ticked rows; `changed`
fires after an edit.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QWidget,
)

from backend.teaching.optimisers import OPTIMISERS
from designer.explore.surface_plot import COLOURS, DASHED
from designer.explore.widgets import label

MAX_HYPERS = 4


def line_swatch(key: str) -> QLabel:
    """The optimiser's line on the plots, as coloured text (dashed lines as ╍╍)."""
    swatch = QLabel(f"<span style='color:{COLOURS[key]}; font-weight:bold'>"
                    f"{'╍╍' if key in DASHED else '━━'}</span>")
    swatch.setTextFormat(Qt.TextFormat.RichText)
    return swatch


def _decimals(default: float) -> int:
    return 4 if default < 0.01 else 3


class OptimiserTable(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.checks: dict[str, QCheckBox] = {}
        self.spins: dict[str, dict[str, QDoubleSpinBox]] = {}
        self.results: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(6)
        grid.setVerticalSpacing(4)
        for col, text in enumerate(("optimiser", "hyper-parameters", "", "", "", "result")):
            grid.addWidget(label(text, "section", wrap=False), 0, col)
        for row, (key, opt) in enumerate(OPTIMISERS.items(), start=1):
            box = QCheckBox(opt.name)
            box.setChecked(True)
            box.setToolTip(opt.formula)
            box.toggled.connect(self.changed)
            cell = QHBoxLayout()
            cell.addWidget(box)
            cell.addWidget(line_swatch(key))
            cell.addStretch(1)
            grid.addLayout(cell, row, 0)
            self.checks[key] = box
            self.spins[key] = {}
            for col, h in enumerate(opt.hypers, start=1):
                grid.addWidget(self._spin(key, h), row, col)
            result = label("", "caption", wrap=False)
            grid.addWidget(result, row, MAX_HYPERS + 1)
            self.results[key] = result
        grid.setRowStretch(len(OPTIMISERS) + 1, 1)
        grid.setColumnStretch(MAX_HYPERS + 1, 1)

    def _spin(self, key: str, h) -> QDoubleSpinBox:
        spin = QDoubleSpinBox()
        spin.setDecimals(_decimals(h.default) if h.name == "lr" else
                         4 if h.name in ("beta2", "weight_decay") else 3)
        spin.setRange(h.lo, h.hi)
        spin.setSingleStep(h.default / 10 if h.name == "lr" else 0.01)
        spin.setValue(h.default)
        spin.setPrefix({"lr": "η ", "momentum": "γ ", "alpha": "α ", "rho": "ρ ",
                        "beta1": "β₁ ", "beta2": "β₂ ", "weight_decay": "λ "}.get(h.name, ""))
        spin.setToolTip(f"{h.label}: {h.doc}")
        spin.setAccessibleName(f"{OPTIMISERS[key].name} {h.label}")
        spin.setKeyboardTracking(False)
        spin.setFixedWidth(88)
        spin.valueChanged.connect(self.changed)
        self.spins[key][h.name] = spin
        return spin

    def load(self, surface) -> None:
        """Every hyper-parameter back to the defaults that suit `surface` (one `changed`)."""
        self.blockSignals(True)
        try:
            for key, opt in OPTIMISERS.items():
                for name, value in surface.hyper(key, opt.defaults()).items():
                    spin = self.spins[key][name]
                    if name == "lr":
                        spin.setDecimals(_decimals(value))
                        spin.setSingleStep(value / 10)
                    spin.setValue(value)
        finally:
            self.blockSignals(False)

    def enabled(self) -> dict[str, dict[str, float]]:
        return {key: {n: s.value() for n, s in self.spins[key].items()}
                for key, box in self.checks.items() if box.isChecked()}

    def set_results(self, notes: dict[str, str]) -> None:
        for key, result in self.results.items():
            text = notes.get(key, "")
            result.setText(text)
            result.setToolTip(text)
            warn = "diverged" in text or "must be" in text
            result.setProperty("role", "error" if warn else "caption")
            result.style().unpolish(result)
            result.style().polish(result)
