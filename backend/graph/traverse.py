"""The one traversal: topological order of a design and each node's ordered inputs.

Shape inference, the model builder and the Python exporter all walk the design through
`plan`, so they agree on order, on which wire feeds which port, and on the model's inputs
and outputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from backend.graph.document import GraphDocument
from backend.graph.model import Edge, Node
from backend.layers import get_spec


@dataclass(frozen=True)
class Step:
    node: Node
    sources: tuple[str, ...]  # producing node ids, in port order then wire order


def to_networkx(doc: GraphDocument) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from(doc.nodes)
    g.add_edges_from((e.src, e.dst) for e in doc.edges if e.src in doc.nodes
                     and e.dst in doc.nodes)
    return g


def incoming(doc: GraphDocument) -> dict[str, list[Edge]]:
    """Wires into each node, ordered by the node's port order, then by wire order."""
    by_node: dict[str, list[Edge]] = {nid: [] for nid in doc.nodes}
    for e in doc.edges:
        if e.dst in by_node and e.src in doc.nodes:
            by_node[e.dst].append(e)
    for nid, edges in by_node.items():
        spec = get_spec(doc.nodes[nid].type)
        if spec is not None and len(spec.inputs) > 1:
            rank = {p.name: i for i, p in enumerate(spec.inputs)}
            edges.sort(key=lambda e: rank.get(e.dst_port, len(rank)))
    return by_node


def topological_order(doc: GraphDocument) -> tuple[list[str], set[str]]:
    """Nodes in a stable topological order, and the set of nodes on or after a cycle."""
    g = to_networkx(doc)
    position = {nid: i for i, nid in enumerate(doc.nodes)}
    try:
        return list(nx.lexicographical_topological_sort(g, key=position.__getitem__)), set()
    except nx.NetworkXUnfeasible:
        cyclic = set()
        for comp in nx.strongly_connected_components(g):
            if len(comp) > 1:
                cyclic |= comp
        blocked = set(cyclic)
        for nid in cyclic:
            blocked |= nx.descendants(g, nid)
        acyclic = g.subgraph([n for n in g if n not in blocked])
        order = list(nx.lexicographical_topological_sort(acyclic, key=position.__getitem__))
        return order, blocked


def plan(doc: GraphDocument) -> list[Step]:
    """Executable steps in order (cyclic parts left out; validation reports them)."""
    order, _ = topological_order(doc)
    into = incoming(doc)
    return [Step(doc.nodes[nid], tuple(e.src for e in into[nid])) for nid in order]


def model_inputs(doc: GraphDocument) -> list[str]:
    return [nid for nid, n in doc.nodes.items() if n.type == "Input"]


def model_outputs(doc: GraphDocument) -> list[str]:
    """Nodes whose output nobody consumes, in document order (Inputs excluded)."""
    fed = {e.src for e in doc.edges}
    return [nid for nid, n in doc.nodes.items() if nid not in fed and n.type != "Input"]
