"""Built-in templates: each analyses cleanly, small ones build to what inference says, the
classics have their published parameter counts, and every layout is readable."""

from __future__ import annotations

import pytest
import torch

from backend.build import build_model
from backend.export.onnx import example_inputs
from backend.graph.networks import components, ends
from backend.graph.traverse import model_inputs, model_outputs
from backend.project import dumps, loads
from backend.shapes import analyse
from backend.templates import CATALOG, TEMPLATES, make_template
from backend.templates.catalog import FULL

# analysed here; built once per session in test_full_size_templates.py
LARGE = {t.name for t in CATALOG if t.group == FULL and t.name != "lenet5"}
GANS = {"gan", "dcgan"}  # two networks: built and trained in test_generative
SMALL = [name for name in TEMPLATES if name not in LARGE | GANS]


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_template_analyses_without_problems(name):
    doc = make_template(name)
    analysis = analyse(doc)
    assert analysis.problems == []
    networks = components(doc)  # a GAN draws two networks, each with one Input and output
    assert len(networks) == (2 if name in GANS else 1)
    for group in networks:
        assert [len(e) for e in ends(doc, group)] == [1, 1]
    again = loads(dumps(doc))
    assert again.snapshot() == doc.snapshot()
    assert TEMPLATES[name][1].strip()


def _graphs(doc):
    """The design and every block body in it."""
    return [("design", doc), *((d.id, d.graph) for d in doc.blocks.values())]


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_template_layout_has_no_overlapping_nodes(name):
    for where, graph in _graphs(make_template(name)):
        positions = [n.pos for n in graph.nodes.values()]
        assert len(set(positions)) == len(positions), where
        for e in graph.edges:  # wires run left to right
            assert graph.nodes[e.src].pos[0] < graph.nodes[e.dst].pos[0], (where, str(e))


@pytest.mark.parametrize("name", SMALL)
def test_small_template_builds_trains_and_counts_like_torch(name):
    doc = make_template(name)
    analysis = analyse(doc)
    torch.manual_seed(0)
    model = build_model(doc, analysis)
    assert analysis.total_params == sum(p.numel() for p in model.parameters())
    (inp,) = model_inputs(doc)
    (out,) = model_outputs(doc)
    xs = example_inputs(doc, 4)  # a graph: features of 4 nodes and an adjacency
    want = (4, 4) if analysis.kinds.get(out) == "pairs" else (4, *analysis.shapes[out])
    y = model.train()(*xs)
    assert tuple(y.shape) == want
    y.float().pow(2).mean().backward()
    assert all(p.grad is not None for p in model.parameters())
    assert tuple(model.eval()(*xs).shape) == want


def _types(doc):
    return [n.type for n in doc.nodes.values()]


def _merges(doc, kind):
    return {nid: [e.src for e in doc.in_edges(nid)] for nid, n in doc.nodes.items()
            if n.type == kind}


def _inner_shapes(doc, analysis, block_title):
    """Shapes by title inside the (first copy of the) block node with that title."""
    nid = next(i for i, n in doc.nodes.items() if n.title == block_title)
    inner = analysis.inner((nid,))
    body = doc.blocks[doc.nodes[nid].params["definition"]].graph
    return {body.nodes[i].title: shape for i, shape in inner.shapes.items()}


def test_classic_shapes_follow_the_papers():
    doc = make_template("alexnet")
    shapes = _inner_shapes(doc, analyse(doc), "features")
    assert shapes["conv1"] == (96, 55, 55) and shapes["pool1"] == (96, 27, 27)
    assert shapes["pool5"] == (256, 6, 6) and "norm2" in shapes
    doc = make_template("vgg16")
    convs = [d.graph for d in doc.blocks.values() if d.id == "conv_relu"]
    assert _types(convs[0]).count("Conv2d") == 1
    repeats = [n.params["args"]["convs"] for n in doc.nodes.values() if n.type == "Block"
               and n.params["definition"] == "vgg_block"]
    assert sum(repeats) == 13 and len(repeats) == 5


def test_resnet_has_identity_and_projection_shortcuts():
    doc = make_template("resnet")
    adds = _merges(doc, "Add")
    assert len(adds) == 2
    types = {tuple(sorted(doc.nodes[s].type for s in srcs)) for srcs in adds.values()}
    assert ("BatchNorm2d", "ReLU") in types  # identity shortcut from the block's input
    assert ("BatchNorm2d", "BatchNorm2d") in types  # projected shortcut
    projections = [n for n in doc.nodes.values()
                   if n.type == "Conv2d" and n.params.get("kernel_size") == 1]
    assert projections and "GlobalAvgPool" in _types(doc)


def test_inception_module_joins_four_parallel_paths():
    doc = make_template("inception")
    analysis = analyse(doc)
    concat, sources = next(iter(_merges(doc, "Concatenate").items()))
    assert len(sources) == 4
    kernels = {doc.nodes[nid].params.get("kernel_size") for nid, n in doc.nodes.items()
               if n.type == "Conv2d"}
    assert {1, 3, 5} <= kernels
    assert any(doc.nodes[nid].type == "MaxPool2d" for nid in doc.nodes)
    assert analysis.shapes[concat][0] == sum(analysis.shapes[s][0] for s in sources)


def test_densenet_block_and_transition():
    doc = make_template("densenet")
    concats = _merges(doc, "Concatenate")
    assert max(len(s) for s in concats.values()) == 4  # stem + three dense layers
    assert "AvgPool2d" in _types(doc)


def test_squeezenet_fire_modules():
    doc = make_template("squeezenet")
    for srcs in _merges(doc, "Concatenate").values():
        kernels = sorted(doc.nodes[doc.in_edges(s)[0].src].params["kernel_size"]
                         for s in srcs)
        assert kernels == [1, 3]


def test_conv_autoencoder_matches_the_course():
    doc = make_template("conv-autoencoder")
    analysis = analyse(doc)
    (out,) = model_outputs(doc)
    assert analysis.shapes[out] == (1, 16, 16)  # the course's layers, at the digits' size
    assert (32, 4, 4) in analysis.shapes.values()
    assert _types(doc).count("Conv2d") == 5 and _types(doc)[-1] == "Sigmoid"
    assert _types(doc).count("UpSampling2d") == 2 and _types(doc).count("MaxPool2d") == 2
    assert doc.sections["dataset"]["corruption"] == "gaussian"  # noisy -> clean pairs


def test_recurrent_templates_read_a_window_of_one_feature():
    for name, cell in (("lstm-sine", "LSTM"), ("gru-seq", "GRU"), ("rnn-sine", "SimpleRNN")):
        doc = make_template(name)
        analysis = analyse(doc)
        (inp,) = model_inputs(doc)
        assert analysis.shapes[inp][1] == 1 and cell in _types(doc)


def test_deep_sigmoid_mlp_is_deep():
    assert _types(make_template("deep-sigmoid-mlp")).count("Sigmoid") >= 8


def test_unknown_template_names_the_choices():
    with pytest.raises(KeyError, match="lenet5"):
        make_template("lenet6")
