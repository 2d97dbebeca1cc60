"""The one traversal: topological order of a design and each node's ordered inputs.

Shape inference, the model builder and the Python exporter all walk the design through
`plan`, so they agree on order, on which wire feeds which port, and on the model's inputs
and outputs. Ties are broken by document order, so the order is stable across runs.

The walk itself is plain Python (Kahn's algorithm over the successor lists), so checking a
design does not pay for importing networkx; networkx is loaded only to name the groups of a
cycle and for callers that want a graph object (`to_networkx`).
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, NamedTuple

from backend.graph.document import GraphDocument
from backend.graph.model import Edge, Node
from backend.graph.ports import node_ports

if TYPE_CHECKING:
    import networkx as nx

Successors = dict[str, set[str]]
INPUT_TYPES = ("Input", "GraphInput")  # where data enters a design (model arguments)


class Step(NamedTuple):  # a tuple: a plan of thousands of steps is built after every edit
    node: Node
    sources: tuple[str, ...]  # producing node ids, in port order then wire order
    ports: tuple[str, ...] = ()  # the output port of each source (a block has several)


def to_networkx(doc: GraphDocument) -> nx.MultiDiGraph:
    import networkx as nx

    g = nx.MultiDiGraph()
    g.add_nodes_from(doc.nodes)
    g.add_edges_from((e.src, e.dst) for e in doc.edges if e.src in doc.nodes
                     and e.dst in doc.nodes)
    return g


def dependency_graph(doc: GraphDocument) -> Successors:
    """node id -> the ids it feeds (parallel wires collapsed); build it once per analysis."""
    succ: Successors = {nid: set() for nid in doc.nodes}
    for e in doc.edges:
        if e.src in succ and e.dst in succ:
            succ[e.src].add(e.dst)
    return succ


def reachable(succ: Successors, starts: list[str]) -> set[str]:
    """The start nodes and everything downstream of them."""
    seen, stack = set(starts), list(starts)
    while stack:
        for nxt in succ[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def cyclic_groups(succ: Successors) -> list[set[str]]:
    """Groups of nodes that feed each other (a node wired into itself counts)."""
    import networkx as nx

    g = nx.DiGraph()
    g.add_nodes_from(succ)
    g.add_edges_from((a, b) for a, outs in succ.items() for b in outs)
    return [comp for comp in nx.strongly_connected_components(g)
            if len(comp) > 1 or any(n in succ[n] for n in comp)]


def topological_order(doc: GraphDocument,
                      graph: Successors | None = None) -> tuple[list[str], set[str]]:
    """Nodes in a stable topological order, and the set of nodes on or after a cycle.

    Kahn's algorithm with ties broken by document order; nodes on a cycle, or fed by one,
    never become free and are returned as the blocked set instead."""
    succ = dependency_graph(doc) if graph is None else graph
    ids = list(doc.nodes)
    position = {nid: i for i, nid in enumerate(ids)}
    waiting = dict.fromkeys(ids, 0)
    for outs in succ.values():
        for nxt in outs:
            waiting[nxt] += 1
    free = [i for i, nid in enumerate(ids) if not waiting[nid]]  # positions: already a heap
    push, pop = heapq.heappush, heapq.heappop
    order = []
    add = order.append
    while free:
        nid = ids[pop(free)]
        add(nid)
        for nxt in succ[nid]:
            left = waiting[nxt] - 1
            waiting[nxt] = left
            if not left:
                push(free, position[nxt])
    blocked = set() if len(order) == len(ids) else set(ids) - set(order)
    return order, blocked


def incoming(doc: GraphDocument, only: set[str] | None = None) -> dict[str, list[Edge]]:
    """Wires into each node (of `only`), ordered by the node's port order, then by wire
    order."""
    by_node: dict[str, list[Edge]] = {nid: [] for nid in (doc.nodes if only is None else
                                                          only & doc.nodes.keys())}
    for e in doc.edges:
        if e.dst in by_node and e.src in doc.nodes:
            by_node[e.dst].append(e)
    for nid, edges in by_node.items():
        if len(edges) < 2:
            continue
        ports, _ = node_ports(doc, doc.nodes[nid])
        if len(ports) > 1:
            rank = {p.name: i for i, p in enumerate(ports)}
            edges.sort(key=lambda e: rank.get(e.dst_port, len(rank)))
    return by_node


def plan(doc: GraphDocument, order: list[str] | None = None) -> list[Step]:
    """Executable steps in order (cyclic parts left out; validation reports them).

    `order` is a precomputed `topological_order(doc)[0]`, to walk the graph only once."""
    if order is None:
        order, _ = topological_order(doc)
    into = incoming(doc)
    return [Step(doc.nodes[nid], tuple(e.src for e in into[nid]),
                 tuple(e.src_port for e in into[nid])) for nid in order]


def replan(doc: GraphDocument, order: list[str], previous: list[Step],
           fresh: set[str]) -> list[Step]:
    """`plan(doc, order)` after an edit, from the `previous` plan: the steps of the nodes in
    `fresh` (their wires in changed) and of nodes new or replaced are made again, the others
    kept."""
    kept = {s.node.id: s for s in previous}
    nodes = doc.nodes
    redo = {nid for nid in order if nid in fresh or nid not in kept
            or kept[nid].node is not nodes[nid]}
    into = incoming(doc, redo)
    for nid in redo:
        kept[nid] = Step(nodes[nid], tuple(e.src for e in into[nid]),
                         tuple(e.src_port for e in into[nid]))
    return [kept[nid] for nid in order]


def model_inputs(doc: GraphDocument) -> list[str]:
    """Input and Graph input nodes in document order."""
    return [nid for nid, n in doc.nodes.items() if n.type in INPUT_TYPES]


def input_ports(doc: GraphDocument, node_id: str) -> tuple[str, ...]:
    """The output ports of an input node, one model argument each: a Graph input gives the
    node features and the adjacency."""
    return ("x", "adj") if doc.nodes[node_id].type == "GraphInput" else ("out",)


def model_arguments(doc: GraphDocument) -> list[tuple[str, str]]:
    """(input node, port) per argument of the model's forward, in order."""
    return [(nid, port) for nid in model_inputs(doc) for port in input_ports(doc, nid)]


def model_outputs(doc: GraphDocument) -> list[str]:
    """Nodes whose output nobody consumes, in document order (inputs excluded)."""
    fed = {e.src for e in doc.edges}
    return [nid for nid, n in doc.nodes.items() if nid not in fed
            and n.type not in INPUT_TYPES]


def entry_nodes(doc: GraphDocument, inside: bool = False) -> list[str]:
    """Where data enters: Input nodes of a design, BlockInput nodes of a block's body."""
    kinds = ("BlockInput",) if inside else INPUT_TYPES
    return [nid for nid, n in doc.nodes.items() if n.type in kinds]
