"""Connection rules: which wires make sense, checked before any edit is pushed.

`check_connection` never raises: it returns a `Verdict` whose hint is the sentence shown to
the user when a wire is refused (into an Input, a cycle, a port that does not exist, a second
wire into a single-input port). A shape mismatch is allowed: shape inference reports it as a
problem on the node, which teaches more than refusing would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from backend.graph import Edge, GraphDocument
from backend.graph.ports import node_spec
from backend.graph.traverse import to_networkx

if TYPE_CHECKING:
    import networkx as nx  # imported when a wire is checked, not at start-up


@dataclass(frozen=True)
class Verdict:
    ok: bool
    hint: str = ""
    replaces: Edge | None = None  # the wire a drop would replace (single-input port in use)


def name_of(doc: GraphDocument, node_id: str) -> str:
    node = doc.nodes.get(node_id)
    return f"'{node.title or node_id}'" if node else f"'{node_id}'"


def check_connection(doc: GraphDocument, edge: Edge, graph: nx.MultiDiGraph | None = None
                     ) -> Verdict:
    """Is `edge` a sensible new wire? `graph` may be passed in to avoid rebuilding it."""
    if edge.src not in doc.nodes or edge.dst not in doc.nodes:
        return Verdict(False, "that layer no longer exists: draw the wire again")
    if edge.src == edge.dst:
        return Verdict(False, "a layer cannot feed itself: connect it to another layer")
    src_spec, dst_spec = node_spec(doc, doc.nodes[edge.src]), node_spec(doc, doc.nodes[edge.dst])
    dst_name = name_of(doc, edge.dst)
    if dst_spec is not None and not dst_spec.inputs:
        return Verdict(False, f"{dst_name} is an {dst_spec.type}: it takes no wires in; "
                              "connect its output to the next layer instead")
    if src_spec is not None and edge.src_port not in src_spec.outputs:
        return Verdict(False, f"{name_of(doc, edge.src)} has no output '{edge.src_port}'")
    port = dst_spec.input_port(edge.dst_port) if dst_spec is not None else None
    if dst_spec is not None and port is None:
        return Verdict(False, f"{dst_name} has no input '{edge.dst_port}'")
    if edge in doc.edges:
        return Verdict(False, "these ports are already connected")
    return _loop_or_occupied(doc, edge, port, graph)


def _loop_or_occupied(doc: GraphDocument, edge: Edge, port, graph) -> Verdict:
    """The checks that need the graph: a loop, or a single-input port already in use."""
    import networkx as nx

    dst_name, src_name = name_of(doc, edge.dst), name_of(doc, edge.src)
    g = graph if graph is not None else to_networkx(doc)
    if edge.dst in g and edge.src in g and nx.has_path(g, edge.dst, edge.src):
        return Verdict(False, f"wiring {src_name} into {dst_name} would make a loop "
                              f"({dst_name} already feeds {src_name}): a network cannot feed "
                              "a layer's output back into it")
    if port is not None and not port.multi:
        existing = next((e for e in doc.edges
                         if e.dst == edge.dst and e.dst_port == edge.dst_port), None)
        if existing is not None:
            return Verdict(False, f"{dst_name} takes one input: remove the existing wire from "
                                  f"{name_of(doc, existing.src)} first (or drop onto it to "
                                  "replace it)", existing)
    return Verdict(True)


def first_free_input(doc: GraphDocument, node_id: str) -> str | None:
    """The input port a wire dropped on a node's body goes to (a free one first)."""
    spec = node_spec(doc, doc.nodes[node_id]) if node_id in doc.nodes else None
    if spec is None or not spec.inputs:
        return None
    used = {e.dst_port for e in doc.edges if e.dst == node_id}
    for port in spec.inputs:
        if port.multi or port.name not in used:
            return port.name
    return spec.inputs[0].name


def orient(a: tuple[str, str, bool], b: tuple[str, str, bool]) -> Edge | None:
    """Turn two (node_id, port, is_input) ends into an output->input edge, or None."""
    if a[2] == b[2]:
        return None
    out, into = (b, a) if a[2] else (a, b)
    return Edge(out[0], into[0], out[1], into[1])
