"""Undo commands for run edits (rename, note, delete) on the window's one undo stack.

Run edits change the project, not the design graph, but they share the design's undo stack:
Ctrl+Z undoes the last thing the user did whichever it was, the History panel lists them in
order, and the stack's clean state is what "unsaved changes" means, so renaming a run marks
the project modified and undoing it back to the saved state clears the mark. A command holds
the Project it edits (the stack is cleared whenever another project is opened), applies the
backend op (`backend.project.run_edits`) and reports every change through `on_change`.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from backend.project.project import Project


class RunEditCommand(QUndoCommand):
    """One applied run edit; the op is applied before the command is pushed."""

    def __init__(self, project: Project, op, inverse, text: str,
                 on_change: Callable[[], None]):
        super().__init__(text)
        self.project, self.op, self.inverse = project, op, inverse
        self.on_change = on_change
        self._skip_redo = True

    @classmethod
    def apply(cls, project: Project, op, text: str,
              on_change: Callable[[], None]) -> RunEditCommand:
        """Apply `op` now (RunEditError propagates, nothing changed) and wrap it."""
        inverse = op.apply(project)
        on_change()
        return cls(project, op, inverse, text, on_change)

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.inverse = self.op.apply(self.project)
        self.on_change()

    def undo(self) -> None:
        self.op = self.inverse.apply(self.project)
        self.on_change()
