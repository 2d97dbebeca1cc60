"""The overview of a big design: drawn with arrays, it shows what the painter would, and an
edit draws it once."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, QRectF
from test_canvas_helpers import analysed, make_view

from backend.graph import AddNode, Edge, GraphDocument, Node
from designer.canvas import overview as overview_module
from designer.canvas import style as st

LAYERS = 600  # above overview.RASTER_FROM


def grid_chain() -> GraphDocument:
    """Input, then Dense and ReLU in turn, 30 to a row."""
    doc = GraphDocument("grid")
    doc.nodes["in"] = Node("in", "Input", {"shape": [8]}, "in", (0.0, 0.0))
    prev = "in"
    for i in range(1, LAYERS):
        nid = f"n{i}"
        kind, params = ("Dense", {"units": 8}) if i % 2 else ("ReLU", {})
        doc.nodes[nid] = Node(nid, kind, params, nid, (i % 30 * 200.0, i // 30 * 150.0))
        doc.edges.append(Edge(prev, nid))
        prev = nid
    return doc


@pytest.fixture
def big_view(qtbot):
    assert LAYERS >= overview_module.RASTER_FROM
    editor, view = make_view(qtbot, grid_chain())
    editor.reanalyse()
    view.set_zoom(2.0)
    view.center_on_node("in")
    view.overview.measure()
    assert view.overview.isVisible()
    return editor, view


def colours_at_layers(view) -> dict[str, str]:
    """The overview's picture's colour at the centre of each layer's box (the picture, not the
    widget: the widget tints the part in view)."""
    view.overview.picture = overview_module.QPixmap()
    view.overview.grab()
    image = view.overview.picture.toImage()
    found = {}
    for nid, node in view.canvas.doc.nodes.items():
        box = QRectF(QPointF(*node.pos), QPointF(node.pos[0] + st.NODE_W,
                                                 node.pos[1] + st.NODE_H))
        centre = view.overview.to_widget(box).center().toPoint()
        found[nid] = image.pixelColor(centre).name()
    return found


def test_every_layer_shows_in_its_colour_and_a_problem_in_the_problem_colour(big_view, qtbot):
    editor, view = big_view
    editor.push(AddNode(Node("lone", "Conv2d", {}, "lone", (0.0, 20 * 150.0 + 150.0))),
                "Add Conv2d")
    analysed(qtbot, editor)  # the lone layer has no input: an error
    view.overview.measure()
    drawn = colours_at_layers(view)
    style = view.canvas.style
    assert drawn["lone"] == style.problem.name()
    for nid, item in view.canvas.nodes.items():
        if nid != "lone":
            assert drawn[nid] == st.category_accent(item.category).name(), nid
    wire = sum(1 for x in range(view.overview.width()) for y in range(view.overview.height())
               if view.overview.picture.toImage().pixelColor(x, y).name() == style.wire.name())
    assert wire > 0  # the wires back to the start of each row show between the rows


def test_arrays_and_painter_agree_on_each_layer(big_view, monkeypatch):
    _, view = big_view
    by_arrays = colours_at_layers(view)
    monkeypatch.setattr(overview_module, "RASTER_FROM", 10 * LAYERS)
    assert colours_at_layers(view) == by_arrays


def test_an_edit_draws_the_overview_once_with_its_result(big_view, qtbot, monkeypatch):
    editor, view = big_view
    view.overview.grab()
    drawn = []
    render = view.overview._render
    monkeypatch.setattr(view.overview, "_render", lambda: (drawn.append(1), render()))
    editor.push(AddNode(Node("lone", "Conv2d", {}, "lone", (0.0, 20 * 150.0 + 150.0))),
                "Add Conv2d")
    analysed(qtbot, editor)
    qtbot.wait(150)  # past the overview's re-measure
    view.overview.grab()
    image = view.overview.picture.toImage()
    assert len(drawn) == 1
    box = QRectF(0.0, 3150.0, st.NODE_W, st.NODE_H)
    centre = view.overview.to_widget(box).center().toPoint()
    assert image.pixelColor(centre).name() == view.canvas.style.problem.name()
