"""NumberBox: a spin box that shows exactly the number it is given and never clamps typing.

Qt's spin boxes clamp a typed value to their range and revert text they cannot read, so a
form built on them shows something other than what the design holds (a file's `lr 1e6`
appears as 10) and refuses silently. A NumberBox instead:

- shows any value as it is (ints of any size, floats in their shortest form, `None` or 0 as
  its `zero_text` such as "off");
- asks its `check(value) -> sentence` (empty when accepted) before a value is committed;
  a refused value keeps the typed text, turns the box red and reports the sentence through
  `error_changed`; leaving the box then shows the value in effect again, while the sentence
  stays until the next accepted value;
- steps (arrows, keys, wheel) only onto accepted values, skipping refused ones (resize
  from "none" steps up to 4, its first allowed size).

It never deletes or rebuilds anything inside its own events; owners update it in place
with `set_value`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QAbstractSpinBox, QWidget

from designer.theme import repolish

_PARTIAL = re.compile(r"[-+]?[\d,_]*\.?\d*(e[-+]?\d*)?", re.IGNORECASE)
SEARCH = 64  # steps tried to find the next accepted value
_NO_STEP = object()


def format_number(value: Any, zero_text: str = "") -> str:
    """The text a NumberBox shows for `value`."""
    if value is None or (zero_text and value == 0):
        return zero_text
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.12g}"


class NumberBox(QAbstractSpinBox):
    """A whole-number or decimal field with arrows; see the module docstring."""

    edited = Signal(object)  # an accepted value the user entered (Enter, focus out, a step)
    error_changed = Signal(str)  # the sentence of a refused value; "" when accepted

    def __init__(self, whole: bool, step: float = 1.0, *,
                 check: Callable[[Any], str] | None = None, zero_text: str = "",
                 zero_is_none: bool = False, adaptive: bool = False,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.whole, self.step, self.adaptive = whole, step, adaptive
        self.zero_text, self.zero_is_none = zero_text, zero_is_none
        self.check = check or (lambda _v: "")
        self._value: Any = None if zero_is_none else 0
        self.error = ""
        self._step_cache: tuple[Any, QAbstractSpinBox.StepEnabledFlag] | None = None
        self.setKeyboardTracking(False)
        self.setAccelerated(True)
        self.lineEdit().setText(format_number(self._value, zero_text))
        self.editingFinished.connect(self._on_finished)

    # -- value ----------------------------------------------------------------------------------
    def value(self) -> Any:
        """The value in effect (the last one set or accepted)."""
        return self._value

    def set_value(self, value: Any, error: str = "") -> None:
        """Show `value` as it is, flagged with `error` when it is not acceptable.

        Text being typed that means the same value is left alone (cursor and all).
        """
        self._value = value
        self._step_cache = None
        if not (self.hasFocus() and self._parse(self.text()) == (True, value)):
            self.lineEdit().setText(format_number(value, self.zero_text))
        self._set_error(error)
        self.update()

    def interpret(self) -> Any:
        """Commit the text typed so far, as Enter would; returns the value in effect."""
        self._commit_text(keep_text=True)
        return self._value

    # -- parsing --------------------------------------------------------------------------------
    def _parse(self, text: str) -> tuple[bool, Any]:
        text = text.strip().replace(",", "").replace("_", "")
        if self.zero_text and text.lower() in ("", self.zero_text.lower()):
            return True, None if self.zero_is_none else 0
        try:
            number = float(text)
        except ValueError:
            return False, None
        if self.whole:
            if not number.is_integer():
                return False, None
            number = int(text) if re.fullmatch(r"[-+]?\d+", text) else int(number)
        if self.zero_is_none and number == 0:
            return True, None
        return True, number

    def _sentence_unreadable(self) -> str:
        return ("Type a whole number, like 32." if self.whole
                else "Type a number, like 0.001 or 1e-4.")

    def _commit_text(self, keep_text: bool) -> None:
        ok, value = self._parse(self.text())
        message = self.check(value) if ok else self._sentence_unreadable()
        if message:
            self._set_error(message)
            if not keep_text:  # leaving the box: show what is in effect; the sentence stays
                self.lineEdit().setText(format_number(self._value, self.zero_text))
                self.setProperty("invalid", bool(self.check(self._value)))
                repolish(self)
            return
        self._set_error("")
        if value != self._value or type(value) is not type(self._value):
            self._value = value
            self._step_cache = None
            self.edited.emit(value)

    def _on_finished(self) -> None:
        self._commit_text(keep_text=self.hasFocus())

    def _set_error(self, message: str) -> None:
        self.setProperty("invalid", bool(message))
        repolish(self)
        if message != self.error:
            self.error = message
            self.error_changed.emit(message)

    # -- QAbstractSpinBox -----------------------------------------------------------------------
    def validate(self, text: str, pos: int) -> object:
        if self.zero_text and self.zero_text.lower().startswith(text.strip().lower()):
            return QValidator.State.Acceptable, text, pos
        ok = _PARTIAL.fullmatch(text.strip()) is not None
        return (QValidator.State.Acceptable if ok else QValidator.State.Invalid), text, pos

    def fixup(self, text: str) -> str:
        return text  # never rewrite what the user typed

    def _increment(self, value: Any) -> float:
        """The step from `value`: fixed, or a tenth of its decade (0.001 -> 0.0011)."""
        if not self.adaptive or not value:
            return self.step
        return 10.0 ** (math.floor(math.log10(abs(value))) - 1)

    def _stepped(self, steps: int) -> Any:
        """The nearest accepted value `steps` away (searching on past refused ones), or
        _NO_STEP when there is none."""
        value = self._value or 0
        direction = 1 if steps > 0 else -1
        for _ in range(SEARCH):
            value = value + direction * self._increment(value) * (abs(steps) or 1)
            value = round(value) if self.whole else float(f"{value:.10g}")
            candidate = None if self.zero_is_none and value == 0 else value
            if not self.check(candidate):
                return candidate if candidate != self._value else _NO_STEP
            steps = direction
        return _NO_STEP

    def stepBy(self, steps: int) -> None:  # noqa: N802  (Qt API)
        if self.error and self.hasFocus():
            self._commit_text(keep_text=True)  # step from what was typed, if it is accepted
        target = self._stepped(steps)
        if target is _NO_STEP:
            return
        self._value = target
        self._step_cache = None
        self.lineEdit().setText(format_number(target, self.zero_text))
        self._set_error("")
        self.edited.emit(target)

    def stepEnabled(self) -> QAbstractSpinBox.StepEnabledFlag:  # noqa: N802  (Qt API)
        if self.isReadOnly():
            return QAbstractSpinBox.StepEnabledFlag.StepNone
        if self._step_cache is None or self._step_cache[0] != self._value:
            flags = QAbstractSpinBox.StepEnabledFlag.StepNone
            if self._stepped(1) is not _NO_STEP:
                flags |= QAbstractSpinBox.StepEnabledFlag.StepUpEnabled
            if self._stepped(-1) is not _NO_STEP:
                flags |= QAbstractSpinBox.StepEnabledFlag.StepDownEnabled
            self._step_cache = (self._value, flags)
        return self._step_cache[1]
