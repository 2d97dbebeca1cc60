"""Structural validation of a design: types, cycles, wiring and reachability.

Shape and parameter problems come from shape inference (backend/shapes.py), which calls this
module first; nothing here raises for a bad design, it only reports.
"""

from __future__ import annotations

from backend.graph.document import GraphDocument
from backend.graph.problems import Problem
from backend.graph.traverse import Successors, cyclic_groups, dependency_graph, reachable
from backend.layers import get_spec, layer_types


def title(doc: GraphDocument, node_id: str) -> str:
    """A node's title on one line (titles may hold newlines), or its id when it has none."""
    return " ".join(str(doc.nodes[node_id].title).split())[:80] or node_id


def label(doc: GraphDocument, node_id: str) -> str:
    """How messages name a node: its type and title."""
    return f"{doc.nodes[node_id].type} '{title(doc, node_id)}'"


def structural_problems(doc: GraphDocument, cyclic: set[str],
                        graph: Successors | None = None) -> list[Problem]:
    """Problems with types and wiring; `graph` is `dependency_graph(doc)` if already built."""
    g = dependency_graph(doc) if graph is None else graph
    problems = _unknown_types(doc)
    problems += _cycles(doc, cyclic, g)
    problems += _wiring(doc)
    problems += _reachability(doc, g)
    return problems


def _unknown_types(doc):
    known = ", ".join(layer_types()[:6])
    return [Problem(nid, f"'{title(doc, nid)}' has unknown layer type '{n.type}': replace it "
                         f"with a known layer ({known}, ...)")
            for nid, n in doc.nodes.items() if get_spec(n.type) is None]


def _cycles(doc, cyclic, g):
    if not cyclic:
        return []
    problems = []
    for comp in cyclic_groups(g):
        first = next(n for n in doc.nodes if n in comp)
        if len(comp) == 1:
            problems.append(Problem(first, f"{label(doc, first)} is wired into itself: remove "
                                           "that wire"))
            continue
        names = ", ".join(sorted(label(doc, n) for n in comp))
        problems.append(Problem(first, f"{names} form a cycle: a feed-forward network "
                                       "cannot feed a layer's output back into it; "
                                       "remove one of the wires"))
    return problems


def _wiring(doc):
    problems = []
    counts: dict[tuple[str, str], int] = {}
    for e in doc.edges:
        if e.src in doc.nodes:  # a wire from a missing node feeds nothing
            counts[(e.dst, e.dst_port)] = counts.get((e.dst, e.dst_port), 0) + 1
        problems += _bad_ports(doc, e)
    for nid, node in doc.nodes.items():
        spec = get_spec(node.type)
        if spec is None:
            continue
        for port in spec.inputs:
            n = counts.get((nid, port.name), 0)
            problems += _port_problems(doc, nid, port, n, named=len(spec.inputs) > 1)
    return problems


def _bad_ports(doc, e):
    out = []
    for end, port, side in ((e.src, e.src_port, "outputs"), (e.dst, e.dst_port, "inputs")):
        spec = get_spec(doc.nodes[end].type) if end in doc.nodes else None
        if end not in doc.nodes:
            out.append(Problem(None, f"a wire refers to a missing node '{end}': remove it"))
        elif spec is not None:
            names = spec.outputs if side == "outputs" else [p.name for p in spec.inputs]
            if port not in names:
                out.append(Problem(end, f"{label(doc, end)} has no port '{port}' (its {side}: "
                                        f"{', '.join(names) or 'none'}): reconnect the wire"))
    return out


def _port_problems(doc, nid, port, n, named=False):
    name = label(doc, nid)
    if n == 0 and not port.optional:
        need = f"at least {port.min_wires} inputs" if port.multi else "an input"
        where = f" on its port '{port.name}'" if named else ""
        return [Problem(nid, f"{name} needs {need}{where}: connect a layer's output to it")]
    if port.multi and 0 < n < port.min_wires:
        return [Problem(nid, f"{name} needs at least {port.min_wires} inputs but has {n}: "
                             "connect another branch or remove it")]
    if not port.multi and n > 1:
        return [Problem(nid, f"{name} takes one input but {n} wires go into it: merge them "
                             "first with Add or Concatenate")]
    return []


def _reachability(doc, g):
    inputs = [nid for nid, n in doc.nodes.items() if n.type == "Input"]
    if not inputs:
        return [Problem(None, "the design has no Input layer: add an Input and set the shape "
                              "of one sample")] if doc.nodes else []
    reached = reachable(g, inputs)
    fed = {e.dst for e in doc.edges if e.src in doc.nodes}
    return [Problem(nid, f"{label(doc, nid)} is not connected to any Input: wire it in or "
                         "delete it", "warning")
            for nid in doc.nodes if nid not in reached and nid in fed]
