"""A small helper to write templates as readable chains and branches of layers."""

from __future__ import annotations

from backend.graph import Edge, GraphDocument, Node

X_STEP, Y_STEP = 240.0, 150.0


class DesignBuilder:
    """Adds nodes left to right; `add` wires the new node to `after` (default: the last)."""

    def __init__(self, name: str) -> None:
        self.doc = GraphDocument(name)
        self.last: str | None = None
        self._col = 0

    def add(self, kind: str, title: str, after: str | list[str] | None = "last",
            row: float = 0.0, col: float | None = None, **params) -> str:
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
