"""Invertible edit operations on a GraphDocument.

Every op's `apply(doc)` mutates the document, emits past-tense events, and returns the op that
undoes it exactly (order of nodes and edges included). Ops are plain frozen values, so an undo
stack can hold them and tests can generate them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from backend.graph.document import EditError, GraphDocument
from backend.graph.model import Comment, Edge, Node


def _insert(d: dict, key, value, index: int | None) -> dict:
    if index is None or index >= len(d):  # at the end: no need to rebuild the whole dict
        d[key] = value
        return d
    items = list(d.items())
    items.insert(len(items) if index is None else index, (key, value))
    return dict(items)


@dataclass(frozen=True)
class AddNode:
    node: Node
    edges: tuple[tuple[int, Edge], ...] = ()
    index: int | None = None

    def apply(self, doc: GraphDocument):
        if self.node.id in doc.nodes:
            raise EditError(f"a node with id '{self.node.id}' already exists")
        doc.nodes = _insert(doc.nodes, self.node.id, self.node.copy(), self.index)
        doc.emit("node_added", node_id=self.node.id)
        for i, e in sorted(self.edges, key=lambda t: t[0]):
            doc.edges.insert(i, e)
            doc.emit("edge_added", edge=e)
        return RemoveNode(self.node.id)


@dataclass(frozen=True)
class RemoveNode:
    node_id: str

    def apply(self, doc: GraphDocument):
        node = doc.node(self.node_id)
        index = list(doc.nodes).index(self.node_id)
        removed = tuple((i, e) for i, e in enumerate(doc.edges)
                        if self.node_id in (e.src, e.dst))
        for i, e in reversed(removed):  # by position: thousands of wires are not compared
            del doc.edges[i]
            doc.emit("edge_removed", edge=e)
        del doc.nodes[self.node_id]
        doc.emit("node_removed", node_id=self.node_id)
        return AddNode(node.copy(), removed, index)


@dataclass(frozen=True)
class Connect:
    edge: Edge
    index: int | None = None

    def apply(self, doc: GraphDocument):
        e = self.edge
        for end in (e.src, e.dst):
            doc.node(end)
        if e.src == e.dst:
            raise EditError("a layer cannot feed itself: connect it to another layer")
        if _position(doc.edges, e) is not None:
            raise EditError("these ports are already connected")
        doc.edges.insert(len(doc.edges) if self.index is None else self.index, e)
        doc.emit("edge_added", edge=e)
        return Disconnect(e)


@dataclass(frozen=True)
class Disconnect:
    edge: Edge

    def apply(self, doc: GraphDocument):
        index = _position(doc.edges, self.edge)
        if index is None:
            raise EditError(f"there is no wire {self.edge}")
        doc.edges.pop(index)
        doc.emit("edge_removed", edge=self.edge)
        return Connect(self.edge, index)


def _position(edges: list[Edge], edge: Edge) -> int | None:
    """Where a wire equal to `edge` is in `edges` (wires into other layers are passed over
    without comparing them whole)."""
    dst = edge.dst
    for i, e in enumerate(edges):
        if e.dst == dst and e == edge:
            return i
    return None


@dataclass(frozen=True)
class SetParams:
    node_id: str
    params: dict = field(hash=False)

    def apply(self, doc: GraphDocument):
        node = doc.node(self.node_id)
        old = node.params
        node.params = copy.deepcopy(self.params)
        if old != node.params:
            doc.emit("params_changed", node_id=self.node_id)
        return SetParams(self.node_id, old)


@dataclass(frozen=True)
class Rename:
    node_id: str
    title: str

    def apply(self, doc: GraphDocument):
        node = doc.node(self.node_id)
        old = node.title
        node.title = self.title
        if old != self.title:
            doc.emit("node_renamed", node_id=self.node_id)
        return Rename(self.node_id, old)


@dataclass(frozen=True)
class Move:
    positions: tuple[tuple[str, tuple[float, float]], ...]

    def apply(self, doc: GraphDocument):
        for node_id, _ in self.positions:  # refuse before moving anything
            doc.node(node_id)
        old, moved = [], []
        for node_id, pos in self.positions:
            node = doc.node(node_id)
            old.append((node_id, tuple(node.pos)))
            node.pos = (float(pos[0]), float(pos[1]))
            if node.pos != old[-1][1] and node_id not in moved:
                moved.append(node_id)
        if moved:
            doc.emit("nodes_moved", node_ids=moved)
        # reversed, so a node listed twice ends where it started
        return Move(tuple(reversed(old)))


@dataclass(frozen=True)
class AddComment:
    comment: Comment
    index: int | None = None

    def apply(self, doc: GraphDocument):
        if self.comment.id in doc.comments:
            raise EditError(f"a comment with id '{self.comment.id}' already exists")
        doc.comments = _insert(doc.comments, self.comment.id, self.comment.copy(), self.index)
        doc.emit("comment_added", comment_id=self.comment.id)
        return RemoveComment(self.comment.id)


@dataclass(frozen=True)
class RemoveComment:
    comment_id: str

    def apply(self, doc: GraphDocument):
        if self.comment_id not in doc.comments:
            raise EditError(f"there is no comment '{self.comment_id}'")
        index = list(doc.comments).index(self.comment_id)
        comment = doc.comments.pop(self.comment_id)
        doc.emit("comment_removed", comment_id=self.comment_id)
        return AddComment(comment, index)


@dataclass(frozen=True)
class EditComment:
    comment_id: str
    text: str
    pos: tuple[float, float]
    size: tuple[float, float]

    def apply(self, doc: GraphDocument):
        c = doc.comments.get(self.comment_id)
        if c is None:
            raise EditError(f"there is no comment '{self.comment_id}'")
        old = EditComment(c.id, c.text, tuple(c.pos), tuple(c.size))
        c.text, c.pos, c.size = self.text, tuple(self.pos), tuple(self.size)
        if old != self:
            doc.emit("comment_changed", comment_id=c.id)
        return old


@dataclass(frozen=True)
class SetSection:
    """Replace a settings section (e.g. 'training', 'dataset'); None removes it."""

    key: str
    value: dict | None = field(hash=False)

    def apply(self, doc: GraphDocument):
        old = doc.sections.get(self.key)
        if self.value is None:
            doc.sections.pop(self.key, None)
        else:
            doc.sections[self.key] = copy.deepcopy(self.value)
        if old != self.value:
            doc.emit("section_changed", key=self.key)
        return SetSection(self.key, old)


@dataclass(frozen=True)
class Batch:
    """Several ops applied as one edit; undone in reverse order."""

    ops: tuple = ()

    def apply(self, doc: GraphDocument):
        inverses = []
        try:
            for op in self.ops:
                inverses.append(op.apply(doc))
        except EditError:
            for inv in reversed(inverses):
                inv.apply(doc)
            raise
        return Batch(tuple(reversed(inverses)))
