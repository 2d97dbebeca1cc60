"""Designs the canvas and window benchmarks open, beside LeNet-5 as the reference.

`densenet121_flat()` is the full-size DenseNet-121 template with every block ungrouped
(nested blocks too): 428 plain layers and 485 wires, the size a user gets after expanding it
entirely. Positions come from the canvas's own auto-layout, as after Auto-layout (Ctrl+L).
"""

from __future__ import annotations

from backend.graph import BLOCK, GraphDocument, Move, Ungroup
from backend.templates import make_template


def laid_out(doc: GraphDocument) -> GraphDocument:
    from designer.canvas.layout import layered_positions

    doc.apply(Move(tuple(layered_positions(doc).items())))
    return doc


def expanded(doc: GraphDocument) -> GraphDocument:
    """The design with every block (and block inside a block) ungrouped."""
    while True:
        blocks = [nid for nid, node in doc.nodes.items() if node.type == BLOCK]
        if not blocks:
            return doc
        for nid in blocks:
            doc.apply(Ungroup(nid))


def densenet121_flat() -> GraphDocument:
    doc = laid_out(expanded(make_template("densenet121")))
    doc.name = "DenseNet-121 (expanded)"
    return doc


def lenet5() -> GraphDocument:
    return laid_out(make_template("lenet5"))
