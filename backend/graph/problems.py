"""Problems found in a design: each names its node and says the fix in words.

A problem whose fix is mechanical also carries a `Fix`: the words for a button ("Set the
dataset's resize to 28") and the invertible edit that applies it, so one click is one undo
step. The edit is an op from `backend.graph.ops` (a `Batch` for several changes), or a
callable `doc -> op` when it is cheaper to build only when asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Fix:
    label: str  # imperative, for a button or menu: "Set the dataset's resize to 28"
    op: Any  # an invertible op, or a callable taking the document and returning one

    def make_op(self, doc) -> Any:
        """The op to push for `doc` (building it now when the fix holds a callable)."""
        op = self.op
        return op(doc) if callable(op) and not hasattr(op, "apply") else op


@dataclass(frozen=True)
class Problem:
    node: str | None
    message: str
    severity: str = "error"  # "error" stops building; "warning" does not
    # inside a block: the way to the inner node, e.g. ("layer2", 1, "conv1") -- node ids, with
    # the copy's index after a repeated block; `node` is then the outermost block ("layer2")
    path: tuple = ()
    fix: Fix | None = field(default=None, compare=False)

    def to_json(self) -> dict:
        out = {"node": self.node, "message": self.message, "severity": self.severity}
        if self.path:
            out["path"] = list(self.path)
        if self.fix is not None:
            out["fix"] = self.fix.label
        return out
