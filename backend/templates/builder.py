"""A small helper to write templates as readable chains and branches of layers and blocks."""

from __future__ import annotations

from backend.graph import BLOCK, BlockDef, Edge, GraphDocument, Node
from backend.graph.block_ops import attach
from backend.graph.definition import block_params

X_STEP, Y_STEP = 240.0, 150.0


class DesignBuilder:
    """Adds nodes left to right; `add` wires the new node to `after` (default: the last)."""

    def __init__(self, name: str) -> None:
        self.doc = GraphDocument(name)
        self.last: str | None = None
        self._col = 0

    def add(self, kind: str, title: str, after: str | list[str] | None = "last",
            row: float = 0.0, col: float | None = None, **params) -> str:
        return self._place(kind, title, params, after, row, col)

    def block(self, definitions: list[BlockDef], title: str, args: dict | None = None,
              repeat: int = 1, after: str | list[str] | None = "last", row: float = 0.0,
              col: float | None = None) -> str:
        """A Block node using the first of `definitions`; the design takes every definition
        it does not have yet (the ids are the library's, so uses share one definition)."""
        for d in definitions:
            if d.id not in self.doc.blocks:
                self.doc.blocks[d.id] = attach(self.doc, d)
        params = block_params(definitions[0].id, args, repeat)
        return self._place(BLOCK, title, params, after, row, col)

    def _place(self, kind: str, title: str, params: dict, after, row: float,
               col: float | None) -> str:
        nid = self.doc.new_id(title or kind)
        x = (self._col if col is None else col) * X_STEP
        self.doc.nodes[nid] = Node(nid, kind, params, title, (x, row * Y_STEP))
        sources = [self.last] if after == "last" else ([after] if isinstance(after, str)
                                                        else list(after or []))
        for src in sources:
            if src is not None:
                self.doc.edges.append(Edge(src, nid))
        self.last = nid
        self._col = (self._col if col is None else col) + 1
        return nid

    def connect(self, src: str, dst: str, port: str = "in") -> None:
        """An extra wire into `dst`'s input `port` (e.g. Sampling's 'mu' and 'log_var')."""
        self.doc.edges.append(Edge(src, dst, "out", port))

    def section(self, key: str, value: dict) -> None:
        self.doc.sections[key] = value
