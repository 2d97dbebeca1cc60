"""Layout helpers for templates with branches: parallel paths on their own rows, merges after.

A template calls `branch` once per parallel path (each path on its own row, all starting in
the column after the node they split from) and `merge` to join them in the next free column.
Nodes within one row never overlap, so the canvas shows the block the way a textbook draws it.
"""

from __future__ import annotations

from backend.templates.builder import X_STEP, Y_STEP, DesignBuilder

Layer = tuple  # (kind, title, {params})


def col_of(b: DesignBuilder, nid: str) -> float:
    return b.doc.nodes[nid].pos[0] / X_STEP


def row_of(b: DesignBuilder, nid: str) -> float:
    return b.doc.nodes[nid].pos[1] / Y_STEP


def branch(b: DesignBuilder, after: str, row: float, layers: list[Layer]) -> str:
    """A chain of layers fed by `after`, laid out on `row`; returns the last node's id."""
    last, col = after, col_of(b, after) + 1
    for kind, title, params in layers:
        last = b.add(kind, title, after=last, row=row, col=col, **params)
        col += 1
    return last


def merge(b: DesignBuilder, kind: str, title: str, ends: list[str], row: float | None = None,
          **params) -> str:
    """Join branch ends with a merge layer in the column after the longest branch."""
    col = max(col_of(b, e) for e in ends) + 1
    row = row_of(b, ends[0]) if row is None else row
    return b.add(kind, title, after=ends, row=row, col=col, **params)


def chain(b: DesignBuilder, layers: list[Layer], row: float | None = None) -> str:
    """Continue from the last node on its row (or on `row`)."""
    for kind, title, params in layers:
        last_row = row if row is not None else (row_of(b, b.last) if b.last else 0.0)
        start = col_of(b, b.last) + 1 if b.last else 0.0
        b.add(kind, title, row=last_row, col=start, **params)
    return b.last
