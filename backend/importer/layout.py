"""A first arrangement of an imported design (left to right by depth, a row per branch) and
the data and training settings it starts with.

The designer lays imported designs out again with its own auto-layout; this keeps designs
written by the command line readable when opened as they are. `starting_settings` gives an
imported design a dataset and training settings that fit its input and output (as a
template gets them), so it does not open with a dataset it cannot take.
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


def starting_settings(doc: GraphDocument) -> None:
    """Dataset and training sections fitting the design's shapes, where it has none."""
    from backend.templates.defaults import apply_defaults

    try:
        apply_defaults(doc.name, doc)
    except Exception:  # settings are a convenience: the design itself is what was imported
        pass
