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
    return sub


def declared_roles(doc: GraphDocument) -> dict[str, str]:
    """role -> Input id from the `networks` section (entries naming no Input are ignored)."""
    section = doc.sections.get(SECTION) or {}
    inputs = set(model_inputs(doc))
    return {role: nid for role, nid in section.items()
            if role in ROLES and isinstance(nid, str) and nid in inputs}


def gan_roles(doc: GraphDocument, analysis) -> dict[str, list[str]] | None:
    """{"generator": node ids, "discriminator": node ids} for a two-network design, else None.

    Declared roles win; otherwise the network whose output has the other's input shape is
    the generator (and the other ends in one score)."""
    groups = [g for g in components(doc) if len(ends(doc, g)[0]) == 1]
    if len(groups) != 2:
        return None
    declared = declared_roles(doc)
    by_input = {ends(doc, g)[0][0]: g for g in groups}
    if "generator" in declared or "discriminator" in declared:
        gen_input = declared.get("generator") or next(
            i for i in by_input if i != declared["discriminator"])
        disc = next(g for i, g in by_input.items() if i != gen_input)
        return {"generator": by_input[gen_input], "discriminator": disc}
    a, b = groups
    if _feeds(doc, analysis, a, b) and not _feeds(doc, analysis, b, a):
        return {"generator": a, "discriminator": b}
    if _feeds(doc, analysis, b, a) and not _feeds(doc, analysis, a, b):
        return {"generator": b, "discriminator": a}
    return None


def _feeds(doc, analysis, gen: list[str], disc: list[str]) -> bool:
    """Does `gen`'s single output fit `disc`'s input, and does `disc` end in one score?"""
    g_in, g_out = ends(doc, gen)
    d_in, d_out = ends(doc, disc)
    if len(g_out) != 1 or len(d_out) != 1:
        return False
    shapes = analysis.shapes
    out, want, score = shapes.get(g_out[0]), shapes.get(d_in[0]), shapes.get(d_out[0])
    return out is not None and out == want and score is not None and math.prod(score) == 1


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
    """The layer with the fewest output values (the code of an autoencoder): the first of
    equals, never an Input or an output."""
    outputs = set(model_outputs(doc))
    best, size = None, math.inf
    for nid in within or list(doc.nodes):
        shape = analysis.shapes.get(nid)
        if shape is None or doc.nodes[nid].type == "Input" or nid in outputs:
            continue
        if math.prod(shape) < size:
            best, size = nid, math.prod(shape)
    return best


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
