"""Shape inference over whole designs: problems name the node and the fix, and `analyse`
never raises, whatever the document holds (checked with hypothesis on random documents)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.graph import Edge, GraphDocument, Node
from backend.graph.traverse import plan, topological_order
from backend.layers import layer_types
from backend.shapes import analyse
from backend.templates.builder import DesignBuilder


def messages(analysis, severity="error"):
    return [p.message for p in analysis.problems if p.severity == severity]


def chain(*layers, shape=(1, 8, 8)) -> DesignBuilder:
    b = DesignBuilder("chain")
    b.add("Input", "x", after=None, shape=list(shape))
    for kind, title, params in layers:
        b.add(kind, title, **params)
    return b


def test_shapes_flow_along_wires_with_symbolic_batch():
    b = chain(("Conv2d", "conv", {"filters": 4, "kernel_size": 3}), ("Flatten", "flat", {}),
              ("Dense", "fc", {"units": 3}))
    analysis = analyse(b.doc)
    conv, flat, fc = list(b.doc.nodes)[1:]
    assert analysis.shapes[conv] == (4, 6, 6) and analysis.shape_text(conv) == "(B, 4, 6, 6)"
    assert analysis.edge_shape(Edge(conv, flat)) == (4, 6, 6)
    assert analysis.in_shapes[fc] == [(144,)]
    assert analysis.counts == {**dict.fromkeys(b.doc.nodes, 0), conv: 40, fc: 435}
    assert analysis.total_params == analysis.trainable_params == 475
    assert analysis.order == list(b.doc.nodes)


def test_error_stops_shapes_downstream_without_piling_up_problems():
    b = chain(("Dense", "fc1", {"units": 3}), ("ReLU", "relu", {}), ("Dense", "fc2", {}))
    analysis = analyse(b.doc)
    fc1, relu, fc2 = list(b.doc.nodes)[1:]
    assert messages(analysis) == ["Dense 'fc1' expects (B, features) but receives "
                                  "(B, 1, 8, 8): insert a Flatten before it"]
    assert analysis.shapes.get(relu) is None and analysis.shape_text(fc2) == "?"


def test_structural_problems_name_node_and_fix():
    b = chain(("ReLU", "relu", {}))
    x, relu = list(b.doc.nodes)
    b.doc.nodes["lost"] = Node("lost", "Dense", {"units": 2}, "lost")
    b.doc.nodes["add"] = Node("add", "Add", {}, "join")
    b.doc.nodes["orphan"] = Node("orphan", "Tanh", {}, "orphan")
    b.doc.nodes["island"] = Node("island", "Tanh", {}, "island")
    b.doc.edges += [Edge(x, "add"), Edge(relu, "lost"), Edge(x, "lost"),
                    Edge("orphan", "island"), Edge(relu, "add", dst_port="side")]
    analysis = analyse(b.doc)
    errors = "\n".join(messages(analysis))
    assert "Dense 'lost' takes one input but 2 wires go into it: merge them first" in errors
    assert "Tanh 'orphan' needs an input: connect" in errors
    assert "Add 'join' has no port 'side'" in errors
    assert "Add 'join' needs at least 2 inputs but has 1" in errors
    assert messages(analysis, "warning") == [
        "Tanh 'island' is not connected to any Input: wire it in or delete it"]
    assert {p.node for p in analysis.problems} <= set(b.doc.nodes)


def test_cycles_and_self_loops_are_problems():
    b = chain(("ReLU", "a", {}), ("Tanh", "b", {}), ("Sigmoid", "c", {}))
    x, a, bb, c = list(b.doc.nodes)
    b.doc.edges += [Edge(bb, a), Edge(c, c)]
    analysis = analyse(b.doc)
    errors = messages(analysis)
    assert any("form a cycle" in m and "ReLU 'a'" in m and "Tanh 'b'" in m for m in errors)
    assert "Sigmoid 'c' is wired into itself: remove that wire" in errors
    order, blocked = topological_order(b.doc)
    assert order == [x] and blocked == {a, bb, c}
    assert [s.node.id for s in plan(b.doc)] == [x]


def test_no_input_and_unknown_type():
    doc = GraphDocument()
    assert analyse(doc).problems == []
    doc.nodes["d"] = Node("d", "Dense", {}, "d")
    doc.nodes["q"] = Node("q", "Quantum", {}, "q")
    errors = messages(analyse(doc))
    assert any("no Input layer: add an Input" in m for m in errors)
    assert any("unknown layer type 'Quantum'" in m for m in errors)


def test_order_is_stable_and_follows_the_document():
    b = DesignBuilder("branches")
    x = b.add("Input", "x", after=None, shape=[4])
    left = b.add("Dense", "left", after=x, units=2)
    right = b.add("Dense", "right", after=x, units=2)
    join = b.add("Add", "join", after=[right, left])
    assert analyse(b.doc).order == [x, left, right, join]
    assert plan(b.doc)[-1].sources == (right, left)


# -- hypothesis: random documents never make analyse raise --------------------------------

TYPES = st.sampled_from(layer_types() + ["Nope"])
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 40) | st.floats(allow_nan=True) |
    st.sampled_from(["same", "valid", "x", "nearest", "float32", "int64"]),
    lambda inner: st.lists(inner, max_size=4), max_leaves=6)
PARAM_NAMES = st.sampled_from(["units", "filters", "kernel_size", "stride", "padding", "p",
                               "shape", "dim", "dims", "groups", "dilation", "scale_factor",
                               "output_padding", "num_layers", "size", "bogus"])


@st.composite
def documents(draw) -> GraphDocument:
    doc = GraphDocument("random")
    n = draw(st.integers(1, 8))
    for i in range(n):
        kind = "Input" if i == 0 else draw(TYPES)
        params = draw(st.dictionaries(PARAM_NAMES, VALUES, max_size=3))
        if kind == "Input" and draw(st.booleans()):
            params = {"shape": draw(st.lists(st.integers(-1, 12), min_size=1, max_size=4))}
        doc.nodes[f"n{i}"] = Node(f"n{i}", kind, params, draw(st.text(max_size=5)))
    ids = [*doc.nodes, "ghost"]
    for _ in range(draw(st.integers(0, 12))):
        e = Edge(draw(st.sampled_from(ids)), draw(st.sampled_from(ids)),
                 draw(st.sampled_from(["out", "out", "x"])),
                 draw(st.sampled_from(["in", "in", "in", "other"])))
        if e not in doc.edges:
            doc.edges.append(e)
    return doc


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents())
def test_analyse_never_raises_on_random_documents(doc):
    analysis = analyse(doc)
    assert set(analysis.shapes) <= set(doc.nodes)
    assert {p.node for p in analysis.problems} <= set(doc.nodes) | {None}
    for p in analysis.problems:
        assert p.message and "\n" not in p.message and "could not be checked" not in p.message
    for nid, shape in analysis.shapes.items():
        assert all(isinstance(d, int) and d >= 1 for d in shape), (nid, shape)


def test_int64_indices_only_pass_through_reshaping_layers():
    b = chain(("Flatten", "flat", {}), ("Dense", "fc", {"units": 2}), shape=(2, 3))
    x, flat, fc = list(b.doc.nodes)
    b.doc.nodes[x].params["dtype"] = "int64"
    analysis = analyse(b.doc)
    assert analysis.shapes[flat] == (6,) and analysis.dtypes[flat] == "int64"
    assert messages(analysis) == [
        "Dense 'fc' cannot compute with whole-number indices (int64) from the Input: set the "
        "Input's dtype to float32 (int64 is for indices fed to an Embedding)"]
    b.doc.nodes[x].params["dtype"] = "float32"
    assert analyse(b.doc).ok
