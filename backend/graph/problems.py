"""Problems found in a design: each names its node and says the fix in words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    node: str | None
    message: str
    severity: str = "error"  # "error" stops building; "warning" does not

    def to_json(self) -> dict:
        return {"node": self.node, "message": self.message, "severity": self.severity}
