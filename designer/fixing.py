"""Applying a problem's mechanical fix: one command on the undo stack, named by the fix.

Shared by the Problems list, the node's badge and its context menu, so a fix does the same
wherever it is clicked. A fix that no longer applies (the design changed underneath it) is
refused with its sentence instead of raising.
"""

from __future__ import annotations

from backend.graph import EditError
from backend.graph.problems import Problem


def apply_fix(editor, problem: Problem, root: bool = True) -> bool:
    """Push `problem.fix` through `editor`; False (and `editor.refused`) when it cannot.

    `root`: the problem is one of the design's (the Problems list), so its fix applies to the
    design even while the canvas shows a block's inside; the canvas passes False for the
    problems of the block it shows, whose fixes the editor applies inside that block."""
    fix = problem.fix
    if fix is None:
        return False
    try:
        op = fix.make_op(editor.doc)
    except EditError as exc:
        editor.refused.emit(str(exc))
        return False
    return editor.push(op, fix.label, root=root)
