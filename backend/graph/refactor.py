"""Composite edits that take one step: replace layer types, delete and reconnect a chain.

Each function returns ONE `Batch` of the ordinary invertible ops (backend/graph/ops.py), so
the undo stack holds it as one step and undoing it gives back the identical document (order
of nodes and wires included). Ops are worked out on a scratch copy (`Recorder`), so every
op in the batch is computed against the state the ops before it leave behind.
"""

from __future__ import annotations

import re

from backend.graph.document import EditError, GraphDocument
from backend.graph.model import Edge, Node
from backend.graph.ops import AddNode, Batch, Connect, Disconnect, RemoveComment, RemoveNode
from backend.graph.ports import node_spec
from backend.layers import LayerSpec, ParamError, get_spec, validate_params
from backend.layers.params import coerce

# parameters that mean the same thing under another name (the width of a layer)
ALIASES = {"units": ("filters",), "filters": ("units",)}


class Recorder:
    """Applies ops to a scratch copy of a document and records them for one Batch.

    `shared` shares the layers and comments with the document (only the lists of them are
    copied): for ops that add, remove and rewire but never change a layer in place."""

    def __init__(self, doc: GraphDocument, shared: bool = False) -> None:
        self.doc = doc.copy() if not shared else _containers(doc)
        self.ops: list = []

    def do(self, op) -> None:
        self.doc.apply(op)
        self.ops.append(op)

    def batch(self) -> Batch:
        return Batch(tuple(self.ops))


def _containers(doc: GraphDocument) -> GraphDocument:
    """A scratch document holding `doc`'s layers, wires and comments in lists of its own."""
    other = GraphDocument(doc.name)
    other.nodes, other.edges, other.comments = dict(doc.nodes), list(doc.edges), \
        dict(doc.comments)
    other.sections, other.blocks = doc.sections, doc.blocks
    return other


# -- replace layer type -------------------------------------------------------------------------
def carry_params(old_params: dict, spec: LayerSpec) -> dict:
    """The new type's defaults, with every old parameter that still applies kept."""
    kept: dict = {}
    for p in spec.params:
        for name in (p.name, *ALIASES.get(p.name, ())):
            if name not in old_params:
                continue
            try:
                value = coerce(p, old_params[name])
                validate_params(spec, {**kept, p.name: value})
            except ParamError:
                continue
            kept[p.name] = value
            break
    return {**spec.defaults(), **kept}


def retitle(title: str, old_type: str, new_type: str) -> str:
    """A title that names the old type by name ("sigmoid3") names the new one ("relu3")."""
    pattern = re.compile(rf"(?<![a-zA-Z]){re.escape(old_type)}(?![a-z])", re.IGNORECASE)

    def swap(match: re.Match) -> str:
        word = match.group(0)
        return new_type.lower() if word.islower() else new_type
    return pattern.sub(swap, title)


def _mapped_port(name: str, old: list[str], new: list[str]) -> str | None:
    """The new type's port for wires on the old port `name` (same name, else same place)."""
    if not new:
        return None
    if name in new:
        return name
    k = old.index(name) if name in old else 0
    return new[min(k, len(new) - 1)]


def _port_names(spec: LayerSpec | None, inputs: bool) -> list[str]:
    if spec is None:
        return []
    return [p.name for p in spec.inputs] if inputs else list(spec.outputs)


def _moved_edges(doc: GraphDocument, nid: str, old: LayerSpec | None, new: LayerSpec):
    """(index, edge) for each wire of `nid`, its ports mapped onto the new type's ports;
    indices are where AddNode re-inserts them (a wire that would double another is dropped)."""
    out, seen, dropped = [], set(), 0
    for i, e in enumerate(doc.edges):
        if nid not in (e.src, e.dst):
            continue
        src_port, dst_port = e.src_port, e.dst_port
        if e.src == nid:
            src_port = _mapped_port(e.src_port, _port_names(old, False), list(new.outputs))
        if e.dst == nid:
            dst_port = _mapped_port(e.dst_port, _port_names(old, True), _port_names(new, True))
        if src_port is None or dst_port is None:
            raise EditError(f"{new.type} takes no wires in: disconnect the wires into "
                            f"'{doc.nodes[nid].title or nid}' first")
        edge = Edge(e.src, e.dst, src_port, dst_port)
        if edge in seen:
            dropped += 1
            continue
        seen.add(edge)
        out.append((i - dropped, edge))
    return out


def replace_type(doc: GraphDocument, node_ids: list[str], new_type: str) -> Batch:
    """Turn each node into a `new_type` layer in place: same id, position and wires,
    the parameters that still apply, and a title naming the new type where it named the
    old one. Nodes already of that type are left alone."""
    spec = get_spec(new_type)
    if spec is None:
        raise EditError(f"there is no layer type '{new_type}': pick one from the palette")
    rec = Recorder(doc)
    for nid in [n for n in doc.nodes if n in set(node_ids)]:
        node = rec.doc.node(nid)
        if node.type != new_type:
            _replace_one(rec, node, spec)
    if not rec.ops:
        raise EditError(f"the selected layers are already {new_type} layers")
    return rec.batch()


def _replace_one(rec: Recorder, node: Node, spec: LayerSpec) -> None:
    doc = rec.doc
    old = node_spec(doc, node)  # a Block node's ports come from its definition
    edges = _moved_edges(doc, node.id, old, spec)
    title = retitle(node.title, node.type, spec.type)
    if title != node.title and title in {n.title for n in doc.nodes.values() if n is not node}:
        title = doc.unique_title(title)
    index = list(doc.nodes).index(node.id)
    new = Node(node.id, spec.type, carry_params(node.params, spec), title, tuple(node.pos))
    rec.do(RemoveNode(node.id))
    rec.do(AddNode(new, tuple(edges), index))


# -- delete and reconnect -----------------------------------------------------------------------
def delete_items(doc: GraphDocument, node_ids: list[str], comment_ids: tuple = (),
                 wires: tuple = (), reconnect: bool = True) -> tuple[Batch, int]:
    """Delete nodes (and comments, wires); with `reconnect`, wire what fed a deleted chain
    into what it fed.

    A consumer is reconnected when exactly one outside output reaches it through the deleted
    nodes (a chain: conv -> [bn -> relu] -> pool becomes conv -> pool); a deleted merge with
    several inputs is simply removed. Returns the batch and the number of wires bridged."""
    gone = set(node_ids)
    bridges = _bridges(doc, gone) if reconnect else {}
    final, added = _final_edges(doc, gone, set(wires), bridges)
    rec = Recorder(doc, shared=True)  # removes and wires only: no layer changes in place
    for e in wires:
        if e.src not in gone and e.dst not in gone:
            rec.do(Disconnect(e))
    for nid in [n for n in doc.nodes if n in gone]:
        rec.do(RemoveNode(nid))
    for i in added:
        rec.do(Connect(final[i], i))
    for cid in comment_ids:
        rec.do(RemoveComment(cid))
    return rec.batch(), len(added)


def _bridges(doc: GraphDocument, gone: set[str]) -> dict[Edge, Edge]:
    """Each wire leaving the deleted set -> the wire that replaces it, when there is one."""
    into: dict[str, list[Edge]] = {}
    for e in doc.edges:
        into.setdefault(e.dst, []).append(e)
    out = {}
    for e in doc.edges:
        if e.src in gone and e.dst not in gone and e.dst in doc.nodes:
            sources = _outside_sources(e.src, gone, into)
            if len(sources) == 1:
                src, port = next(iter(sources))
                if src != e.dst:
                    out[e] = Edge(src, e.dst, port, e.dst_port)
    return out


def _outside_sources(start: str, gone: set[str], into: dict[str, list[Edge]]) -> set:
    """(node, port) outside `gone` whose output reaches `start` through deleted nodes."""
    found, seen, stack = set(), {start}, [start]
    while stack:
        for e in into.get(stack.pop(), ()):
            if e.src not in gone:
                found.add((e.src, e.src_port))
            elif e.src not in seen:
                seen.add(e.src)
                stack.append(e.src)
    return found


def _final_edges(doc, gone, wires, bridges) -> tuple[list[Edge], list[int]]:
    """The wire list after the delete: bridges take the place of the wires they replace; and
    where in it the bridges are (the wires to add)."""
    def kept(e: Edge) -> bool:
        return e.src not in gone and e.dst not in gone and not (wires and e in wires)

    ends = {b.dst for b in bridges.values()}  # a set of the few wires a bridge may repeat
    near = {e for e in doc.edges if e.dst in ends and kept(e)}
    final: list[Edge] = []
    added: list[int] = []
    for e in doc.edges:
        if kept(e):
            final.append(e)
        elif e in bridges and bridges[e] not in near:
            near.add(bridges[e])
            added.append(len(final))
            final.append(bridges[e])
    return final, added
