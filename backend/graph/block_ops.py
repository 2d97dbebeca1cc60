"""Invertible edit ops on block definitions, and `InBlock`, which edits inside one.

`AddBlockDef`, `RemoveBlockDef` and `EditBlockDef` change `doc.blocks` of the top-level
document (also when applied to a block's body, as inside `InBlock`); `InBlock(definition,
op)` applies any edit op to a definition's body and returns `InBlock(definition, inverse)`,
so the ops that edit a design edit the inside of a block unchanged. Every op returns its exact
inverse, like the ops in ops.py.
"""

from __future__ import annotations

import keyword
import math
from dataclasses import dataclass, field

from backend.graph.definition import BLOCK, PARAM_KINDS, BlockDef, BlockParam, uses
from backend.graph.document import EditError, GraphDocument
from backend.graph.ops import _insert


def users(doc: GraphDocument, definition: str) -> list[tuple[str | None, str]]:
    """(definition whose body holds it, or None for the design; node id) of every Block node
    that uses `definition`."""
    root = doc.root
    found = [(None, nid) for nid, n in root.nodes.items()
             if n.type == BLOCK and uses(n.params) == definition]
    for did, d in root.blocks.items():
        found += [(did, nid) for nid, n in d.graph.nodes.items()
                  if n.type == BLOCK and uses(n.params) == definition]
    return found


def attach(root: GraphDocument, defn: BlockDef) -> BlockDef:
    defn.graph.owner = root
    return defn


@dataclass(frozen=True)
class AddBlockDef:
    definition: BlockDef = field(hash=False)
    index: int | None = None

    def apply(self, doc: GraphDocument):
        root = doc.root
        d = self.definition
        if d.id in root.blocks:
            raise EditError(f"a block named '{d.id}' already exists: choose another name")
        check_header(d.params)
        root.blocks = _insert(root.blocks, d.id, attach(root, d.copy()), self.index)
        root.emit("block_added", definition=d.id)
        return RemoveBlockDef(d.id)


@dataclass(frozen=True)
class RemoveBlockDef:
    definition: str

    def apply(self, doc: GraphDocument):
        root = doc.root
        if self.definition not in root.blocks:
            raise EditError(f"there is no block '{self.definition}'")
        using = users(root, self.definition)
        if using:
            where = ", ".join(f"'{nid}'" + (f" (inside block '{did}')" if did else "")
                              for did, nid in using[:3])
            raise EditError(f"block '{self.definition}' is still used by {where}: delete or "
                            "ungroup those first")
        index = list(root.blocks).index(self.definition)
        removed = root.blocks.pop(self.definition)
        removed.graph.owner = None
        root.emit("block_removed", definition=self.definition)
        return AddBlockDef(removed.copy(), index)


@dataclass(frozen=True)
class EditBlockDef:
    """Replace a definition's title, note, parameters and sequential flag (not its body)."""

    definition: str
    title: str
    note: str = ""
    params: tuple[BlockParam, ...] = ()
    sequential: bool = False

    def apply(self, doc: GraphDocument):
        root = doc.root
        d = root.blocks.get(self.definition)
        if d is None:
            raise EditError(f"there is no block '{self.definition}'")
        check_header(self.params)
        old = EditBlockDef(d.id, d.title, d.note, d.params, d.sequential)
        d.title, d.note, d.params = self.title, self.note, tuple(self.params)
        d.sequential = bool(self.sequential)
        if old != self:
            root.emit("block_changed", definition=d.id)
        return old


@dataclass(frozen=True)
class InBlock:
    """Apply `op` inside the body of block definition `definition`."""

    definition: str
    op: object

    def apply(self, doc: GraphDocument):
        root = doc.root
        d = root.blocks.get(self.definition)
        if d is None:
            raise EditError(f"there is no block '{self.definition}'")
        attach(root, d)
        inverse = d.graph.apply(self.op)
        root.emit("block_changed", definition=self.definition)
        return InBlock(self.definition, inverse)


def check_header(params: tuple[BlockParam, ...]) -> None:
    """Refuse parameter lists a block cannot have, with one sentence."""
    seen = set()
    for p in params:
        if not isinstance(p, BlockParam):
            raise EditError("block parameters must be BlockParam values")
        if not p.name.isidentifier() or keyword.iskeyword(p.name) or p.name.startswith("_"):
            raise EditError(f"'{p.name}' cannot name a block parameter: use letters, digits "
                            "and _ (e.g. channels)")
        if p.name in seen:
            raise EditError(f"the block has two parameters named '{p.name}': rename one")
        seen.add(p.name)
        if p.kind not in PARAM_KINDS:
            raise EditError(f"parameter '{p.name}' has kind '{p.kind}': use one of "
                            f"{', '.join(PARAM_KINDS)}")
        if not _default_fits(p):
            raise EditError(f"parameter '{p.name}' ({p.kind}) cannot default to "
                            f"{p.default!r}: give a {p.kind} value")


def _default_fits(p: BlockParam) -> bool:
    v = p.default
    if p.kind == "bool":
        return isinstance(v, bool)
    if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
        return False
    return p.kind == "float" or float(v).is_integer()
