"""The contract every registered layer keeps, checked with seeded random params and inputs.

For each layer in the registry: the shape rule equals the shape of a real torch forward pass
(batch 2, train and eval mode; a graph of 5 nodes for graph layers), the parameter count
equals torch's, params survive a save/load round trip, the exporter's code form builds the
same module, and impossible params become problems from `analyse`, never exceptions.
"""

from __future__ import annotations

import random

import pytest
import torch
from layer_cases import INDICES, random_case
from torch import nn

from backend.build import build_model
from backend.graph import Edge, GraphDocument, Node
from backend.kinds import GRAPHS, NODES, PAIRS
from backend.layers import all_specs, get_spec, graph_modules, modules
from backend.layers.spec import CodeForm
from backend.project import dumps, loads
from backend.shapes import analyse

SPECS = [s for s in all_specs() if s.category != "block"]  # block ports: test_blocks_*
TRIALS = 12
NODES_N = 5  # nodes of the random graph graph layers run on


def graph_doc(kind: str, params: dict, shapes: list[tuple[int, ...]]) -> GraphDocument:
    """A Graph input whose node features (reshaped when `shapes` asks for more axes) and
    adjacency feed one layer of type `kind`; a Graph input feeds an Identity."""
    doc = GraphDocument("contract")
    if kind == "GraphInput":
        doc.nodes["layer"] = Node("layer", kind, params, "layer")
        doc.nodes["out"] = Node("out", "Identity", {}, "out")
        doc.edges.append(Edge("layer", "out", "x"))
        return doc
    shape = shapes[0]
    size = 1
    for d in shape:
        size *= d
    doc.nodes["in0"] = Node("in0", "GraphInput", {"features": size}, "in0")
    doc.nodes["layer"] = Node("layer", kind, params, "layer")
    src = ("in0", "x")
    if len(shape) > 1:
        doc.nodes["shape"] = Node("shape", "Reshape", {"shape": list(shape)}, "shape")
        doc.edges.append(Edge("in0", "shape", "x"))
        src = ("shape", "out")
    ports = get_spec(kind).inputs
    doc.edges.append(Edge(src[0], "layer", src[1], ports[0].name))
    if len(ports) > 1:
        doc.edges.append(Edge("in0", "layer", "adj", "adj"))
    return doc


def is_graph(kind: str) -> bool:
    spec = get_spec(kind)
    return kind == "GraphInput" or any(p.kind for p in spec.inputs)


def layer_doc(kind: str, params: dict, shapes: list[tuple[int, ...]]) -> GraphDocument:
    """Inputs of the given shapes wired into one layer of type `kind` (one per named port
    when the layer has several, e.g. Sampling's 'mu' and 'log_var')."""
    if is_graph(kind):
        return graph_doc(kind, params, shapes)
    doc = GraphDocument("contract")
    dtype = {"dtype": "int64"} if kind in INDICES else {}
    for i, shape in enumerate(shapes):
        doc.nodes[f"in{i}"] = Node(f"in{i}", "Input", {"shape": list(shape), **dtype}, f"in{i}")
    doc.nodes["layer"] = Node("layer", kind, params, "layer")
    ports = [p.name for p in get_spec(kind).inputs]
    named = len(ports) > 1
    doc.edges += [Edge(f"in{i}", "layer", "out", ports[i] if named else "in")
                  for i in range(len(shapes))]
    if kind == "Input":
        doc.nodes["out"] = Node("out", "Identity", {}, "out")
        doc.edges.append(Edge("layer", "out"))
    return doc


def random_graph(n: int = NODES_N) -> torch.Tensor:
    """A symmetric 0/1 adjacency without self-loops; one node may have no neighbour."""
    upper = torch.triu((torch.rand(n, n) < 0.5).float(), diagonal=1)
    return upper + upper.T


def full_shape(analysis, nid: str) -> tuple[int, ...]:
    """The shape torch gives for node `nid`: batch 2, or a graph of NODES_N nodes."""
    kind = analysis.kinds.get(nid, "")
    if kind == PAIRS:
        return (NODES_N, NODES_N)
    lead = {NODES: NODES_N, GRAPHS: 1}.get(kind, 2)
    return (lead, *analysis.shapes[nid])


def sample_inputs(doc: GraphDocument, analysis) -> list[torch.Tensor]:
    out = []
    for nid, node in doc.nodes.items():
        if node.type == "GraphInput":
            out += [torch.randn(NODES_N, *analysis.shapes[nid]), random_graph()]
        if node.type == "Input":
            shape = (2, *analysis.shapes[nid])
            if analysis.params[nid]["dtype"] == "int64":
                out.append(torch.randint(0, 5, shape))
            else:
                out.append(torch.randn(shape))
    return out


def valid_cases(spec, seed: int):
    """(params, shapes, doc, analysis) for the random cases `analyse` accepts."""
    rng = random.Random(f"{spec.type}-{seed}")
    found = []
    for _ in range(TRIALS * 4):
        params, shapes = random_case(spec, rng)
        doc = layer_doc(spec.type, params, shapes)
        analysis = analyse(doc)
        if analysis.ok:
            found.append((params, shapes, doc, analysis))
        if len(found) == TRIALS:
            break
    return found


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.type)
def test_shape_rule_and_param_count_match_torch(spec):
    cases = valid_cases(spec, 0)
    assert len(cases) >= TRIALS // 2, f"{spec.type}: too few valid random cases"
    torch.manual_seed(0)
    for params, shapes, doc, analysis in cases:
        model = build_model(doc, analysis)
        xs = sample_inputs(doc, analysis)
        expected = full_shape(analysis, "out" if spec.category == "input" else "layer")
        for train in (True, False):
            model.train(train)
            with torch.no_grad():
                y = model(*xs)
            assert tuple(y.shape) == expected, (spec.type, params, shapes, train)
        real = sum(p.numel() for p in model.parameters())
        assert analysis.counts["layer"] == real, (spec.type, params, shapes)


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.type)
def test_params_survive_save_and_load(spec):
    for params, _, doc, analysis in valid_cases(spec, 1):
        again = loads(dumps(doc))
        assert again.nodes["layer"].params == params
        assert analyse(again).params["layer"] == analysis.params["layer"]
        assert analyse(again).shapes == analysis.shapes


def _namespace() -> dict:
    ns = {"nn": nn, "torch": torch}
    ns.update({k: getattr(modules, k) for k in dir(modules) if not k.startswith("_")})
    ns.update({k: getattr(graph_modules, k) for k in dir(graph_modules)
               if not k.startswith("_")})
    return ns


def _forward_expr(form: CodeForm, n_inputs: int) -> str:
    xs = [f"xs[{i}]" for i in range(n_inputs)]
    return form.forward.format(self="m", x=xs[0] if xs else "x", xs=", ".join(xs),
                               sum=" + ".join(xs), prod=" * ".join(xs))


@pytest.mark.parametrize("spec", [s for s in SPECS if s.category != "input"],
                         ids=lambda s: s.type)
def test_code_form_builds_the_same_layer(spec):
    """The exporter's init expression makes a module equal to the built one (eval mode)."""
    for params, shapes, doc, analysis in valid_cases(spec, 2)[:4]:
        form = spec.code(analysis.params["layer"], analysis.in_shapes["layer"])
        assert isinstance(form, CodeForm)
        assert form.init is None or isinstance(form.init, str)
        assert isinstance(form.forward, str) and form.forward
        built = build_model(doc, analysis).eval()
        ns = _namespace()
        m = eval(form.init, ns) if form.init else None  # noqa: S307 (trusted spec text)
        if m is not None:
            for line in form.post:
                exec(line.format(self="m"), {**ns, "m": m})  # noqa: S102
            m.load_state_dict(getattr(built, built.node_attrs["layer"]).state_dict())
            m.eval()
        xs = sample_inputs(doc, analysis)
        with torch.no_grad():
            want = built(*xs)
            got = eval(_forward_expr(form, len(xs)), {**ns, "m": m, "xs": xs})  # noqa: S307
        torch.testing.assert_close(got, want, msg=f"{spec.type} {params} {shapes}")


EDGE_CASES = [
    ("MaxPool2d", {"kernel_size": [3, 2], "stride": [0, 1]}, [(2, 7, 5)]),
    ("AvgPool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, [(2, 8, 9)]),
    ("Conv2d", {"kernel_size": 4, "padding": "same", "dilation": 2}, [(2, 9, 6)]),
    ("Conv2d", {"kernel_size": [1, 3], "stride": [2, 1], "padding": [0, 2]}, [(3, 5, 5)]),
    ("Conv1d", {"kernel_size": 2, "padding": "same", "groups": 2, "filters": 4}, [(4, 7)]),
    ("ConvTranspose2d", {"kernel_size": 3, "stride": 1, "dilation": 2, "output_padding": 1},
     [(2, 3, 4)]),
    ("ConvTranspose2d", {"kernel_size": [3, 2], "stride": [2, 3], "padding": [1, 0]},
     [(1, 4, 4)]),
    ("UpSampling2d", {"scale_factor": 3, "mode": "bilinear"}, [(2, 2, 3)]),
    ("LocalResponseNorm", {"size": 3}, [(5, 4)]),
    ("BatchNorm1d", {}, [(3, 6)]),
    ("LayerNorm", {"dims": 2}, [(3, 4, 5)]),
    ("Concatenate", {"dim": -1}, [(2, 3), (2, 5)]),
    ("LSTM", {"units": 3, "num_layers": 2, "bidirectional": True, "dropout": 0.3,
              "return_sequences": True}, [(5, 2)]),
    ("GlobalMaxPool", {}, [(3, 7)]),
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "ceil_mode": True}, [(2, 54, 54)]),
    ("MaxPool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
     [(2, 7, 8)]),
    ("MaxPool1d", {"kernel_size": 4, "stride": 2, "ceil_mode": True}, [(2, 3)]),
    ("AvgPool2d", {"kernel_size": [2, 3], "stride": 2, "ceil_mode": True}, [(2, 5, 6)]),
    ("AdaptiveAvgPool2d", {"output_size": [6, 6]}, [(2, 3, 4)]),
    ("AdaptiveMaxPool2d", {"output_size": [2, 3]}, [(2, 7, 5)]),
    ("AdaptiveAvgPool1d", {"output_size": 3}, [(2, 10)]),
    ("Multiply", {}, [(4, 5, 5), (4, 1, 1)]),
    ("Add", {}, [(1, 5, 3), (4, 1, 3), (4, 5, 1)]),
    ("Reshape", {"shape": [2, -1, 3]}, [(3, 4)]),
    ("Softmax", {"dim": -2}, [(3, 4)]),
    ("Step", {"gradient": "zero"}, [(2, 3)]),
    ("Dense", {"units": 3, "per_step": True}, [(5, 4)]),
    ("GATConv", {"units": 3, "heads": 4, "concat": False, "dropout": 0.5}, [(6,)]),
    ("GATConv", {"units": 2, "heads": 3, "bias": False}, [(1,)]),
    ("SAGEConv", {"units": 7, "bias": False}, [(3,)]),
    ("GraphReadout", {"mode": "max"}, [(4,)]),
    ("InnerProductDecoder", {"sigmoid": False}, [(3,)]),
    ("Embedding", {"num_embeddings": 7, "embedding_dim": 3, "padding_idx": 0}, [(5,)]),
    ("Embedding", {"num_embeddings": 9, "embedding_dim": 2}, [(2, 4)]),
    ("PReLU", {"per_channel": True, "init_slope": 0.1}, [(3, 4, 4)]),
    ("PReLU", {"per_channel": True}, [(6,)]),
    ("Softplus", {"beta": 2.0, "threshold": 5.0}, [(3, 4)]),
    ("ReLU6", {}, [(4,)]),
]


@pytest.mark.parametrize("kind, params, shapes", EDGE_CASES,
                         ids=[f"{k}-{i}" for i, (k, *_) in enumerate(EDGE_CASES)])
def test_edge_cases_match_torch(kind, params, shapes):
    doc = layer_doc(kind, params, shapes)
    analysis = analyse(doc)
    assert analysis.ok, analysis.problems
    model = build_model(doc, analysis)
    for train in (True, False):
        with torch.no_grad():
            y = model.train(train)(*sample_inputs(doc, analysis))
        assert tuple(y.shape) == full_shape(analysis, "layer")
    assert analysis.counts["layer"] == sum(p.numel() for p in model.parameters())


IMPOSSIBLE = [
    ("Conv2d", {"kernel_size": 7}, [(1, 5, 5)], "larger than its input"),
    ("Conv2d", {"kernel_size": 3, "padding": "same", "stride": 2}, [(1, 8, 8)], "stride 1"),
    ("Conv2d", {"filters": -3}, [(1, 8, 8)], "filters"),
    ("Conv2d", {"groups": 2}, [(3, 8, 8)], "groups"),
    ("Conv1d", {"kernel_size": 9}, [(2, 4)], "larger than its input"),
    ("MaxPool2d", {"kernel_size": 4}, [(1, 3, 3)], "larger than its input"),
    ("MaxPool2d", {"kernel_size": 2, "padding": 2}, [(1, 8, 8)], "half"),
    ("AvgPool1d", {"kernel_size": 5}, [(3, 4)], "larger than its input"),
    ("ConvTranspose2d", {"output_padding": 2, "stride": 2}, [(1, 4, 4)], "output_padding"),
    ("ConvTranspose2d", {"padding": 5, "kernel_size": 2}, [(1, 2, 2)], "padding"),
    ("Dropout", {"p": 1.0}, [(4,)], "below 1"),
    ("Dropout", {"p": -0.1}, [(4,)], "at least 0"),
    ("Dropout2d", {"p": 1.5}, [(1, 4, 4)], "below 1"),
    ("Dense", {"units": 0}, [(4,)], "units"),
    ("Dense", {"units": -5}, [(4,)], "units"),
    ("Dense", {}, [(1, 4, 4)], "Flatten"),
    ("Dense", {}, [(5, 4)], "per time step"),
    ("Reshape", {"shape": [3, 3]}, [(4, 2)], "Reshape"),
    ("Reshape", {"shape": [-5]}, [(4,)], "positive"),
    ("LayerNorm", {"dims": 3}, [(4,)], "dims"),
    ("Softmax", {"dim": 3}, [(4,)], "dim"),
    ("Concatenate", {"dim": 4}, [(4,), (4,)], "dim"),
    ("Concatenate", {"dim": 1}, [(4, 2), (3, 3)], "same size"),
    ("Add", {}, [(4,), (5,)], "broadcast"),
    ("Multiply", {}, [(4, 5, 5), (3, 1, 1)], "equal or 1"),
    ("Multiply", {}, [(4, 5, 5), (4,)], "Reshape to [4, 1, 1]"),
    ("GCNConv", {}, [(2, 3, 4)], "Flatten"),
    ("GCNConv", {"units": 0}, [(4,)], "units"),
    ("SAGEConv", {}, [(3, 2)], "node features (N, F)"),
    ("GATConv", {"heads": 0}, [(4,)], "heads"),
    ("GATConv", {"dropout": 1.0}, [(4,)], "below 1"),
    ("InnerProductDecoder", {}, [(2, 2)], "Flatten"),
    ("GraphReadout", {"mode": "median"}, [(4,)], "mode"),
    ("GraphInput", {"features": 0}, [], "features"),
    ("MaxPool2d", {"kernel_size": 5, "stride": 2, "ceil_mode": True}, [(1, 2, 2)],
     "larger than its input"),
    ("AdaptiveAvgPool2d", {}, [(4,)], "after a convolution"),
    ("AdaptiveMaxPool1d", {"output_size": 0}, [(2, 4)], "output_size"),
    ("LSTM", {}, [(1, 4, 4)], "Reshape"),
    ("LSTM", {"units": 0}, [(4, 2)], "units"),
    ("GRU", {"dropout": 1.0}, [(4, 2)], "dropout"),
    ("BatchNorm2d", {}, [(4,)], "BatchNorm1d"),
    ("UpSampling2d", {"scale_factor": 0}, [(1, 4, 4)], "scale_factor"),
    ("LocalResponseNorm", {}, [(4,)], "LocalResponseNorm"),
    ("GlobalAvgPool", {}, [(4,)], "after a convolution"),
    ("Step", {"gradient": "sign"}, [(4,)], "straight-through"),
    ("Input", {"shape": [0, 3]}, [], "positive"),
    ("Input", {"shape": []}, [], "list"),
    ("Input", {"shape": [-1, 4]}, [], "only for Reshape"),
    ("Sampling", {}, [(4,), (3,)], "same number of units"),
    ("Embedding", {"num_embeddings": 5, "padding_idx": 5}, [(4,)], "padding_idx"),
    ("Embedding", {"num_embeddings": 0}, [(4,)], "num_embeddings"),
    ("Softplus", {"beta": 0.0}, [(4,)], "beta"),
]


@pytest.mark.parametrize("kind, params, shapes, words", IMPOSSIBLE,
                         ids=[f"{k}-{i}" for i, (k, *_) in enumerate(IMPOSSIBLE)])
def test_impossible_params_are_problems_not_exceptions(kind, params, shapes, words):
    analysis = analyse(layer_doc(kind, params, shapes))
    errors = [p for p in analysis.problems if p.severity == "error"]
    assert errors, f"{kind} {params} on {shapes} was accepted"
    assert errors[0].node == "layer"
    assert words.lower() in errors[0].message.lower(), errors[0].message
    assert "'layer'" in errors[0].message


def test_every_spec_is_documented():
    for spec in SPECS:
        assert spec.description.strip(), spec.type
        for p in spec.params:
            assert p.doc.strip(), f"{spec.type}.{p.name}"
        assert get_spec(spec.type) is spec


def _symbolic(value, name: str, bound: dict):
    """A parameter or size as a named symbolic number (what a block's class sees)."""
    from backend.codegen.symbolic import SymFloat, SymInt

    if isinstance(value, bool) or not isinstance(value, int | float | list):
        return value
    if isinstance(value, list):
        return [_symbolic(v, f"{name}_{i}", bound) for i, v in enumerate(value)]
    bound[name] = value
    return SymInt.name(name, value) if isinstance(value, int) else SymFloat(value, name)


@pytest.mark.parametrize("spec", [s for s in SPECS if s.category != "input"],
                         ids=lambda s: s.type)
def test_code_form_over_symbolic_sizes_builds_the_same_layer(spec):
    """Inside a block class sizes and parameters are constructor arguments: the code form
    printed over symbolic numbers, run with the real ones, makes the same layer."""
    from backend.codegen.body import code_form
    from backend.codegen.symbolic import strict
    from backend.layers import validate_params

    for params, shapes, doc, analysis in valid_cases(spec, 3)[:4]:
        bound: dict = {}
        sym_params = validate_params(spec, {k: _symbolic(v, f"p_{k}", bound)
                                            for k, v in analysis.params["layer"].items()})
        ins = [tuple(_symbolic(d, f"d{i}_{j}", bound) for j, d in enumerate(s))
               for i, s in enumerate(analysis.in_shapes["layer"])]
        assert tuple(spec.shape_rule(ins, sym_params)) == analysis.shapes["layer"]
        with strict():
            form = code_form(spec, sym_params, ins)
            post = [line.format(self="m") for line in form.post]
        built = build_model(doc, analysis).eval()
        ns = {**_namespace(), **bound}
        m = eval(form.init, ns) if form.init else None  # noqa: S307 (trusted spec text)
        if m is not None:
            for line in post:
                exec(line, {**ns, "m": m})  # noqa: S102
            m.load_state_dict(getattr(built, built.node_attrs["layer"]).state_dict())
            m.eval()
        xs = sample_inputs(doc, analysis)
        with torch.no_grad():
            want = built(*xs)
            got = eval(_forward_expr(form, len(xs)), {**ns, "m": m, "xs": xs})  # noqa: S307
        torch.testing.assert_close(got, want, msg=f"{spec.type} {params} {shapes} {form}")
