"""Design warnings that teach: patterns that build and train but do not do what they seem to.

`design_warnings(doc, analysis)` returns warnings (never errors) naming the node with the fix:
today, Dense layers stacked with no activation between them, which collapse into one linear
map (W₂·(W₁x + b₁) + b₂ = W x + b), so the second adds parameters but no expressive power.
Layers that pass values on linearly (Identity, Dropout, Flatten, Reshape, GaussianNoise)
do not break the chain; an activation, normalisation, pooling or merge does. The warning's
fix inserts a ReLU before the second Dense (one undo step).
"""

from __future__ import annotations

from functools import partial

from backend.graph.document import GraphDocument
from backend.graph.problems import Fix, Problem
from backend.graph.validate import label, title

LINEAR_PASS = {"Identity", "Dropout", "Flatten", "Reshape", "GaussianNoise"}


def _sources(doc: GraphDocument) -> dict[str, list[str]]:
    """node id -> the ids wired into it (one pass over the wires)."""
    into: dict[str, list[str]] = {}
    for e in doc.edges:
        if e.src in doc.nodes:
            into.setdefault(e.dst, []).append(e.src)
    return into


def _linear_parent(doc: GraphDocument, into: dict[str, list[str]],
                   node_id: str) -> tuple[str, list[str]] | None:
    """The Dense that feeds `node_id` through linear pass-through layers only, and those."""
    def single(nid: str) -> str | None:
        sources = into.get(nid, [])
        return sources[0] if len(sources) == 1 else None

    between, current = [], single(node_id)
    while current is not None and current not in between:
        kind = doc.nodes[current].type
        if kind == "Dense":
            return current, between
        if kind not in LINEAR_PASS:
            return None
        between.append(current)
        current = single(current)
    return None


def stacked_dense(doc: GraphDocument, analysis, into: dict | None = None,
                  only=None) -> dict[str, list[Problem]]:
    """The warning of each Dense (of `only`) stacked on another, by node; `into` maps a layer
    to the layers wired into it (built from the wires if not given)."""
    into = _sources(doc) if into is None else into
    found = {}
    for nid in doc.nodes if only is None else only:
        node = doc.nodes.get(nid)
        if node is None or node.type != "Dense" or nid not in analysis.shapes:
            continue
        parent = _linear_parent(doc, into, nid)
        if parent is not None:
            found[nid] = [_stacked(doc, nid, *parent)]
    return found


def _stacked(doc: GraphDocument, nid: str, first: str, between: list[str]) -> Problem:
    via = (" (through " + ", ".join(label(doc, b) for b in between[::-1]) + ")") if between \
        else ""
    return Problem(nid, (
        f"{label(doc, nid)} follows {label(doc, first)} with no activation between them"
        f"{via}: two linear layers collapse into one linear map, so the second adds "
        "parameters but no expressive power. Insert an activation (e.g. ReLU) between "
        "them, or remove one"), "warning", fix=Fix(
            f"Insert a ReLU before '{title(doc, nid)}'", partial(_insert_relu, node=nid)))


def affected(doc: GraphDocument, succ: dict[str, set[str]], touched: set[str]) -> set[str]:
    """The Dense layers whose warning an edit of the `touched` layers (their type, title,
    wires or shape) can change: those layers, and the Dense layers they feed through layers
    that pass values on linearly."""
    found, seen = set(), set(touched)
    stack = [nid for nid in touched if nid in doc.nodes]
    starts = set(stack)
    while stack:
        nid = stack.pop()
        kind = doc.nodes[nid].type
        if kind == "Dense":
            found.add(nid)
        if nid in starts or kind in LINEAR_PASS:
            for nxt in succ.get(nid, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
    return found


def _insert_relu(doc: GraphDocument, node: str):
    from backend.graph.splice import insert_before

    return insert_before(doc, node, "ReLU")


def design_warnings(doc: GraphDocument, analysis) -> list[Problem]:
    return in_order(doc, stacked_dense(doc, analysis))


def in_order(doc: GraphDocument, by_node: dict[str, list[Problem]]) -> list[Problem]:
    """Warnings by node as one list in document order."""
    return [p for nid in doc.nodes for p in by_node.get(nid, ())] if by_node else []
