"""Problems found in a design: each names its node and says the fix in words.

A problem whose fix is mechanical also carries it as a `Fix`: a label a user reads on a
button ("Insert Flatten before 'fc1'") and the edit that applies it, an invertible op (or a
`Batch`) or a callable that builds that op from the document when the user asks for it.
Fixes take no part in comparing problems: two problems with the same words are the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Fix:
    label: str  # what the button says, e.g. "Insert Flatten before 'fc1'"
    op: Any  # an edit op, or a callable `doc -> op` evaluated when the fix is applied

    def make(self, doc) -> Any:
        """The edit op to push for `doc` (built now when the fix holds a callable)."""
        return self.op(doc) if callable(self.op) else self.op


@dataclass(frozen=True)
class Problem:
    node: str | None
    message: str
    severity: str = "error"  # "error" stops building; "warning" does not
    fix: Fix | None = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict:
        out = {"node": self.node, "message": self.message, "severity": self.severity}
        if self.fix is not None:
            out["fix"] = self.fix.label
        return out
