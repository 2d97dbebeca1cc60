"""Structural validation of a design: types, cycles, wiring and reachability.

Shape and parameter problems come from shape inference (backend/shapes.py), which calls this
module first; nothing here raises for a bad design, it only reports.
"""

from __future__ import annotations

from functools import lru_cache

from backend.graph.document import GraphDocument
from backend.graph.ports import definition_of, is_known, node_ports
from backend.graph.problems import Problem
from backend.graph.traverse import (
    INPUT_TYPES,
    Successors,
    cyclic_groups,
    dependency_graph,
    entry_nodes,
    reachable,
)
from backend.layers import layer_types

PATH_SEP = " › "


def title(doc: GraphDocument, node_id: str, prefix: str = "") -> str:
    """A node's title on one line (titles may hold newlines), or its id when it has none;
    inside a block, after the readable path to it (`layer2 › block 1 › conv1`)."""
    own = one_line(str(doc.nodes[node_id].title)) or node_id
    return f"{prefix}{PATH_SEP}{own}" if prefix else own


@lru_cache(maxsize=65536)  # titles are read for thousands of layers after every edit
def one_line(text: str) -> str:
    """A title on one line, at most 80 characters."""
    return " ".join(text.split())[:80]


def label(doc: GraphDocument, node_id: str, prefix: str = "") -> str:
    """How messages name a node: its type and title."""
    return f"{doc.nodes[node_id].type} '{title(doc, node_id, prefix)}'"


def structural_problems(doc: GraphDocument, cyclic: set[str],
                        graph: Successors | None = None, prefix: str = "",
                        inside: bool = False) -> list[Problem]:
    """Problems with types and wiring; `graph` is `dependency_graph(doc)` if already built.

    `inside` checks a block definition's body (named by `prefix` in messages)."""
    g = dependency_graph(doc) if graph is None else graph
    problems = _unknown_types(doc, prefix)
    problems += _misplaced(doc, prefix, inside)
    problems += _cycles(doc, cyclic, g, prefix)
    problems += _wiring(doc, prefix)
    problems += _reachability(doc, g, prefix, inside)
    return problems


def _unknown_types(doc, prefix):
    known = ", ".join(layer_types()[:6])
    return [Problem(nid, f"'{title(doc, nid, prefix)}' has unknown layer type '{n.type}': "
                         f"replace it with a known layer ({known}, ...)")
            for nid, n in doc.nodes.items() if not is_known(n)]


def _misplaced(doc, prefix, inside):
    out = []
    for nid, n in doc.nodes.items():
        if inside and n.type in INPUT_TYPES:
            out.append(Problem(nid, f"{label(doc, nid, prefix)} is inside a block, where data "
                                    "enters through a BlockInput: replace the Input with one"))
        elif not inside and n.type in ("BlockInput", "BlockOutput"):
            out.append(Problem(nid, f"{label(doc, nid, prefix)} belongs inside a block: use an "
                                    "Input to start the design, or delete it"))
    return out


def _cycles(doc, cyclic, g, prefix):
    if not cyclic:
        return []
    problems = []
    for comp in cyclic_groups(g):
        first = next(n for n in doc.nodes if n in comp)
        if len(comp) == 1:
            problems.append(Problem(first, f"{label(doc, first, prefix)} is wired into itself: "
                                           "remove that wire"))
            continue
        names = ", ".join(sorted(label(doc, n, prefix) for n in comp))
        problems.append(Problem(first, f"{names} form a cycle: a feed-forward network "
                                       "cannot feed a layer's output back into it; "
                                       "remove one of the wires"))
    return problems


def _wiring(doc, prefix):
    problems = []
    counts: dict[tuple[str, str], int] = {}
    ports = {nid: node_ports(doc, n) for nid, n in doc.nodes.items()
             if n.type != "Block" and is_known(n) or definition_of(doc, n) is not None}
    for e in doc.edges:
        if e.src in doc.nodes:  # a wire from a missing node feeds nothing
            counts[(e.dst, e.dst_port)] = counts.get((e.dst, e.dst_port), 0) + 1
        problems += _bad_ports(doc, e, ports, prefix)
    for nid, (inputs, _) in ports.items():
        for port in inputs:
            n = counts.get((nid, port.name), 0)
            problems += _port_problems(doc, nid, port, n, prefix, named=len(inputs) > 1)
    return problems


def _bad_ports(doc, e, ports, prefix):
    src, dst = ports.get(e.src), ports.get(e.dst)
    if (src is not None and dst is not None and e.src_port in src[1]
            and any(p.name == e.dst_port for p in dst[0])):
        return []  # the usual case, decided without building the lists of names
    out = []
    for end, port, side in ((e.src, e.src_port, "outputs"), (e.dst, e.dst_port, "inputs")):
        if end not in doc.nodes:
            out.append(Problem(None, f"a wire refers to a missing node '{end}': remove it"))
        elif end in ports:
            inputs, outputs = ports[end]
            names = list(outputs) if side == "outputs" else [p.name for p in inputs]
            if port not in names:
                out.append(Problem(end, f"{label(doc, end, prefix)} has no port '{port}' (its "
                                        f"{side}: {', '.join(names) or 'none'}): reconnect "
                                        "the wire"))
    return out


def _port_problems(doc, nid, port, n, prefix, named=False):
    if (n == 0 and port.optional) or (
            n > 0 and (n >= port.min_wires if port.multi else n == 1)):
        return []  # the usual case, decided before naming the layer
    name = label(doc, nid, prefix)
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


def _reachability(doc, g, prefix, inside):
    inputs = entry_nodes(doc, inside)
    if not inputs:
        if inside:
            return [Problem(None, f"block '{prefix}' has no BlockInput: add one where data "
                                  "enters the block")]
        return [Problem(None, "the design has no Input layer: add an Input and set the shape "
                              "of one sample")] if doc.nodes else []
    reached = reachable(g, inputs)
    fed = {e.dst for e in doc.edges if e.src in doc.nodes}
    entry = "its BlockInputs" if inside else "any Input"
    return [Problem(nid, f"{label(doc, nid, prefix)} is not connected to {entry}: wire it in "
                         "or delete it", "warning")
            for nid in doc.nodes if nid not in reached and nid in fed]
