"""Problems found in a design: each names its node and says the fix in words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    node: str | None
    message: str
    severity: str = "error"  # "error" stops building; "warning" does not
    # inside a block: the way to the inner node, e.g. ("layer2", 1, "conv1") -- node ids, with
    # the copy's index after a repeated block; `node` is then the outermost block ("layer2")
    path: tuple = ()

    def to_json(self) -> dict:
        out = {"node": self.node, "message": self.message, "severity": self.severity}
        if self.path:
            out["path"] = list(self.path)
        return out
