"""GraphDocument: the design being edited, and the only thing edit ops mutate.

Listeners receive past-tense events `(name, payload)` only when something really changed:
node_added, node_removed, edge_added, edge_removed, params_changed, node_renamed,
nodes_moved, comment_added, comment_removed, comment_changed, section_changed, reset,
and for block definitions (backend/graph/definition.py) block_added, block_removed and
block_changed (its header or its body was edited; payload `definition`).

A definition's body is a GraphDocument too: edits inside it emit the same events to the
body's own listeners (a canvas showing the inside of a block subscribes there), and the
document that owns the definition emits block_changed.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable

from backend.graph.model import Comment, Edge, Node

Listener = Callable[[str, dict], None]


class EditError(ValueError):
    """An edit that cannot be applied; the message says why in one sentence."""


class GraphDocument:
    def __init__(self, name: str = "Untitled") -> None:
        self.name = name
        self.nodes: dict[str, Node] = {}
        self.edges: list[Edge] = []
        self.comments: dict[str, Comment] = {}
        self.sections: dict[str, dict] = {}
        self.blocks: dict = {}  # definition id -> BlockDef (top-level documents only)
        self.owner: GraphDocument | None = None  # the document a block body belongs to
        self._listeners: list[Listener] = []
        self._counters: dict[str, int] = {}

    # -- events -------------------------------------------------------------------------------
    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        if listener in self._listeners:
            self._listeners.remove(listener)

    def emit(self, event: str, **payload) -> None:
        for listener in list(self._listeners):
            listener(event, payload)

    # -- edits ----------------------------------------------------------------------------------
    def apply(self, op):
        """Apply an edit op and return its exact inverse."""
        return op.apply(self)

    def new_id(self, prefix: str) -> str:
        base = re.sub(r"[^a-z0-9]+", "_", prefix.lower()).strip("_") or "node"
        n = self._counters.get(base, 0)
        while True:
            n += 1
            candidate = f"{base}_{n}"
            if candidate not in self.nodes and candidate not in self.comments:
                self._counters[base] = n
                return candidate

    def new_block_id(self, prefix: str) -> str:
        """A definition id not used yet in this document (or the one that owns it)."""
        root = self.root
        base = re.sub(r"[^a-z0-9]+", "_", prefix.lower()).strip("_") or "block"
        if base not in root.blocks:
            return base
        n = 2
        while f"{base}_{n}" in root.blocks:
            n += 1
        return f"{base}_{n}"

    @property
    def root(self) -> GraphDocument:
        """The top-level document (this one, unless this is a block's body)."""
        return self.owner.root if self.owner is not None else self

    # -- queries --------------------------------------------------------------------------------
    def node(self, node_id: str) -> Node:
        try:
            return self.nodes[node_id]
        except KeyError:
            raise EditError(f"there is no node '{node_id}'") from None

    def in_edges(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.dst == node_id]

    def out_edges(self, node_id: str) -> list[Edge]:
        return [e for e in self.edges if e.src == node_id]

    def unique_title(self, base: str) -> str:
        taken = {n.title for n in self.nodes.values()}
        if base not in taken:
            return base
        stem = base.rstrip("0123456789") or base
        k = 1
        while f"{stem}{k}" in taken:
            k += 1
        return f"{stem}{k}"

    def snapshot(self) -> dict:
        """A deep, comparable copy of the content (used by tests and run snapshots)."""
        return {
            "name": self.name,
            "nodes": [(n.id, n.type, copy.deepcopy(n.params), n.title, tuple(n.pos))
                      for n in self.nodes.values()],
            "edges": list(self.edges),
            "comments": [(c.id, c.text, tuple(c.pos), tuple(c.size))
                         for c in self.comments.values()],
            "sections": copy.deepcopy(self.sections),
            "blocks": [d.snapshot() for d in self.blocks.values()],
        }

    def copy(self) -> GraphDocument:
        """An independent copy without listeners (a run trains a snapshot like this)."""
        other = GraphDocument(self.name)
        other.nodes = {k: n.copy() for k, n in self.nodes.items()}
        other.edges = list(self.edges)
        other.comments = {k: c.copy() for k, c in self.comments.items()}
        other.sections = copy.deepcopy(self.sections)
        other._counters = dict(self._counters)
        other.blocks = {k: d.copy() for k, d in self.blocks.items()}
        for d in other.blocks.values():
            d.graph.owner = other
        return other

    def replace_content(self, other: GraphDocument) -> None:
        """Take over another document's content (e.g. after opening a file); emits reset."""
        self.name = other.name
        self.nodes, self.edges = other.nodes, other.edges
        self.comments, self.sections = other.comments, other.sections
        self._counters = other._counters
        self.blocks = other.blocks
        for d in self.blocks.values():
            d.graph.owner = self
        self.emit("reset")
