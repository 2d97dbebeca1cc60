"""Editors for one layer parameter each, generated from its `Param` schema.

int and float -> a NumberBox (shows 1e-05 as typed, steps only onto allowed values, refuses a
typed value out of the schema's range with the backend's sentence instead of clamping it),
choice -> QComboBox, bool -> QCheckBox, and size / padding / shape / str -> a line edit
validated while typing with the backend's own `coerce` messages. A field emits
`committed(name, value)` only for a valid value that differs from the one shown.
"""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from backend.layers import Param, ParamError
from backend.layers.params import coerce
from designer.panels.number_box import NumberBox
from designer.theme import repolish

UNKNOWN = " (not known)"
_SPLIT = re.compile(r"[\s,x×*]+")


def show_choice(box: QComboBox, value) -> None:
    """Select `value`; a value the box does not offer is shown as it is, flagged."""
    index = box.findData(value)
    for i in reversed(range(box.count())):
        if box.itemText(i).endswith(UNKNOWN) and i != index:
            box.removeItem(i)
    if index < 0:
        box.addItem(f"{value}{UNKNOWN}", value)
        index = box.count() - 1
    box.setCurrentIndex(index)
    box.setProperty("invalid", box.itemText(index).endswith(UNKNOWN))
    repolish(box)


def format_value(value: Any) -> str:
    """A parameter value as the user types it: 5, '5, 3', 'same', '1, 28, 28'."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) if value else "[]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_text(p: Param, text: str) -> Any:
    """Turn typed text into a value of `p`'s kind, or raise ParamError saying what to type."""
    text = text.strip()
    if p.kind == "str":
        return text
    if p.kind == "padding" and text.lower() in ("valid", "same"):
        return text.lower()
    parts = [t for t in _SPLIT.split(text.strip("[]() ")) if t]
    if not parts and p.kind == "shape" and p.empty and text in ("[]", "()"):
        return []  # one number per sample
    if not parts:
        raise ParamError(f"'{p.name}' needs a value: {_example(p)}")
    try:
        numbers = [int(t) for t in parts]
    except ValueError:
        raise ParamError(f"'{p.name}' must be {_example(p)}, not '{text}'") from None
    if p.kind == "shape":
        return numbers
    return numbers[0] if len(numbers) == 1 else numbers


def _example(p: Param) -> str:
    if p.kind == "shape":
        return "whole numbers like 1, 28, 28" + (" (or [] for one number per sample)"
                                                 if p.empty else "")
    if p.kind == "padding":
        return "'valid', 'same', a number or a pair like 2, 1"
    return "a whole number or a pair like 5, 3"


def describe(p: Param) -> str:
    """Tooltip text: the parameter's doc plus its allowed range or choices."""
    extra = ""
    if p.choices:
        extra = "One of: " + ", ".join(p.choices) + "."
    elif p.min is not None and p.max is not None:
        top = "below" if p.exclusive_max else "up to"
        extra = f"From {_num(p.min)} {top} {_num(p.max)}."
    return f"{p.doc} {extra}".strip()


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


class ParamField(QObject):
    """One parameter's editor widget (`widget`) and its validation state (`error`)."""

    committed = Signal(str, object)  # param name, valid new value
    error_changed = Signal(str)  # "" when valid

    def __init__(self, param: Param, parent: QObject | None = None):
        super().__init__(parent)
        self.param = param
        self.error = ""
        self.widget: QWidget = self._make_widget()
        self.widget.setToolTip(describe(param))
        self.widget.setAccessibleName(param.display)
        self.widget.setObjectName(f"param_{param.name}")

    def _make_widget(self) -> QWidget:
        p = self.param
        if p.kind in ("int", "float"):
            box = NumberBox(p.kind == "int", _step(p), check=self.number_error)
            box.edited.connect(self._emit)
            box.error_changed.connect(self._set_error)
            return box
        if p.kind == "bool":
            box = QCheckBox()
            box.toggled.connect(self._emit)
            return box
        if p.kind == "choice":
            combo = QComboBox()
            combo.addItems(list(p.choices))
            combo.currentTextChanged.connect(self._emit)
            return combo
        edit = QLineEdit()
        edit.textEdited.connect(self._on_text)
        edit.editingFinished.connect(self._on_finished)
        return edit

    def _on_finished(self) -> None:
        """Enter commits; leaving the field with refused text shows the value in effect."""
        self._on_text(self.widget.text())
        if self.error and not self.widget.hasFocus() and hasattr(self, "value"):
            self.widget.setText(format_value(self.value))
            self._set_error("")

    def set_value(self, value: Any) -> None:
        """Show `value` without emitting; leaves text being typed alone if it means the same."""
        w = self.widget
        w.blockSignals(True)
        try:
            if isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QComboBox):
                w.setCurrentText(str(value))
            elif isinstance(w, NumberBox):
                error = self.number_error(value)
                w.set_value(value, error)
            elif not (w.hasFocus() and self._parsed(w.text()) == value):
                w.setText(format_value(value))
                self._set_error("")
        finally:
            w.blockSignals(False)
        if isinstance(w, NumberBox):
            self._set_error(w.error)
        self.value = value

    def number_error(self, value: Any) -> str:
        """The backend's sentence refusing `value` ("" when allowed), worded for the form."""
        try:
            coerce(self.param, value)
        except ParamError as exc:
            return self._worded(exc)
        return ""

    def _worded(self, exc: ParamError) -> str:
        """"'kernel_size' must be ..." -> "Kernel size must be ..."."""
        return str(exc).replace(f"'{self.param.name}'", self.param.display.capitalize(), 1)

    def _parsed(self, text: str) -> Any:
        try:
            return coerce(self.param, parse_text(self.param, text))
        except ParamError:
            return None

    def _on_text(self, text: str) -> None:
        try:
            value = coerce(self.param, parse_text(self.param, text))
        except ParamError as exc:
            self._set_error(self._worded(exc))
            return
        self._set_error("")
        self._emit(value)

    def _emit(self, value: Any) -> None:
        if getattr(self, "value", object()) != value:
            self.value = value
            self.committed.emit(self.param.name, value)

    def _set_error(self, message: str) -> None:
        if message != self.error:
            self.error = message
            self.widget.setProperty("invalid", bool(message))
            repolish(self.widget)
            self.error_changed.emit(message)


def _step(p: Param) -> float:
    """Whole numbers step by 1; decimals by the decade of their default (0.1 for 0.5)."""
    if p.kind == "int":
        return 1
    default = abs(float(p.default or 0))
    return 10 ** math.floor(math.log10(default)) if default > 0 else 0.1
