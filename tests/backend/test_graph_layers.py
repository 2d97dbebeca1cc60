"""Graph layers in designs: shapes in (N, features), what each wire may carry, and the GCN
formula the course shows, computed by hand."""

import numpy as np
import pytest
import torch

from backend.build import build_model
from backend.graph import Edge, GraphDocument, Node
from backend.layers.graph_modules import GATConv, GCNConv, InnerProductDecoder, SAGEConv
from backend.shapes import analyse


def gcn_doc(hidden: int = 16, classes: int = 2) -> GraphDocument:
    doc = GraphDocument("gcn")
    doc.nodes["g"] = Node("g", "GraphInput", {"features": 34}, "graph")
    doc.nodes["c1"] = Node("c1", "GCNConv", {"units": hidden}, "gcn1")
    doc.nodes["r"] = Node("r", "ReLU", {}, "relu")
    doc.nodes["c2"] = Node("c2", "GCNConv", {"units": classes}, "gcn2")
    doc.edges += [Edge("g", "c1", "x", "x"), Edge("g", "c1", "adj", "adj"), Edge("c1", "r"),
                  Edge("r", "c2", "out", "x"), Edge("g", "c2", "adj", "adj")]
    return doc


def test_shapes_read_in_nodes_and_features():
    doc = gcn_doc()
    doc.nodes["d"] = Node("d", "Dense", {"units": 4}, "head")
    doc.nodes["dec"] = Node("dec", "InnerProductDecoder", {}, "decoder")
    doc.nodes["pool"] = Node("pool", "GraphReadout", {}, "readout")
    doc.edges += [Edge("c2", "d"), Edge("d", "dec"), Edge("c2", "pool")]
    a = analyse(doc)
    assert a.ok, a.problems
    texts = {n: a.shape_text(n) for n in doc.nodes}
    assert texts == {"g": "(N, 34)", "c1": "(N, 16)", "r": "(N, 16)", "c2": "(N, 2)",
                     "d": "(N, 4)", "dec": "(N, N)", "pool": "(1, 2)"}
    assert [a.edge_text(e) for e in doc.edges[:2]] == ["(N, 34)", "(N, N)"]
    assert a.counts["c1"] == 34 * 16 + 16


@pytest.mark.parametrize("change, node, words", [
    # a Dense fed the adjacency
    (lambda d: (d.nodes.__setitem__("x", Node("x", "Dense", {"units": 3}, "fc")),
                d.edges.append(Edge("g", "x", "adj"))), "x",
     "Dense 'fc' is fed the adjacency (N, N) of GraphInput 'graph': the adjacency only goes "
     "into a graph layer's adj port"),
    # node features wired into adj
    (lambda d: d.edges.__setitem__(1, Edge("g", "c1", "x", "adj")), "c1",
     "needs the graph's adjacency on its adj port but receives node features (N, 34)"),
    # the adjacency wired into x
    (lambda d: d.edges.__setitem__(0, Edge("g", "c1", "adj", "x")), "c1",
     "receives the adjacency on its x port"),
    # ordinary samples into a graph layer
    (lambda d: (d.nodes.__setitem__("i", Node("i", "Input", {"shape": [34]}, "table")),
                d.edges.__setitem__(0, Edge("i", "c1", "out", "x"))), "c1",
     "computes over a graph's nodes but receives ordinary samples (B, 34) from Input 'table': "
     "start the design with a Graph input"),
    # something after the decoder
    (lambda d: (d.nodes.__setitem__("dec", Node("dec", "InnerProductDecoder", {}, "decoder")),
                d.nodes.__setitem__("s", Node("s", "Sigmoid", {}, "squash")),
                d.edges.extend([Edge("c2", "dec"), Edge("dec", "s")])), "s",
     "node-pair scores (N, N) of InnerProductDecoder 'decoder'"),
    # a readout before message passing
    (lambda d: (d.nodes.__setitem__("p", Node("p", "GraphReadout", {}, "pool")),
                d.edges.__setitem__(0, Edge("p", "c1", "out", "x")),
                d.edges.append(Edge("g", "p", "x"))), "c1",
     "needs node features but receives a whole-graph vector (1, 34)"),
])
def test_wrong_wires_name_the_layer_and_the_fix(change, node, words):
    doc = gcn_doc()
    change(doc)
    problems = [p for p in analyse(doc).problems if p.severity == "error"]
    assert problems and problems[0].node == node, problems
    assert words in problems[0].message


def test_mixing_a_graph_and_ordinary_samples_is_a_problem():
    doc = gcn_doc(classes=16)
    doc.nodes["i"] = Node("i", "Input", {"shape": [16]}, "table")
    doc.nodes["add"] = Node("add", "Add", {}, "sum")
    doc.edges += [Edge("c2", "add"), Edge("i", "add")]
    problems = analyse(doc).problems_for("add")
    assert "mixes node features with ordinary samples" in problems[0].message


def test_a_graph_vector_broadcasts_to_every_node_through_add():
    doc = gcn_doc(classes=16)
    doc.nodes["p"] = Node("p", "GraphReadout", {"mode": "max"}, "context")
    doc.nodes["add"] = Node("add", "Add", {}, "with context")
    doc.edges += [Edge("c2", "p"), Edge("c2", "add"), Edge("p", "add")]
    a = analyse(doc)
    assert a.ok and a.shape_text("add") == "(N, 16)"
    model = build_model(doc, a)
    out = model(torch.eye(34), torch.zeros(34, 34))
    assert out.shape == (34, 16)


def test_graph_layers_work_inside_a_block():
    from backend.graph.grouping import Group

    doc = gcn_doc()
    Group(("c1", "r"), "blk", "conv_block", "block").apply(doc)
    a = analyse(doc)
    assert a.ok, a.problems
    assert a.shape_text("blk") == "(N, 16)" and a.shape_text("c2") == "(N, 2)"
    model = build_model(doc, a)
    assert model(torch.eye(34), torch.zeros(34, 34)).shape == (34, 2)


def test_gcn_is_the_normalised_adjacency_times_features_times_weights():
    torch.manual_seed(0)
    a = torch.tensor([[0, 1, 1, 0], [1, 0, 0, 0], [1, 0, 0, 1], [0, 0, 1, 0]], dtype=torch.float)
    x = torch.randn(4, 3)
    layer = GCNConv(3, 2)
    a_hat = a + torch.eye(4)
    d = np.diag(1 / np.sqrt(a_hat.sum(1).numpy()))
    want = d @ a_hat.numpy() @ d @ x.numpy() @ layer.lin.weight.detach().numpy().T
    np.testing.assert_allclose(layer(x, a).detach().numpy(), want, rtol=1e-5, atol=1e-6)


def test_sage_averages_neighbours_and_gat_attends_only_to_them():
    torch.manual_seed(0)
    a = torch.tensor([[0, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=torch.float)
    x = torch.randn(3, 2)
    sage = SAGEConv(2, 2, bias=False)
    mean = torch.stack([(x[1] + x[2]) / 2, x[0], x[0]])
    torch.testing.assert_close(sage(x, a), sage.lin_l(mean) + sage.lin_r(x))
    gat = GATConv(2, 4, heads=2)
    out = gat(x, a)
    changed = x.clone()
    changed[2] += 5.0  # node 2 is no neighbour of node 1: its output must not move
    torch.testing.assert_close(gat(changed, a)[1], out[1])
    assert not torch.allclose(gat(changed, a)[0], out[0])


def test_inner_product_decoder_scores_every_pair():
    z = torch.tensor([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    probs = InnerProductDecoder()(z)
    torch.testing.assert_close(probs, torch.sigmoid(z @ z.T))
    assert InnerProductDecoder(sigmoid=False)(z)[1, 2] == 2.0
