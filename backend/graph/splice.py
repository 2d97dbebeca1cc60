"""Splicing a new layer into a wire, making room for it: one Batch, one undo step.

A layer dropped onto a wire (or inserted by a fix, "insert a Flatten before 'fc'") goes where
the wire runs; when the two ends sit closer than two columns, the chain from the wire's end
onwards moves one column right (only nodes downstream of it and not left of it, so the next
band of a wrapped layout stays put) instead of the new layer covering a neighbour.
Positions are node top-left corners on the canvas; `Geometry` carries the canvas's sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.graph.document import EditError, GraphDocument
from backend.graph.model import Edge, Node
from backend.graph.ops import AddNode, Batch, Connect, Disconnect, Move
from backend.graph.refactor import Recorder
from backend.layers import get_spec


@dataclass(frozen=True)
class Geometry:
    node_w: float = 176.0
    node_h: float = 74.0
    col_step: float = 260.0  # distance between the left edges of neighbouring columns
    row_step: float = 120.0
    grid: float = 20.0

    def snap(self, v: float) -> float:
        return round(v / self.grid) * self.grid


GEOMETRY = Geometry()


def insert_on_wire(doc: GraphDocument, edge: Edge, layer_type: str, params: dict | None = None,
                   drop: tuple[float, float] | None = None, geometry: Geometry = GEOMETRY
                   ) -> tuple[Batch, str]:
    """Splice a new `layer_type` node into `edge` (src -> new -> dst); returns the batch and
    the new node's id. The wire into dst keeps its place in dst's wire order."""
    spec = get_spec(layer_type)
    if spec is None:
        raise EditError(f"there is no layer type '{layer_type}': pick one from the palette")
    if not spec.inputs or not spec.outputs:
        raise EditError(f"{layer_type} cannot sit on a wire: it takes no input or gives no "
                        "output")
    if edge not in doc.edges:
        raise EditError(f"there is no wire {edge}")
    rec = Recorder(doc)
    pos, moves = make_room(doc, edge.src, edge.dst, drop, geometry)
    if moves:
        rec.do(Move(moves))
    nid = rec.doc.new_id(layer_type)
    node = Node(nid, layer_type, {**spec.defaults(), **(params or {})}, nid, pos)
    index = rec.doc.edges.index(edge)
    rec.do(AddNode(node))
    rec.do(Disconnect(edge))
    rec.do(Connect(Edge(edge.src, nid, edge.src_port, spec.inputs[0].name)))
    rec.do(Connect(Edge(nid, edge.dst, spec.outputs[0], edge.dst_port), index))
    return rec.batch(), nid


def insert_before(doc: GraphDocument, node_id: str, layer_type: str,
                  params: dict | None = None, geometry: Geometry = GEOMETRY) -> Batch:
    """Splice a new layer into the first wire feeding `node_id`."""
    wire = next((e for e in doc.edges if e.dst == node_id and e.src in doc.nodes), None)
    if wire is None:
        raise EditError(f"'{doc.node(node_id).title or node_id}' has no wire in to insert "
                        "a layer into: connect its input first")
    return insert_on_wire(doc, wire, layer_type, params, None, geometry)[0]


def make_room(doc: GraphDocument, src: str, dst: str, drop: tuple[float, float] | None,
              g: Geometry = GEOMETRY) -> tuple[tuple[float, float], tuple]:
    """Where a layer spliced between `src` and `dst` goes, and the moves that free the spot."""
    a, b = doc.node(src).pos, doc.node(dst).pos
    y = a[1] if abs(a[1] - b[1]) < g.node_h else b[1]
    if b[0] <= a[0]:  # a wire back to the next band: extend the first band instead
        return _free_spot(doc, (a[0] + g.col_step, a[1]), g), ()
    x = a[0] + g.col_step
    if b[0] - a[0] >= 2 * g.col_step:  # a free column already: use it (near the drop)
        if drop is not None:
            lo, hi = a[0] + g.col_step, b[0] - g.col_step
            x = min(hi, max(lo, g.snap(drop[0] - g.node_w / 2)))
        return _free_spot(doc, (x, y), g), ()
    shift = g.snap(x + g.col_step - b[0])
    moved = downstream_right_of(doc, dst, b[0])
    moves = tuple((nid, (doc.nodes[nid].pos[0] + shift, doc.nodes[nid].pos[1]))
                  for nid in doc.nodes if nid in moved)
    return _free_spot(doc, (x, y), g, ignore=moved), moves


def downstream_right_of(doc: GraphDocument, start: str, x0: float) -> set[str]:
    """`start` and the nodes it feeds, followed only rightwards (never back across a band)."""
    succ: dict[str, list[str]] = {}
    for e in doc.edges:
        succ.setdefault(e.src, []).append(e.dst)
    seen, stack = {start}, [start]
    while stack:
        for nxt in succ.get(stack.pop(), ()):
            if nxt not in seen and nxt in doc.nodes and doc.nodes[nxt].pos[0] >= x0 - 1:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def _free_spot(doc: GraphDocument, pos: tuple[float, float], g: Geometry,
               ignore: set[str] = frozenset()) -> tuple[float, float]:
    """`pos`, or the first spot a row step further down where no node would be covered."""
    x, y = g.snap(pos[0]), g.snap(pos[1])
    for _ in range(200):
        if not any(abs(n.pos[0] - x) < g.node_w and abs(n.pos[1] - y) < g.node_h
                   for nid, n in doc.nodes.items() if nid not in ignore):
            break
        y += g.row_step
    return (x, y)


def insert_merge(doc: GraphDocument, node_id: str, port: str, merge_type: str,
                 geometry: Geometry = GEOMETRY) -> Batch:
    """Route every wire into `node_id`'s single-input `port` through a new merge layer
    (Add, Concatenate...) that then feeds the port; the wires keep their order."""
    spec = get_spec(merge_type)
    wires = [e for e in doc.edges if e.dst == node_id and e.dst_port == port]
    if spec is None or not wires:
        raise EditError(f"there is nothing to merge into '{doc.node(node_id).title}'")
    rec = Recorder(doc)
    pos, moves = make_room(doc, wires[0].src, node_id, None, geometry)
    if moves:
        rec.do(Move(moves))
    nid = rec.doc.new_id(merge_type)
    index = rec.doc.edges.index(wires[0])
    rec.do(AddNode(Node(nid, merge_type, spec.defaults(), nid, pos)))
    for e in wires:
        rec.do(Disconnect(e))
    for e in wires:
        rec.do(Connect(Edge(e.src, nid, e.src_port, spec.inputs[0].name)))
    rec.do(Connect(Edge(nid, node_id, spec.outputs[0], port), index))
    return rec.batch()
