"""One-step edits: replace layer type, delete and reconnect, splice a layer into a wire.

Each is one Batch of ordinary ops: it applies, undoes to the identical document (file text
included), and keeps the wires and parameters a user expects to keep.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.graph import Edge, EditError, GraphDocument, Node
from backend.graph.refactor import carry_params, delete_items, replace_type, retitle
from backend.graph.splice import GEOMETRY, insert_before, insert_on_wire
from backend.layers import get_spec, layer_types
from backend.project import dumps
from backend.shapes import analyse
from backend.templates import make_template


def applies_and_inverts(doc: GraphDocument, batch) -> dict:
    """Apply `batch`; check its inverse restores the exact document; re-apply; return after."""
    before, text = doc.snapshot(), dumps(doc)
    inverse = doc.apply(batch)
    after = doc.snapshot()
    redo = doc.apply(inverse)
    assert doc.snapshot() == before and dumps(doc) == text
    doc.apply(redo)
    assert doc.snapshot() == after
    return after


def chain(*kinds: str, step: float = 260.0) -> GraphDocument:
    doc = GraphDocument("chain")
    doc.nodes["x"] = Node("x", "Input", {"shape": [3, 16, 16]}, "x", (0.0, 0.0))
    last = "x"
    for i, (nid, kind) in enumerate(kinds, start=1):
        doc.nodes[nid] = Node(nid, kind, get_spec(kind).defaults(), nid, (i * step, 0.0))
        doc.edges.append(Edge(last, nid))
        last = nid
    return doc


# -- replace type -------------------------------------------------------------------------------
def test_replacing_all_sigmoids_of_the_deep_mlp_is_one_edit_keeping_wires_and_places():
    doc = make_template("deep-sigmoid-mlp")
    sigmoids = [n for n, node in doc.nodes.items() if node.type == "Sigmoid"]
    assert len(sigmoids) == 8
    edges, places = list(doc.edges), {n: node.pos for n, node in doc.nodes.items()}
    order = list(doc.nodes)
    applies_and_inverts(doc, replace_type(doc, sigmoids, "ReLU"))
    assert [doc.nodes[n].type for n in sigmoids] == ["ReLU"] * 8
    assert doc.edges == edges and list(doc.nodes) == order
    assert {n: node.pos for n, node in doc.nodes.items()} == places
    assert [doc.nodes[n].title for n in sigmoids] == [f"relu{k}" for k in range(1, 9)]
    assert analyse(doc).ok


def test_replace_keeps_parameters_that_still_apply():
    conv = {"filters": 16, "kernel_size": 5, "stride": 1, "padding": "same", "dilation": 1,
            "groups": 1, "bias": False, "init": "kaiming"}
    as_1d = carry_params(conv, get_spec("Conv1d"))
    assert {k: as_1d[k] for k in ("filters", "kernel_size", "padding", "bias", "init")} == \
        {"filters": 16, "kernel_size": 5, "padding": "same", "bias": False, "init": "kaiming"}
    assert carry_params({"units": 10, "bias": False}, get_spec("Conv2d"))["filters"] == 10
    assert carry_params({"p": 0.3}, get_spec("Dropout2d")) == {"p": 0.3}
    assert carry_params({"negative_slope": 0.2}, get_spec("ELU")) == {"alpha": 1.0}
    # a value the new type refuses falls back to its default
    assert carry_params({"units": 0}, get_spec("Conv2d"))["filters"] == 32


def test_retitle_names_the_new_type_only_where_the_old_one_was_named():
    assert retitle("sigmoid3", "Sigmoid", "ReLU") == "relu3"
    assert retitle("Sigmoid 3", "Sigmoid", "ReLU") == "ReLU 3"
    assert retitle("b1_relu1", "ReLU", "GELU") == "b1_gelu1"
    assert retitle("hidden", "Dense", "Conv2d") == "hidden"
    assert retitle("leakyrelu_1", "ReLU", "GELU") == "leakyrelu_1"


def test_replace_keeps_the_merge_order_of_a_concatenation():
    doc = make_template("inception")
    edges = list(doc.edges)
    relus = [n for n, node in doc.nodes.items() if node.type == "ReLU" and "i3a" in n]
    applies_and_inverts(doc, replace_type(doc, relus, "SiLU"))
    assert doc.edges == edges
    assert all(doc.nodes[n].type == "SiLU" for n in relus)


def test_replace_refuses_what_cannot_be_done_and_changes_nothing():
    doc = chain(("a", "ReLU"), ("b", "Dense"))
    before = doc.snapshot()
    with pytest.raises(EditError, match="takes no wires in"):
        replace_type(doc, ["a"], "Input")
    with pytest.raises(EditError, match="already ReLU"):
        replace_type(doc, ["a"], "ReLU")
    with pytest.raises(EditError, match="no layer type"):
        replace_type(doc, ["a"], "Sigmoidd")
    assert doc.snapshot() == before


def test_replace_mends_an_unknown_type():
    doc = chain(("f", "Flatten"), ("a", "ReLU"), ("b", "Dense"))
    doc.nodes["a"].type = "Relu"
    assert not analyse(doc).ok
    applies_and_inverts(doc, replace_type(doc, ["a"], "ReLU"))
    assert analyse(doc).ok


# -- delete and reconnect -----------------------------------------------------------------------
def test_deleting_the_middle_of_a_chain_reconnects_it():
    doc = chain(("conv", "Conv2d"), ("bn", "BatchNorm2d"), ("relu", "ReLU"), ("pool", "MaxPool2d"))
    batch, bridged = delete_items(doc, ["bn", "relu"])
    assert bridged == 1
    applies_and_inverts(doc, batch)
    assert doc.edges == [Edge("x", "conv"), Edge("conv", "pool")]
    assert analyse(doc).ok


def test_a_bridge_takes_the_place_of_the_wire_it_replaces_in_a_merge():
    doc = make_template("inception")
    concat = "i3a_concat_1"
    order = [e.src for e in doc.edges if e.dst == concat]
    middle = order[1]  # the 3x3 branch's last ReLU
    feeder = next(e.src for e in doc.edges if e.dst == middle)
    applies_and_inverts(doc, delete_items(doc, [middle])[0])
    assert [e.src for e in doc.edges if e.dst == concat] == \
        [order[0], feeder, *order[2:]]


def test_deleting_a_merge_or_a_skip_never_invents_wires():
    doc = make_template("resnet")
    add, relu = "b1_add_1", "b1_relu1_1"
    batch, bridged = delete_items(doc, [add])
    assert bridged == 0  # two inputs: nothing to reconnect to b1_out
    # deleting the last main-path node before an Add that already has the skip wire
    doc2 = make_template("resnet")
    batch, _ = delete_items(doc2, ["b1_bn2_1"])
    applies_and_inverts(doc2, batch)
    assert len(doc2.edges) == len(set(doc2.edges))
    assert Edge("b1_conv2_1", add) in doc2.edges and relu in doc2.nodes


def test_delete_also_takes_wires_and_comments_in_the_same_step():
    doc = chain(("a", "ReLU"), ("b", "Dense"))
    from backend.graph import Comment
    doc.comments["c1"] = Comment("c1", "note")
    batch, bridged = delete_items(doc, [], ("c1",), (Edge("a", "b"),))
    applies_and_inverts(doc, batch)
    assert bridged == 0 and not doc.comments and Edge("a", "b") not in doc.edges


# -- splice into a wire -------------------------------------------------------------------------
def test_a_layer_spliced_between_neighbours_pushes_the_rest_of_the_row_one_column():
    doc = chain(("a", "Conv2d"), ("b", "ReLU"), ("c", "Flatten"), ("d", "Dense"))
    doc.nodes["side"] = Node("side", "Dense", {}, "side", (520.0, 240.0))  # another row
    before = {n: node.pos for n, node in doc.nodes.items()}
    batch, nid = insert_on_wire(doc, Edge("a", "b"), "BatchNorm2d")
    applies_and_inverts(doc, batch)
    assert doc.nodes[nid].pos == before["b"]  # where b was
    for n in ("b", "c", "d"):
        assert doc.nodes[n].pos == (before[n][0] + GEOMETRY.col_step, 0.0)
    for n in ("x", "a", "side"):
        assert doc.nodes[n].pos == before[n]
    assert set(doc.edges) == {Edge("x", "a"), Edge("a", nid), Edge(nid, "b"), Edge("b", "c"),
                              Edge("c", "d")}
    assert not overlapping(doc)


def test_a_free_column_is_used_without_moving_anything():
    doc = chain(("a", "Conv2d"), ("b", "ReLU"), step=600.0)
    before = {n: node.pos for n, node in doc.nodes.items()}
    batch, nid = insert_on_wire(doc, Edge("a", "b"), "BatchNorm2d", drop=(900.0, 30.0))
    doc.apply(batch)
    assert {n: doc.nodes[n].pos for n in before} == before
    assert 600 + 176 <= doc.nodes[nid].pos[0] <= 1200 - 176
    assert not overlapping(doc)


def test_a_wire_back_to_the_next_band_extends_the_first_band():
    doc = chain(("a", "Conv2d"), ("b", "ReLU"))
    doc.nodes["b"].pos = (0.0, 200.0)  # the next band starts on the left again
    batch, nid = insert_on_wire(doc, Edge("a", "b"), "BatchNorm2d")
    doc.apply(batch)
    assert doc.nodes[nid].pos == (260.0 + 260.0, 0.0)
    assert doc.nodes["b"].pos == (0.0, 200.0)


def test_insert_before_splices_into_the_wire_feeding_a_node():
    doc = chain(("conv", "Conv2d"), ("fc", "Dense"))
    assert not analyse(doc).ok
    applies_and_inverts(doc, insert_before(doc, "fc", "Flatten"))
    assert analyse(doc).ok
    with pytest.raises(EditError, match="no wire in"):
        insert_before(doc, "x", "Flatten")


def overlapping(doc: GraphDocument) -> list[tuple[str, str]]:
    items = list(doc.nodes.values())
    return [(a.id, b.id) for i, a in enumerate(items) for b in items[i + 1:]
            if abs(a.pos[0] - b.pos[0]) < GEOMETRY.node_w
            and abs(a.pos[1] - b.pos[1]) < GEOMETRY.node_h]


# -- any selection, any template ----------------------------------------------------------------
TEMPLATES = ["lenet5", "resnet", "inception", "densenet", "squeezenet"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data(), st.sampled_from(TEMPLATES))
def test_any_delete_replace_or_splice_inverts_exactly(data, template):
    doc = make_template(template)
    ids = list(doc.nodes)
    picked = data.draw(st.lists(st.sampled_from(ids), max_size=6, unique=True))
    kind = data.draw(st.sampled_from(["delete", "replace", "splice"]))
    if kind == "delete":
        batch, _ = delete_items(doc, picked)
        applies_and_inverts(doc, batch)
        assert not any(e.src in picked or e.dst in picked for e in doc.edges)
        assert len(doc.edges) == len(set(doc.edges))
        return
    if kind == "replace":
        new_type = data.draw(st.sampled_from(layer_types()))
        try:
            batch = replace_type(doc, picked, new_type)
        except EditError:
            return
        applies_and_inverts(doc, batch)
        return
    edge = data.draw(st.sampled_from(doc.edges))
    batch, _ = insert_on_wire(doc, edge, data.draw(st.sampled_from(["ReLU", "Dropout"])))
    applies_and_inverts(doc, batch)
