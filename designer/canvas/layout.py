"""Auto-layout: layered, left to right, one column per networkx topological generation.

Rows are lanes: a node takes the mean row of the nodes feeding it, so a chain keeps its lane,
the branches that fan out of one layer (an inception module's 1×1, 3×3, 5×5 and pooling
branches) are spread side by side around it and keep their lanes to the merge, and a merge
sits between its branches. Nodes that want the same row in a column are pushed apart in
order, then the column is centred on what they wanted. A skip connection shares its lane
with the path it skips; the canvas routes its wire around that path (wire_item.detour).
Blocks are single nodes here, so a block is laid out as a unit; inside a block its own graph
is laid out the same way. Cycles are collapsed first, so a design with a loop still gets a
layout. A long design wraps into bands of columns, one band under the
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


def assign_rows(doc: GraphDocument, columns: list[list[str]]) -> dict[str, float]:
    """Each node's row (lane), column by column; sorts every column top to bottom."""
    row: dict[str, float] = {}
    preds: dict[str, list[str]] = {nid: [] for nid in doc.nodes}
    for e in doc.edges:
        if e.dst in preds and e.src in doc.nodes and e.src not in preds[e.dst]:
            preds[e.dst].append(e.src)
    for col in columns:
        place = {nid: i for i, nid in enumerate(col)}
        wanted = {}
        for nid in col:
            known = [row[p] for p in preds[nid] if p in row]
            wanted[nid] = sum(known) / len(known) if known else None
        free = [n for n in col if wanted[n] is None]
        fed = sorted((n for n in col if wanted[n] is not None),
                     key=lambda n: (wanted[n], place[n]))
        row.update(_spread(fed, wanted))
        bottom = max((row[n] for n in fed), default=-1.0)
        row.update({n: bottom + 1 + k for k, n in enumerate(free)})
        col.sort(key=row.__getitem__)
    return row


def _spread(nodes: list[str], wanted: dict[str, float]) -> dict[str, float]:
    """Rows at least one apart, in order, as near as possible to the wanted ones (the
    group that had to be pushed apart is centred on what its members wanted)."""
    out: dict[str, float] = {}
    group: list[str] = []
    for nid in nodes:
        if group and wanted[nid] < out[group[-1]] + 1:
            group.append(nid)
        else:
            group = [nid]
        start = sum(wanted[n] - k for k, n in enumerate(group)) / len(group)
        if len(group) > 1:
            prev = [out[n] for n in nodes[:nodes.index(group[0])] if n in out]
            start = max(start, prev[-1] + 1) if prev else start
        for k, n in enumerate(group):
            out[n] = start + k
    return out


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
    rows = assign_rows(doc, columns)
    xs = [n.pos[0] for n in doc.nodes.values()]
    ys = [n.pos[1] for n in doc.nodes.values()]
    x0 = round(min(xs) / st.GRID) * st.GRID
    y0 = round((sum(ys) / len(ys)) / st.GRID) * st.GRID
    top, bottom = min(rows.values()), max(rows.values())
    tallest = int(round(bottom - top)) + 1
    starts = _band_starts(doc, columns, columns_per_band(len(columns), tallest, aspect))
    band_h = tallest * st.ROW_STEP + BAND_GAP
    result = {}
    for c, col in enumerate(columns):
        band = max(i for i, first in enumerate(starts) if first <= c)
        for nid in col:
            offset = (rows[nid] - (top + bottom) / 2) * st.ROW_STEP + band * band_h
            x = x0 + (c - starts[band]) * st.COL_STEP
            result[nid] = (x, y0 + round(offset / st.GRID) * st.GRID)
    return result


def wrapped_positions(doc: GraphDocument, aspect: float = ASPECT
                      ) -> dict[str, tuple[float, float]] | None:
    """The auto-layout when it wraps the design into several bands, else None."""
    positions = layered_positions(doc, aspect)
    wrapped = len({x for x, _y in positions.values()}) < len(_columns(doc))
    return positions if wrapped else None
