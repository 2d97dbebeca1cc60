"""A problem's mechanical fix is one invertible op: applying it and undoing it is exact."""

from backend.graph import Edge, GraphDocument, Node, SetParams
from backend.graph.problems import Fix, Problem


def _doc() -> GraphDocument:
    doc = GraphDocument("d")
    doc.nodes["in"] = Node("in", "Input", {"shape": [1, 28, 28]}, "in", (0.0, 0.0))
    doc.nodes["fc"] = Node("fc", "Dense", {"units": 10}, "fc", (200.0, 0.0))
    doc.edges = [Edge("in", "fc")]
    return doc


def test_a_fix_applies_its_op_and_the_inverse_restores_the_design():
    doc = _doc()
    before = doc.snapshot()
    fix = Fix("Set the Input shape to [1, 8, 8]", SetParams("in", {"shape": [1, 8, 8]}))
    inverse = doc.apply(fix.make_op(doc))
    assert doc.nodes["in"].params["shape"] == [1, 8, 8]
    doc.apply(inverse)
    assert doc.snapshot() == before


def test_a_fix_may_build_its_op_when_asked():
    doc = _doc()
    fix = Fix("Set the units to 3", lambda d: SetParams("fc", {**d.nodes["fc"].params,
                                                               "units": 3}))
    doc.apply(fix.make_op(doc))
    assert doc.nodes["fc"].params["units"] == 3


def test_problems_compare_and_serialise_by_their_words():
    fix = Fix("Set the units to 3", SetParams("fc", {"units": 3}))
    with_fix = Problem("fc", "wrong units", fix=fix)
    assert with_fix == Problem("fc", "wrong units")
    assert with_fix.to_json()["fix"] == "Set the units to 3"
    assert "fix" not in Problem("fc", "wrong units").to_json()
