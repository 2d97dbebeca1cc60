"""A first arrangement of an imported design: left to right by depth, a row per branch.

The designer lays imported designs out again with its own auto-layout; this keeps designs
written by the command line readable when opened as they are.
"""

from __future__ import annotations

from backend.graph.document import GraphDocument

X_STEP, Y_STEP = 240.0, 150.0


def layout(doc: GraphDocument) -> None:
    """Left to right by depth, one row per branch (the canvas can auto-layout later)."""
    depth: dict[str, int] = {}
    rows: dict[int, int] = {}
    parents: dict[str, list[str]] = {nid: [] for nid in doc.nodes}
    for e in doc.edges:
        parents[e.dst].append(e.src)
    for nid in doc.nodes:  # fx order is topological
        depth[nid] = 1 + max((depth[p] for p in parents[nid]), default=-1)
        row = rows.get(depth[nid], 0)
        rows[depth[nid]] = row + 1
        doc.nodes[nid].pos = (depth[nid] * X_STEP, row * Y_STEP)
