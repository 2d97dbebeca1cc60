"""Structural validation of a design: types, cycles, wiring and reachability.

Shape and parameter problems come from shape inference (backend/shapes.py), which calls this
module first; nothing here raises for a bad design, it only reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from backend.graph.document import GraphDocument
from backend.graph.model import Edge
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
    return check_structure(doc, cyclic, graph, prefix, inside).problems(doc)


@dataclass
class StructureChecks:
    """A graph's structural problems by what they depend on: a layer's own (unknown type,
    misplaced), a wire's ends, a layer's wire counts per port, and the whole graph's (cycles,
    layers not reached). `recheck` redoes the first three only where an edit touched them."""

    prefix: str
    inside: bool
    unknown: dict[str, list[Problem]] = field(default_factory=dict)
    misplaced: dict[str, list[Problem]] = field(default_factory=dict)
    wires: dict[Edge, list[Problem]] = field(default_factory=dict)  # wires with problems
    ports: dict[str, list[Problem]] = field(default_factory=dict)
    cycles: list[Problem] = field(default_factory=list)
    unreached: list[Problem] = field(default_factory=list)

    def problems(self, doc: GraphDocument) -> list[Problem]:
        """In the order of a whole check: by kind, then document order of layers and wires."""
        out = [p for table in (self.unknown, self.misplaced) if table
               for nid in doc.nodes for p in table.get(nid, ())]
        out += self.cycles
        if self.wires:
            out += [p for e in doc.edges for p in self.wires.get(e, ())]
        if self.ports:
            out += [p for nid in doc.nodes for p in self.ports.get(nid, ())]
        return out + self.unreached

    def recheck(self, doc: GraphDocument, nodes: set[str], edges: set[Edge]) -> None:
        """Check again the layers in `nodes` (their type, title and wire counts) and the
        wires in `edges`; forget layers and wires no longer in `doc`."""
        for table in (self.unknown, self.misplaced, self.ports):
            for nid in [n for n in table if n in nodes or n not in doc.nodes]:
                del table[nid]
        kept = set(doc.edges) if self.wires else set()
        for e in [e for e in self.wires if e in edges or e not in kept]:
            del self.wires[e]
        here = [nid for nid in nodes if nid in doc.nodes]
        for nid in here:
            self._node(doc, nid)
        ports = _ports(doc, set(here) | {end for e in edges for end in (e.src, e.dst)})
        for e in edges:
            self._wire(doc, e, ports)
        self._wire_counts(doc, ports, set(here))

    def whole(self, doc: GraphDocument, cyclic: set[str], g: Successors) -> None:
        """The checks of the whole graph: cycles and reachability."""
        self.cycles = _cycles(doc, cyclic, g, self.prefix)
        self.unreached = _reachability(doc, g, self.prefix, self.inside)

    def _node(self, doc: GraphDocument, nid: str) -> None:
        for table, found in ((self.unknown, _unknown_type(doc, nid, self.prefix)),
                             (self.misplaced, _misplaced(doc, nid, self.prefix, self.inside))):
            if found:
                table[nid] = found

    def _wire(self, doc: GraphDocument, e: Edge, ports: dict) -> None:
        found = _bad_ports(doc, e, ports, self.prefix)
        if found:
            self.wires[e] = found

    def _wire_counts(self, doc: GraphDocument, ports: dict, nodes: set[str] | None) -> None:
        """Wire counts per input port of `nodes` (None: every layer)."""
        counts: dict[tuple[str, str], int] = {}
        for e in doc.edges:
            if (nodes is None or e.dst in nodes) and e.src in doc.nodes:
                counts[(e.dst, e.dst_port)] = counts.get((e.dst, e.dst_port), 0) + 1
        for nid, (inputs, _) in ports.items():
            if nodes is not None and nid not in nodes:
                continue
            found = [p for port in inputs
                     for p in _port_problems(doc, nid, port, counts.get((nid, port.name), 0),
                                             self.prefix, named=len(inputs) > 1)]
            if found:
                self.ports[nid] = found


def check_structure(doc: GraphDocument, cyclic: set[str], graph: Successors | None = None,
                    prefix: str = "", inside: bool = False) -> StructureChecks:
    """Every structural check of `doc` (see `structural_problems`)."""
    g = dependency_graph(doc) if graph is None else graph
    checks = StructureChecks(prefix, inside)
    for nid in doc.nodes:
        checks._node(doc, nid)
    ports = _ports(doc)
    for e in doc.edges:
        checks._wire(doc, e, ports)
    checks._wire_counts(doc, ports, None)
    checks.whole(doc, cyclic, g)
    return checks


def _unknown_type(doc, nid, prefix):
    n = doc.nodes[nid]
    if is_known(n):
        return []
    known = ", ".join(layer_types()[:6])
    return [Problem(nid, f"'{title(doc, nid, prefix)}' has unknown layer type '{n.type}': "
                         f"replace it with a known layer ({known}, ...)")]


def _misplaced(doc, nid, prefix, inside):
    n = doc.nodes[nid]
    if inside and n.type in INPUT_TYPES:
        return [Problem(nid, f"{label(doc, nid, prefix)} is inside a block, where data "
                             "enters through a BlockInput: replace the Input with one")]
    if not inside and n.type in ("BlockInput", "BlockOutput"):
        return [Problem(nid, f"{label(doc, nid, prefix)} belongs inside a block: use an "
                             "Input to start the design, or delete it")]
    return []


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


def _ports(doc, only: set[str] | None = None) -> dict:
    """(input ports, output names) of the layers (of `only`) whose ports are known."""
    nodes = doc.nodes
    ids = nodes if only is None else [nid for nid in only if nid in nodes]
    return {nid: node_ports(doc, nodes[nid]) for nid in ids
            if nodes[nid].type != "Block" and is_known(nodes[nid])
            or definition_of(doc, nodes[nid]) is not None}


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
