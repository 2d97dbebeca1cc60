"""Guard against reference-counting bugs in PySide6 6.12.0 on Python < 3.12.

In that release every Python-side `Signal.emit()` returns `True` without taking a reference,
and `processEvents()` and slot calls return `None` the same way, so each call steals one
reference from the `True` / `None` singletons. A live training run makes thousands of such
calls (pyqtgraph emits several signals per redraw), and once a count reaches zero the
interpreter aborts ("bool_dealloc" / "none_dealloc"). Python 3.12+ makes these singletons
immortal, and PySide6 6.11 does not have the bugs; for the affected combination we give them
the same effective immortality by raising their reference counts once, far beyond what any
session can steal. Nothing else is touched. (Pinning PySide6 < 6.12 makes this a no-op.)
"""

from __future__ import annotations

import ctypes
import sys

_BUMP = 1 << 40
_applied = False


def affected() -> bool:
    """True when this interpreter and PySide6 combination has the refcount bugs."""
    if sys.version_info >= (3, 12):
        return False
    try:
        import PySide6
    except ImportError:
        return False
    return PySide6.__version__.startswith("6.12.")


def make_true_immortal() -> bool:
    """Apply the guard once if needed; True when it is (now or already) in place."""
    global _applied
    if _applied:
        return True
    if not affected():
        return False
    for singleton in (True, False, None):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _BUMP
    _applied = True
    return True
