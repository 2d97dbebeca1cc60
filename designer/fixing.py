"""Applying a problem's mechanical fix: one command on the undo stack, named by the fix.

Shared by the Problems list, the node's badge and its context menu, so a fix does the same
wherever it is clicked. A fix that no longer applies (the design changed underneath it) is
refused with its sentence instead of raising.
"""

from __future__ import annotations

from backend.graph import EditError
from backend.graph.problems import Problem


def apply_fix(editor, problem: Problem) -> bool:
    """Push `problem.fix` through `editor`; False (and `editor.refused`) when it cannot."""
    fix = problem.fix
    if fix is None:
        return False
    try:
        op = fix.make_op(editor.doc)
    except EditError as exc:
        editor.refused.emit(str(exc))
        return False
    return editor.push(op, fix.label)
