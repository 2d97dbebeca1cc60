"""Auto-layout: layered, left to right, one column per networkx topological generation.

Within a column nodes are ordered by the mean row of the nodes feeding them (barycentre), so
branches stay beside each other and wires cross less. Cycles are collapsed first, so a design
with a loop still gets a layout. A long design wraps into bands of columns, one band under the
other (like lines of text), so that the whole of it is about as wide as the canvas is: LeNet-5
then reads at full size instead of as one thin row. The result keeps the design where it was.
"""

from __future__ import annotations

import math

from backend.graph import GraphDocument
from backend.graph.traverse import to_networkx
from designer.canvas import style as st

ASPECT = 1.6  # a typical canvas: wider than tall
MIN_WRAP = 6  # designs this long or shorter stay on one band
MIN_PER_BAND = 3  # never wrap into bands thinner than this
BAND_GAP = 60.0  # extra room between bands, where the wire back to the left runs


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


def columns_per_band(n_columns: int, tallest: int, aspect: float = ASPECT) -> int:
    """How many columns one band holds so the layout's width/height is nearest `aspect`."""
    if n_columns <= MIN_WRAP:
        return max(1, n_columns)
    best, best_score = n_columns, float("inf")
    for bands in range(1, n_columns // MIN_PER_BAND + 1):
        per_band = math.ceil(n_columns / bands)
        width = per_band * st.COL_STEP
        height = bands * tallest * st.ROW_STEP + (bands - 1) * BAND_GAP
        score = abs(math.log(width / height / aspect))
        if score < best_score - 1e-9:
            best, best_score = per_band, score
    return best


def _band_starts(doc: GraphDocument, columns: list[list[str]], per_band: int) -> list[int]:
    """First column of each band. A band may only end where one wire crosses to the next
    column (a chain link), so no block of parallel branches is ever cut in two."""
    col_of = {nid: c for c, col in enumerate(columns) for nid in col}
    crossing = [0] * len(columns)  # crossing[c]: wires from columns <= c into columns > c
    for e in doc.edges:
        a, b = col_of.get(e.src), col_of.get(e.dst)
        if a is not None and b is not None and a < b:
            for c in range(a, b):
                crossing[c] += 1
    starts, start = [0], 0
    while len(columns) - start > per_band:
        ends = [c for c in range(start + MIN_PER_BAND - 1, len(columns) - 1) if crossing[c] <= 1]
        if not ends:
            break
        within = [c for c in ends if c <= start + per_band - 1]
        start = (within[-1] if within else ends[0]) + 1
        starts.append(start)
    return starts


def layered_positions(doc: GraphDocument, aspect: float = ASPECT
                      ) -> dict[str, tuple[float, float]]:
    """New top-left positions for every node, anchored where the design already is.

    `aspect` is the width/height the whole layout should have (the canvas's, when known).
    """
    if not doc.nodes:
        return {}
    columns = _columns(doc)
    _order_by_barycentre(doc, columns)
    xs = [n.pos[0] for n in doc.nodes.values()]
    ys = [n.pos[1] for n in doc.nodes.values()]
    x0 = round(min(xs) / st.GRID) * st.GRID
    y0 = round((sum(ys) / len(ys)) / st.GRID) * st.GRID
    tallest = max(len(col) for col in columns)
    starts = _band_starts(doc, columns, columns_per_band(len(columns), tallest, aspect))
    band_h = tallest * st.ROW_STEP + BAND_GAP
    result = {}
    for c, col in enumerate(columns):
        band = max(i for i, first in enumerate(starts) if first <= c)
        for i, nid in enumerate(col):
            offset = (i - (len(col) - 1) / 2) * st.ROW_STEP + band * band_h
            x = x0 + (c - starts[band]) * st.COL_STEP
            result[nid] = (x, y0 + round(offset / st.GRID) * st.GRID)
    return result


def wrapped_positions(doc: GraphDocument, aspect: float = ASPECT
                      ) -> dict[str, tuple[float, float]] | None:
    """The auto-layout when it wraps the design into several bands, else None."""
    positions = layered_positions(doc, aspect)
    wrapped = len({x for x, _y in positions.values()}) < len(_columns(doc))
    return positions if wrapped else None
