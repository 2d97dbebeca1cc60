"""The networks inside one design, and the parts of one network.

A design may hold several networks: each connected group of nodes that starts at an Input is
one (a GAN draws its generator and its discriminator side by side). The `networks` section
names their roles by Input node id, `{"generator": "noise_1", "discriminator": "image_1"}`;
without it, roles are inferred from shapes (`gan_roles`). Within one network, a code node
splits an autoencoder into encoder (everything up to the code) and decoder (everything
after it) when no wire bypasses the code (`split_at`).

Sub-designs (`subdesign`) keep the full design's attribute names as their titles, so a
network built or exported on its own has the same state_dict keys as inside the whole.
"""

from __future__ import annotations

import math

from backend.graph.document import GraphDocument
from backend.graph.model import Node
from backend.graph.naming import attribute_names
from backend.graph.traverse import dependency_graph, model_inputs, model_outputs, reachable

ROLES = ("generator", "discriminator")
SECTION = "networks"
PASS_THROUGH = ("Reshape", "Flatten", "Identity")


def components(doc: GraphDocument) -> list[list[str]]:
    """Node ids of each connected group that holds an Input, in document order."""
    neighbours: dict[str, set[str]] = {nid: set() for nid in doc.nodes}
    for e in doc.edges:
        if e.src in neighbours and e.dst in neighbours:
            neighbours[e.src].add(e.dst)
            neighbours[e.dst].add(e.src)
    seen: set[str] = set()
    groups = []
    for nid in model_inputs(doc):
        if nid in seen:
            continue
        group = reachable(neighbours, [nid])
        seen |= group
        groups.append([n for n in doc.nodes if n in group])
    return groups


def component_of(doc: GraphDocument, node_id: str) -> list[str] | None:
    return next((g for g in components(doc) if node_id in g), None)


def ends(doc: GraphDocument, group: list[str]) -> tuple[list[str], list[str]]:
    """(Input ids, output ids) of one component."""
    inside = set(group)
    return ([n for n in model_inputs(doc) if n in inside],
            [n for n in model_outputs(doc) if n in inside])


def subdesign(doc: GraphDocument, node_ids, name: str) -> GraphDocument:
    """A design of just these nodes and the wires between them, titled by attribute name."""
    keep = set(node_ids)
    names = attribute_names(doc)
    sub = GraphDocument(name)
    for nid, node in doc.nodes.items():
        if nid in keep:
            sub.nodes[nid] = Node(nid, node.type, dict(node.params), names[nid], node.pos)
    sub.edges = [e for e in doc.edges if e.src in keep and e.dst in keep]
    sub.blocks = {k: d.copy() for k, d in doc.root.blocks.items()}  # the block definitions
    for definition in sub.blocks.values():
        definition.graph.owner = sub
    return sub


def declared_roles(doc: GraphDocument) -> dict[str, str]:
    """role -> Input id from the `networks` section (entries naming no Input are ignored)."""
    section = doc.sections.get(SECTION) or {}
    inputs = set(model_inputs(doc))
    return {role: nid for role, nid in section.items()
            if role in ROLES and isinstance(nid, str) and nid in inputs}


def gan_roles(doc: GraphDocument, analysis) -> dict[str, list[str]] | None:
    """{"generator": node ids, "discriminator": node ids} for a design of two networks with
    one Input each, else None. Declared roles win; otherwise the network that ends in one
    value per sample is the discriminator. The shapes are not checked here."""
    if len(model_inputs(doc)) != 2:  # two networks of one Input each hold two Inputs
        return None
    found = components(doc)
    groups = [g for g in found if len(ends(doc, g)[0]) == 1]
    if len(groups) != 2 or len(found) != 2:
        return None
    by_input = {ends(doc, g)[0][0]: g for g in groups}
    declared = declared_roles(doc)
    if declared:
        role, nid = next(iter(declared.items()))
        other = next(g for i, g in by_input.items() if i != nid)
        mine = by_input[nid]
        gen, disc = (mine, other) if role == "generator" else (other, mine)
        return {"generator": gen, "discriminator": disc}
    scores = [g for g in groups if _one_score(doc, analysis, g)]
    if len(scores) != 1:
        return None
    disc = scores[0]
    return {"generator": next(g for g in groups if g is not disc), "discriminator": disc}


def _one_score(doc, analysis, group: list[str]) -> bool:
    outs = ends(doc, group)[1]
    shape = analysis.shapes.get(outs[0]) if len(outs) == 1 else None
    return shape is not None and math.prod(shape) == 1


def upstream(doc: GraphDocument, node_id: str) -> set[str]:
    """The node and everything it depends on."""
    preds: dict[str, set[str]] = {nid: set() for nid in doc.nodes}
    for e in doc.edges:
        if e.src in preds and e.dst in preds:
            preds[e.dst].add(e.src)
    return reachable(preds, [node_id])


def downstream(doc: GraphDocument, node_id: str) -> set[str]:
    """The node and everything that depends on it."""
    return reachable(dependency_graph(doc), [node_id])


def split_at(doc: GraphDocument, code: str) -> tuple[list[str], list[str]] | None:
    """(encoder ids up to and including `code`, decoder ids after it), or None when a wire
    bypasses the code (a U-Net skip) or a node is on neither side."""
    before, after = upstream(doc, code), downstream(doc, code) - {code}
    if before & after or len(before) + len(after) != len(doc.nodes):
        return None
    for e in doc.edges:
        if e.dst in after and e.src not in after and e.src != code:
            return None
    order = list(doc.nodes)
    return [n for n in order if n in before], [n for n in order if n in after]


def narrowest(doc: GraphDocument, analysis, within: list[str] | None = None) -> str | None:
    """The code of an autoencoder: the layer with the fewest output values among those the
    network widens again after (the decoder), the first of equals, followed through the
    activation right after it (the code is what the decoder gets). Never an Input, an
    output or a Reshape/Flatten/Identity; None when no layer qualifies."""
    from backend.layers import get_spec

    outputs = set(model_outputs(doc))
    sizes = {nid: math.prod(s) for nid, s in analysis.shapes.items() if s is not None}
    widest_after = _widest_after(doc, sizes)
    best, size = None, math.inf
    for nid in within or list(doc.nodes):
        if nid not in sizes or doc.nodes[nid].type in ("Input", *PASS_THROUGH) \
                or nid in outputs:
            continue
        if widest_after.get(nid, 0) > sizes[nid] and sizes[nid] < size:
            best, size = nid, sizes[nid]
    while best is not None:
        after = doc.out_edges(best)
        nxt = after[0].dst if len(after) == 1 else None
        spec = get_spec(doc.nodes[nxt].type) if nxt else None
        if spec is None or spec.category != "activation" or nxt in outputs \
                or analysis.shapes.get(nxt) != analysis.shapes.get(best):
            break
        best = nxt
    return best


def _widest_after(doc: GraphDocument, sizes: dict[str, int]) -> dict[str, int]:
    """node -> the largest output size among everything downstream of it (one pass, in
    reverse topological order)."""
    from backend.graph.traverse import topological_order

    succ = dependency_graph(doc)
    order, _ = topological_order(doc, succ)
    widest: dict[str, int] = {}
    for nid in reversed(order):
        widest[nid] = max((max(sizes.get(n, 0), widest.get(n, 0)) for n in succ[nid]),
                          default=0)
    return widest


def last_transform(doc: GraphDocument, node_id: str) -> str:
    """The node id of the last layer that changes values, skipping Reshape/Flatten/Identity."""
    seen = set()
    while doc.nodes[node_id].type in PASS_THROUGH and node_id not in seen:
        seen.add(node_id)
        sources = doc.in_edges(node_id)
        if not sources:
            break
        node_id = sources[0].src
    return node_id


def with_input(doc: GraphDocument, code: str, shape, name: str) -> GraphDocument:
    """The decoder after `code` as a design of its own: an Input of the code's shape (same
    id and attribute name as the code node) feeding everything downstream of it."""
    split = split_at(doc, code)
    if split is None:
        raise ValueError("the network has wires that bypass its code layer")
    sub = subdesign(doc, [code, *split[1]], name)
    title = sub.nodes[code].title
    sub.nodes[code] = Node(code, "Input", {"shape": list(shape)}, title, doc.nodes[code].pos)
    return sub
