"""Auto-layout: layered, left to right, one column per networkx topological generation.

Within a column nodes are ordered by the mean row of the nodes feeding them (barycentre), so
branches stay beside each other and wires cross less. Cycles are collapsed first, so a design
with a loop still gets a layout. The result keeps the design where it was on the canvas.
"""

from __future__ import annotations

from backend.graph import GraphDocument
from backend.graph.traverse import to_networkx
from designer.canvas import style as st


def _columns(doc: GraphDocument) -> list[list[str]]:
    import networkx as nx  # only when a layout is asked for, not at start-up

    g = nx.DiGraph(to_networkx(doc))
    cond = nx.condensation(g)
    order = {nid: i for i, nid in enumerate(doc.nodes)}
    columns: list[list[str]] = []
    for generation in nx.topological_generations(cond):
        col = [nid for comp in generation for nid in cond.nodes[comp]["members"]]
        columns.append(sorted(col, key=order.__getitem__))
    return columns


def _order_by_barycentre(doc: GraphDocument, columns: list[list[str]]) -> None:
    row: dict[str, float] = {}
    preds: dict[str, list[str]] = {nid: [] for nid in doc.nodes}
    for e in doc.edges:
        if e.dst in preds and e.src in doc.nodes:
            preds[e.dst].append(e.src)
    for c, col in enumerate(columns):
        if c > 0:
            place = {nid: i for i, nid in enumerate(col)}

            def key(nid: str, place=place) -> tuple[float, int]:
                known = [row[p] for p in preds[nid] if p in row]
                return (sum(known) / len(known) if known else float("inf"), place[nid])
            col.sort(key=key)
        for i, nid in enumerate(col):
            row[nid] = i - (len(col) - 1) / 2


def layered_positions(doc: GraphDocument) -> dict[str, tuple[float, float]]:
    """New top-left positions for every node, anchored where the design already is."""
    if not doc.nodes:
        return {}
    columns = _columns(doc)
    _order_by_barycentre(doc, columns)
    xs = [n.pos[0] for n in doc.nodes.values()]
    ys = [n.pos[1] for n in doc.nodes.values()]
    x0 = round(min(xs) / st.GRID) * st.GRID
    y0 = round((sum(ys) / len(ys)) / st.GRID) * st.GRID
    result = {}
    for c, col in enumerate(columns):
        for i, nid in enumerate(col):
            offset = (i - (len(col) - 1) / 2) * st.ROW_STEP
            result[nid] = (x0 + c * st.COL_STEP, y0 + round(offset / st.GRID) * st.GRID)
    return result
