"""Block definitions: reusable sub-graphs with named ports and numeric parameters.

A `BlockDef` is a small design of its own (`graph`): `BlockInput` nodes are the block's input
ports and `BlockOutput` nodes its output ports, both in document order, named by their node
ids. Its `params` are numbers that flow in from each use: inner parameters refer to them with
expressions such as `"{channels * 4}"` (see `backend.graph.expr`).

Definitions live in the document (`GraphDocument.blocks`, keyed by id), so a file is
self-contained, and are *shared*: every `Block` node naming a definition runs the same
sub-graph with its own arguments, like calls of one function. An edit inside a definition
changes every use; the exported code has one class per definition.

A `Block` node's params are `{"definition": id, "args": {name: value}, "repeat": n}`; args
and repeat may be numbers or expressions over the enclosing block's parameters.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from backend.graph.document import GraphDocument

BLOCK = "Block"
BLOCK_INPUT = "BlockInput"
BLOCK_OUTPUT = "BlockOutput"
PORT_TYPES = (BLOCK_INPUT, BLOCK_OUTPUT)
PARAM_KINDS = ("int", "float", "bool")


@dataclass(frozen=True)
class BlockParam:
    """One parameter of a block: a number (or true/false) with a default and a tooltip."""

    name: str
    kind: str = "int"
    default: int | float | bool = 1
    doc: str = ""
    min: float | None = None
    max: float | None = None

    def to_json(self) -> dict:
        out = {"name": self.name, "kind": self.kind, "default": self.default}
        if self.doc:
            out["doc"] = self.doc
        for key in ("min", "max"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass
class BlockDef:
    id: str
    title: str = ""
    graph: GraphDocument = field(default_factory=GraphDocument)
    params: tuple[BlockParam, ...] = ()
    note: str = ""
    sequential: bool = False  # built and exported as nn.Sequential (layers numbered 0, 1, ...)

    @property
    def label(self) -> str:
        return " ".join(self.title.split())[:80] or self.id

    def param(self, name: str) -> BlockParam | None:
        return next((p for p in self.params if p.name == name), None)

    def inputs(self) -> list[str]:
        """Input port names (the BlockInput node ids), in document order."""
        return [nid for nid, n in self.graph.nodes.items() if n.type == BLOCK_INPUT]

    def outputs(self) -> list[str]:
        """Output port names (the BlockOutput node ids), in document order."""
        return [nid for nid, n in self.graph.nodes.items() if n.type == BLOCK_OUTPUT]

    def header(self) -> tuple:
        return (self.title, self.note, self.params, self.sequential)

    def copy(self) -> BlockDef:
        return BlockDef(self.id, self.title, self.graph.copy(), tuple(self.params), self.note,
                        self.sequential)

    def snapshot(self) -> tuple:
        body = self.graph.snapshot()
        return (self.id, *self.header(), body["nodes"], body["edges"], body["comments"])


def block_params(definition: str, args: dict | None = None, repeat: int | str = 1) -> dict:
    """The params of a Block node that uses `definition`."""
    return {"definition": definition, "args": copy.deepcopy(args or {}), "repeat": repeat}


def uses(node_params: dict) -> str | None:
    """The definition a Block node's params name (None if they name none)."""
    value = node_params.get("definition")
    return value if isinstance(value, str) else None
