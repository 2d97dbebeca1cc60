"""Layout that teaches: inception branches side by side in their own lanes, and no wire
drawn through a layer (a skip connection goes around the path it skips)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from test_canvas_helpers import make_view

from backend.graph import Move
from backend.templates import make_template
from designer.canvas import style as st
from designer.canvas.layout import layered_positions
from designer.canvas.wire_item import crosses


def laid_out(name: str):
    doc = make_template(name)
    doc.apply(Move(tuple(layered_positions(doc, aspect=1.6).items())))
    return doc


def test_the_branches_of_an_inception_module_keep_their_own_lanes():
    doc = laid_out("inception")
    y = {nid: node.pos[1] for nid, node in doc.nodes.items()}
    branches = [["i3a_1x1_1", "i3a_relu1_1"],
                ["i3a_3x3r_1", "i3a_relu3r_1", "i3a_3x3_1", "i3a_relu3_1"],
                ["i3a_5x5r_1", "i3a_relu5r_1", "i3a_5x5_1", "i3a_relu5_1"],
                ["i3a_pool_1", "i3a_proj_1", "i3a_relup_1"]]
    lanes = []
    for branch in branches:
        assert len({y[n] for n in branch}) == 1, branch  # a branch stays on its lane
        lanes.append(y[branch[0]])
    assert lanes == sorted(lanes) and len(set(lanes)) == 4  # side by side, in order
    assert lanes[0] < y["i3a_concat_1"] < lanes[-1]  # the merge between them
    x = {nid: node.pos[0] for nid, node in doc.nodes.items()}
    assert len({x[b[0]] for b in branches}) == 1  # the branches start together


@pytest.mark.parametrize("name", ["resnet", "inception", "densenet", "squeezenet"])
def test_no_wire_runs_through_a_layer(qtbot, name):
    editor, view = make_view(qtbot, laid_out(name))
    rects = {nid: QRectF(item.pos().x(), item.pos().y(), st.NODE_W, st.NODE_H)
             for nid, item in view.canvas.nodes.items()}
    for edge, wire in view.canvas.wires.items():
        others = [r for nid, r in rects.items() if nid not in (edge.src, edge.dst)]
        assert not crosses(wire.path(), others, step=4), f"{edge} runs through a layer"
    if name == "resnet":  # the skip goes around the block it skips, above it
        skip = view.canvas.wires[next(e for e in editor.doc.edges
                                      if e.src == "stem_relu_1" and e.dst == "b1_add_1")]
        assert skip.path().boundingRect().top() < rects["b1_conv1_1"].top()
