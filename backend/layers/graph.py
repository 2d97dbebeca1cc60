"""Graph layers: Graph input, GCNConv, SAGEConv, GATConv, InnerProductDecoder, GraphReadout.

A graph network computes over one graph. The Graph input provides its node features x, shape
(N, F) with the nodes as the leading axis (so Dense, activations and dropout work per node),
and its adjacency adj, (N, N). Message-passing layers take both (ports x and adj) and give new
node features; the InnerProductDecoder turns node embeddings into scores for every node pair
(N, N) for link prediction; the readout pools the nodes into one vector for the graph (1, F).
What each wire carries is checked by backend/kinds.py (a Dense fed the adjacency is a problem
with its fix). The modules are plain torch (graph_modules.py), copied into exported code.
"""

from __future__ import annotations

from backend.kinds import ADJACENCY, GRAPHS, NODES, PAIRS, shape_text
from backend.layers._common import BIAS
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, Port, ShapeError

GRAPH_PORTS = (Port("x", kind=NODES), Port("adj", kind=ADJACENCY))
UNITS = Param("units", "int", 16, "Number of output features per node.", min=1,
              max=1_000_000)


def _node_features(kind: str, shape) -> int:
    if len(shape) != 1:
        raise ShapeError(f"{kind} expects node features {shape_text(('F',), NODES)} but "
                         f"receives {shape_text(shape, NODES)}: insert a Flatten before it")
    return shape[0]


def _module(name: str, *args, **kwargs):
    from backend.layers import graph_modules

    return getattr(graph_modules, name)(*args, **kwargs)


def _bias_arg(p: dict) -> str:
    return "" if p["bias"] else ", bias=False"


register(LayerSpec(
    type="GraphInput", category="input",
    description="Where a graph enters the network: its node features x (N, F) and its "
                "adjacency adj (N, N), from a graph dataset (karate club, SBM, your files).",
    params=(Param("features", "int", 34, "Number of features per node (F), e.g. 34 for the "
                  "karate club's one-hot node identities.", min=1, max=1_000_000),),
    inputs=(), outputs=("x", "adj"), output_kinds=(NODES, ADJACENCY),
    shape_rule=lambda ins, p: (p["features"],),
    build=lambda p, s: None,
    code=lambda p, s: CodeForm(None, "{x}"),
))


def _conv_shape(kind: str, out):
    def rule(ins, p):
        _node_features(kind, ins[0])
        return (out(p),)
    return rule


register(LayerSpec(
    type="GCNConv", category="graph",
    description="Graph convolution: each node averages its own and its neighbours' features "
                "with the symmetric normalisation D^-1/2 (A + I) D^-1/2, then a dense layer "
                "(Kipf & Welling).",
    params=(UNITS, BIAS), inputs=GRAPH_PORTS,
    shape_rule=_conv_shape("GCNConv", lambda p: p["units"]),
    build=lambda p, s: _module("GCNConv", s[0][0], p["units"], p["bias"]),
    code=lambda p, s: CodeForm(f"GCNConv({s[0][0]}, {p['units']}{_bias_arg(p)})",
                               "{self}({xs})", helpers=("GCNConv",)),
    param_count=lambda p, s: s[0][0] * p["units"] + (p["units"] if p["bias"] else 0),
))

register(LayerSpec(
    type="SAGEConv", category="graph",
    description="GraphSAGE: a node's own features and the mean of its neighbours' features, "
                "each through its own dense layer, added (Hamilton et al.).",
    params=(UNITS, BIAS), inputs=GRAPH_PORTS,
    shape_rule=_conv_shape("SAGEConv", lambda p: p["units"]),
    build=lambda p, s: _module("SAGEConv", s[0][0], p["units"], p["bias"]),
    code=lambda p, s: CodeForm(f"SAGEConv({s[0][0]}, {p['units']}{_bias_arg(p)})",
                               "{self}({xs})", helpers=("SAGEConv",)),
    param_count=lambda p, s: 2 * s[0][0] * p["units"] + (p["units"] if p["bias"] else 0),
))


def _gat_width(p: dict) -> int:
    return p["units"] * p["heads"] if p["concat"] else p["units"]


def _gat_code(p: dict, s) -> CodeForm:
    args = [str(s[0][0]), str(p["units"])]
    if p["heads"] != 1:
        args.append(f"heads={p['heads']}")
    if not p["concat"]:
        args.append("concat=False")
    if p["dropout"]:
        args.append(f"dropout={p['dropout']!r}")
    if not p["bias"]:
        args.append("bias=False")
    return CodeForm(f"GATConv({', '.join(args)})", "{self}({xs})", helpers=("GATConv",))


def _gat_count(p: dict, s) -> int:
    hidden = p["heads"] * p["units"]
    return s[0][0] * hidden + 2 * hidden + (_gat_width(p) if p["bias"] else 0)


register(LayerSpec(
    type="GATConv", category="graph",
    description="Graph attention: each node averages itself and its neighbours with learned "
                "attention weights (softmax over the neighbours), one set per head "
                "(Veličković et al.).",
    params=(UNITS,
            Param("heads", "int", 1, "Number of attention heads, each with its own weights.",
                  min=1, max=64),
            Param("concat", "bool", True, "Join the heads' outputs side by side (units × "
                  "heads features); off: average them (units features, usual for the last "
                  "layer)."),
            Param("dropout", "float", 0.0, "Share of attention weights dropped while "
                  "training.", min=0.0, max=1.0, exclusive_max=True),
            BIAS),
    inputs=GRAPH_PORTS,
    shape_rule=_conv_shape("GATConv", _gat_width),
    build=lambda p, s: _module("GATConv", s[0][0], p["units"], p["heads"], p["concat"],
                               p["dropout"], p["bias"]),
    code=_gat_code, param_count=_gat_count,
))


def _decoder_shape(ins, p):
    _node_features("InnerProductDecoder", ins[0])
    return ()


register(LayerSpec(
    type="InnerProductDecoder", category="graph",
    description="Graph autoencoder decoder: scores every pair of nodes by the inner product "
                "of their embeddings, σ(Z Zᵀ), the probability of an edge (link prediction).",
    params=(Param("sigmoid", "bool", True, "Apply σ so the scores are edge probabilities; "
                  "off: raw scores Z Zᵀ (logits)."),),
    inputs=(Port("in", kind=NODES),), output_kinds=(PAIRS,),
    shape_rule=_decoder_shape,
    build=lambda p, s: _module("InnerProductDecoder", p["sigmoid"]),
    code=lambda p, s: CodeForm("InnerProductDecoder(" + ("" if p["sigmoid"] else
                                                         "sigmoid=False") + ")",
                               helpers=("InnerProductDecoder",)),
))


def _readout_shape(ins, p):
    return (_node_features("GraphReadout", ins[0]),)


register(LayerSpec(
    type="GraphReadout", category="graph",
    description="Global pooling for graph-level tasks: one vector for the whole graph, the "
                "mean, sum or maximum over its nodes, (N, F) → (1, F).",
    params=(Param("mode", "choice", "mean", "How the nodes' features are pooled.",
                  choices=("mean", "sum", "max")),),
    inputs=(Port("in", kind=NODES),), output_kinds=(GRAPHS,),
    shape_rule=_readout_shape,
    build=lambda p, s: _module("GraphReadout", p["mode"]),
    code=lambda p, s: CodeForm("GraphReadout(" + ("" if p["mode"] == "mean" else
                                                  repr(p["mode"])) + ")",
                               helpers=("GraphReadout",)),
))
