"""One QUndoCommand type wrapping a backend edit op.

The op is applied before the command is pushed (so a refused edit never reaches the stack);
the first redo() that QUndoStack calls on push is skipped. Commands with the same merge key
(e.g. repeated changes to one inspector field) merge into one undo step.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from backend.graph import GraphDocument

_MERGE_IDS: dict[str, int] = {}


def merge_id(key: str | None) -> int:
    if key is None:
        return -1
    return _MERGE_IDS.setdefault(key, len(_MERGE_IDS) + 1)


class EditCommand(QUndoCommand):
    def __init__(self, doc: GraphDocument, op, inverse, text: str, merge_key: str | None = None):
        super().__init__(text)
        self.doc = doc
        self.op = op
        self.inverse = inverse
        self._merge = merge_id(merge_key)
        self._skip_redo = True

    def id(self) -> int:  # noqa: A003  (Qt API name)
        return self._merge

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.inverse = self.doc.apply(self.op)

    def undo(self) -> None:
        self.op = self.doc.apply(self.inverse)

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802  (Qt API name)
        if not isinstance(other, EditCommand) or other.id() != self.id() or self.id() < 0:
            return False
        self.op = other.op  # keep our inverse: undo returns to the state before the first
        return True
