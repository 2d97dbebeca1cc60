"""Declaring block definitions in code, and putting them into a design.

`BlockBuilder` writes a definition as readable chains and branches, like the templates'
`DesignBuilder`; `LibraryBlock` is one entry of a block library (a factory returning the
definition and the definitions it uses); `use_block_ops(doc, definitions, ...)` returns the
ops that add what the design lacks and place one Block node using the first definition;
`make_unique_op(doc, node_id)` gives one use a copy of its definition.

    def basic_block() -> list[BlockDef]:
        b = BlockBuilder("basic", "Residual basic", params=(BlockParam("channels", "int", 64),))
        x = b.input()
        b.add("Conv2d", "conv1", filters="{channels}", kernel_size=3, padding=1, bias=False)
        ...
        b.add("Add", "add", after=[b.last, x])
        b.output()
        return [b.definition]
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from backend.graph.block_ops import AddBlockDef
from backend.graph.definition import (
    BLOCK,
    BLOCK_INPUT,
    BLOCK_OUTPUT,
    BlockDef,
    BlockParam,
    block_params,
    uses,
)
from backend.graph.document import EditError, GraphDocument
from backend.graph.model import Edge, Node
from backend.graph.ops import AddNode, Batch

X_STEP, Y_STEP = 240.0, 150.0


class BlockBuilder:
    """Adds nodes left to right; `add` wires the new node to `after` (default: the last)."""

    def __init__(self, block_id: str, title: str, params: tuple[BlockParam, ...] = (),
                 note: str = "", sequential: bool = False) -> None:
        self.definition = BlockDef(block_id, title, GraphDocument(title), tuple(params), note,
                                   sequential)
        self.last: str | None = None
        self._col = 0

    @property
    def graph(self) -> GraphDocument:
        return self.definition.graph

    def _place(self, nid: str, kind: str, title: str, params: dict, after, row, col) -> str:
        x = (self._col if col is None else col) * X_STEP
        self.graph.nodes[nid] = Node(nid, kind, params, title, (x, row * Y_STEP))
        sources = [self.last] if after == "last" else ([after] if isinstance(after, str)
                                                        else list(after or []))
        for src in sources:
            if src is not None:
                port = src.split(":", 1)[1] if ":" in src else "out"
                self.graph.edges.append(Edge(src.split(":", 1)[0], nid, port))
        self.last = nid
        self._col = (self._col if col is None else col) + 1
        return nid

    def _id(self, title: str) -> str:
        """The title as an id when it is one and free (`conv1`), else a numbered one."""
        base = re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")
        if base and base not in self.graph.nodes:
            return base
        return self.graph.new_id(title)

    def _port(self, base: str) -> str:
        """Port ids as a group makes them: `in`, `in_2`, ... and `out`, `out_2`, ..."""
        name, k = base, 2
        while name in self.graph.nodes:
            name, k = f"{base}_{k}", k + 1
        return name

    def input(self, title: str = "x", row: float = 0.0) -> str:
        """A BlockInput (one input port); the first is called `in`, then `in_2`, ..."""
        return self._place(self._port("in"), BLOCK_INPUT, title, {}, None, row, None)

    def output(self, title: str = "out", after="last", row: float = 0.0) -> str:
        """A BlockOutput (one output port); the first is called `out`, then `out_2`, ..."""
        return self._place(self._port("out"), BLOCK_OUTPUT, title, {}, after, row, None)

    def add(self, kind: str, title: str, after="last", row: float = 0.0,
            col: float | None = None, **params) -> str:
        """A layer; `after` is a node id, `"id:port"` for a block's port, or a list of them."""
        return self._place(self._id(title or kind), kind, title, params, after, row, col)

    def block(self, definition: str, title: str, args: dict | None = None,
              repeat: int | str = 1, after="last", row: float = 0.0,
              col: float | None = None) -> str:
        """A Block node using another definition (nesting)."""
        return self._place(self._id(title or definition), BLOCK, title,
                           block_params(definition, args, repeat), after, row, col)


@dataclass(frozen=True)
class LibraryBlock:
    """One entry of a block library: `make()` returns the block's definition first, then
    every definition it uses (nested blocks), so a design can take them all."""

    name: str
    title: str
    description: str
    make: Callable[[], list[BlockDef]]


def use_block_ops(doc: GraphDocument, definitions: list[BlockDef], node_id: str,
                  title: str, pos: tuple[float, float] = (0.0, 0.0), args: dict | None = None,
                  repeat: int = 1) -> Batch:
    """One op adding what `doc` lacks of `definitions` and a Block node using the first.

    A definition already in the design with the same content is reused; one whose id is
    taken by different content is added under a new id (nested uses follow the rename)."""
    root = doc.root
    renames: dict[str, str] = {}
    ops: list = []
    taken = set(root.blocks)
    for d in reversed(definitions):  # used definitions first
        d = _renamed(d, renames)
        existing = root.blocks.get(d.id)
        if existing is not None and _same(existing, d):
            continue
        if d.id in taken:
            new = _free(d.id, taken)
            renames[d.id] = new
            d = BlockDef(new, d.title, d.graph, d.params, d.note, d.sequential)
        taken.add(d.id)
        ops.append(AddBlockDef(d))
    main = renames.get(definitions[0].id, definitions[0].id)
    node = Node(node_id, BLOCK, block_params(main, args, repeat), title, tuple(pos))
    ops.append(AddNode(node))
    return Batch(tuple(ops))


def _renamed(d: BlockDef, renames: dict[str, str]) -> BlockDef:
    if not renames:
        return d
    d = d.copy()
    for node in d.graph.nodes.values():
        if node.type == BLOCK and uses(node.params) in renames:
            node.params = {**node.params, "definition": renames[uses(node.params)]}
    return d


def _same(a: BlockDef, b: BlockDef) -> bool:
    return a.snapshot()[1:] == b.snapshot()[1:]


def _free(base: str, taken: set[str]) -> str:
    k = 2
    while f"{base}_{k}" in taken:
        k += 1
    return f"{base}_{k}"


def make_unique_op(doc: GraphDocument, node_id: str, definition: str | None = None) -> Batch:
    """One op giving Block node `node_id` a copy of its definition of its own ("make unique"),
    so edits inside it stop reaching the other uses."""
    from backend.graph.ops import SetParams
    from backend.graph.ports import definition_of

    node = doc.node(node_id)
    defn = definition_of(doc, node)
    if defn is None:
        raise EditError(f"'{node.title or node_id}' is not a block with a definition: only "
                        "blocks can be made unique")
    new_id = definition or doc.new_block_id(defn.id)
    copy = BlockDef(new_id, f"{defn.title} ({node.title or node_id})", defn.graph.copy(),
                    defn.params, defn.note, defn.sequential)
    return Batch((AddBlockDef(copy), SetParams(node_id, {**node.params, "definition": new_id})))
