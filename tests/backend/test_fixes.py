"""Mechanical fixes: each problem that has one offers it, and applying it cures the problem.

Every case builds a small broken design, takes the fix analysis attached to the problem,
applies it as one edit, and checks the problem is gone and that undo restores the file.
"""

from __future__ import annotations

import pytest

from backend.graph import Edge, GraphDocument, Node
from backend.layers import get_spec
from backend.project import dumps
from backend.shapes import analyse


def design(*layers, edges=None, shape=(1, 8, 8), dtype="float32") -> GraphDocument:
    """Input 'x' then `layers` ((id, type, params), ...) in a chain unless `edges` given."""
    doc = GraphDocument("t")
    doc.nodes["x"] = Node("x", "Input", {"shape": list(shape), "dtype": dtype}, "x")
    for i, (nid, kind, params) in enumerate(layers, start=1):
        doc.nodes[nid] = Node(nid, kind, dict(params), nid, (260.0 * i, 0.0))
    ids = list(doc.nodes)
    doc.edges = [Edge(a, b) for a, b in (edges or zip(ids, ids[1:], strict=False))]
    return doc


def apply_fix(doc: GraphDocument, needle: str) -> str:
    """Apply the fix of the problem whose message holds `needle`; return the fix's label."""
    problem = next(p for p in analyse(doc).problems if needle in p.message)
    assert problem.fix is not None, f"no fix offered for: {problem.message}"
    before, text = doc.snapshot(), dumps(doc)
    inverse = doc.apply(problem.fix.make_op(doc))
    assert not any(needle in p.message for p in analyse(doc).problems), problem.fix.label
    after = doc.snapshot()
    doc.apply(inverse)
    assert doc.snapshot() == before and dumps(doc) == text
    doc.apply(problem.fix.make_op(doc))
    assert doc.snapshot().keys() == after.keys()
    return problem.fix.label


CASES = [
    # (layers, input shape, problem words, label, the design is then valid)
    ([("conv", "Conv2d", {"filters": 4}), ("fc", "Dense", {"units": 10})], (1, 8, 8),
     "insert a Flatten", "Insert Flatten before 'fc'"),
    ([("conv", "Conv2d", {"filters": 4})], (64,), "add a channel axis",
     "Insert Reshape to (1, 8, 8) before 'conv'"),
    ([("conv", "Conv1d", {"filters": 4})], (20,), "add a channel axis",
     "Insert Reshape to (1, 20) before 'conv'"),
    ([("rnn", "LSTM", {"units": 8})], (20,), "[time, features]",
     "Insert Reshape to (20, 1) before 'rnn'"),
    ([("conv", "Conv2d", {"kernel_size": 5})], (1, 3, 3), "larger than its input",
     "Set padding to 'same'"),
    ([("conv", "Conv2d", {"padding": "same", "stride": 2})], (1, 8, 8), "needs stride 1",
     "Set stride to 1"),
    ([("pool", "MaxPool2d", {"kernel_size": 4})], (1, 2, 2), "larger than its input",
     "Set kernel size to 2"),
    ([("f", "Flatten", {}), ("soft", "Softmax", {"dim": 3})], (1, 8, 8), "does not exist",
     "Set dim to 1"),
    ([("fc", "Dense", {"units": 0})], (10,), "at least 1", "Set units to 1"),
    ([("fc", "Dense", {"units": 4, "size": 3})], (10,), "no parameter", "Remove parameter 'size'"),
    ([("act", "Relu", {})], (10,), "unknown layer type", "Replace with ReLU"),
]


@pytest.mark.parametrize(("layers", "shape", "words", "label"), CASES,
                         ids=[c[3] for c in CASES])
def test_the_fix_named_in_the_problem_is_one_click_and_cures_it(layers, shape, words, label):
    doc = design(*layers, shape=shape)
    assert apply_fix(doc, words) == label
    assert analyse(doc).ok, [p.message for p in analyse(doc).problems]


def test_two_wires_into_a_single_input_get_a_merge():
    layers = [("a", "Conv2d", {"filters": 4, "padding": "same"}),
              ("b", "Conv2d", {"filters": 8, "padding": "same"}), ("c", "Conv2d", {})]
    doc = design(*layers, edges=[("x", "a"), ("x", "b"), ("a", "c"), ("b", "c")])
    assert apply_fix(doc, "takes one input") == "Insert Concatenate to merge the 2 wires into 'c'"
    merge = next(n for n in doc.nodes.values() if n.type == "Concatenate")
    assert [e.src for e in doc.edges if e.dst == merge.id] == ["a", "b"]
    assert analyse(doc).ok
    same = design(("a", "ReLU", {}), ("b", "Sigmoid", {}), ("c", "Flatten", {}),
                  edges=[("x", "a"), ("x", "b"), ("a", "c"), ("b", "c")])
    assert apply_fix(same, "takes one input").startswith("Insert Add")


def test_a_merge_left_with_one_branch_is_removed_and_its_input_reconnected():
    doc = design(("r", "ReLU", {}), ("add", "Add", {}), ("f", "Flatten", {}))
    assert apply_fix(doc, "needs at least 2") == "Remove 'add' and reconnect its input"
    assert Edge("r", "f") in doc.edges and analyse(doc).ok


def test_a_loop_loses_the_wire_that_closes_it():
    doc = design(("a", "ReLU", {}), ("b", "ReLU", {}), edges=[("x", "a"), ("a", "b"),
                                                              ("b", "a")])
    assert apply_fix(doc, "cycle") == "Remove the wire from 'b' to 'a'"
    assert doc.edges == [Edge("x", "a"), Edge("a", "b")]


def test_a_design_without_input_gets_one_feeding_its_first_layer():
    doc = design(("f", "Flatten", {}), ("fc", "Dense", {}))
    del doc.nodes["x"]
    doc.edges = [e for e in doc.edges if e.src != "x"]
    assert apply_fix(doc, "no Input layer") == "Add an Input feeding 'f'"
    assert analyse(doc).ok


def test_wiring_mistakes_from_hand_edited_files():
    doc = design(("f", "Flatten", {}))
    doc.edges = [Edge("x", "f", "out", "input")]
    assert apply_fix(doc, "has no port") == "Reconnect the wire to port 'in'"
    assert analyse(doc).ok


def test_indices_into_a_dense_get_a_float_input():
    doc = design(("fc", "Dense", {}), shape=(4,), dtype="int64")
    assert apply_fix(doc, "int64") == "Set the Input's dtype to float32"
    assert analyse(doc).ok


def test_an_island_may_be_deleted():
    doc = design(("f", "Flatten", {}), ("a", "ReLU", {}), ("b", "ReLU", {}),
                 edges=[("x", "f"), ("a", "b")])
    problem = next(p for p in analyse(doc).problems if p.node == "b")
    assert problem.severity == "warning" and problem.fix.label == "Delete 'b'"


def test_branches_of_different_sizes_into_an_add_get_a_projection_shortcut():
    a = ("a", "Conv2d", {"filters": 4, "padding": "same"})
    b = ("b", "Conv2d", {"filters": 8, "padding": 1, "stride": 2})
    doc = design(a, b, ("add", "Add", {}), edges=[("x", "a"), ("x", "b"), ("a", "add"),
                                                  ("b", "add")])
    label = apply_fix(doc, "cannot broadcast")
    assert label == "Insert a 1×1 Conv2d (8 filters, stride 2) on the wire from 'a'"
    assert analyse(doc).ok
    vectors = design(("f", "Flatten", {}), ("p", "Dense", {"units": 4}),
                     ("q", "Dense", {"units": 6}), ("add", "Add", {}),
                     edges=[("x", "f"), ("f", "p"), ("f", "q"), ("p", "add"), ("q", "add")])
    assert apply_fix(vectors, "cannot broadcast") == \
        "Insert a Dense (6 units) on the wire from 'p'"


def test_no_fix_is_offered_where_none_is_mechanical():
    a = ("a", "Conv2d", {"filters": 4, "padding": "same"})
    b = ("b", "Flatten", {})
    doc = design(a, b, ("add", "Add", {}), edges=[("x", "a"), ("x", "b"), ("a", "add"),
                                                  ("b", "add")])
    problem = next(p for p in analyse(doc).problems if p.node == "add")
    assert "same number of axes" in problem.message and problem.fix is None
    assert get_spec("Add") is not None


def test_channel_weights_are_reshaped_to_broadcast_over_the_maps():
    layers = [("a", "Conv2d", {"filters": 4, "padding": "same"}), ("g", "GlobalAvgPool", {}),
              ("mul", "Multiply", {})]
    doc = design(*layers, edges=[("x", "a"), ("a", "g"), ("a", "mul"), ("g", "mul")])
    assert apply_fix(doc, "same number of axes") == \
        "Insert a Reshape to (4, 1, 1) on the wire from 'g'"
    assert analyse(doc).ok


def test_fix_labels_travel_in_json():
    doc = design(("conv", "Conv2d", {"filters": 4}), ("fc", "Dense", {}))
    problem = analyse(doc).problems[0]
    assert problem.to_json()["fix"] == "Insert Flatten before 'fc'"


def test_a_problem_inside_a_block_is_fixed_inside_its_definition():
    from backend.graph import Connect, InBlock
    from backend.graph.block_builder import BlockBuilder, use_block_ops

    b = BlockBuilder("head", "Head")
    b.input()
    b.add("Conv2d", "conv", filters=4)
    b.add("Dense", "fc", units=10)
    b.output()
    doc = design()
    doc.apply(use_block_ops(doc, [b.definition], "head_1", "head", (260.0, 0.0)))
    doc.apply(Connect(Edge("x", "head_1")))
    problem = next(p for p in analyse(doc).problems if p.path)
    assert problem.node == "head_1" and problem.path[-1] == "fc"
    assert problem.fix.label == "Insert Flatten before 'fc'"
    assert isinstance(problem.fix.make_op(doc), InBlock)
    assert apply_fix(doc, "insert a Flatten") == "Insert Flatten before 'fc'"
    assert analyse(doc).ok
    body = doc.blocks["head"].graph
    assert [n.type for n in body.nodes.values()].count("Flatten") == 1
