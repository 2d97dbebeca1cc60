"""What a wire carries besides its shape: samples, a graph's nodes, its adjacency, scores of
node pairs, or whole graphs.

Ordinary data has a leading batch axis B of samples. A graph network computes over one graph:
its node features are (N, F), the nodes taking the place of the batch (so Dense, activations,
dropout and normalisation work per node unchanged), and its adjacency is (N, N). Shapes in
the analysis exclude the leading axis as always; the kind says what that axis is and marks
the tensors only graph layers take: the adjacency (a graph layer's `adj` port) and the
InnerProductDecoder's node-pair scores (the output of a link predictor). A readout pools
the nodes into one vector for the graph, (1, F). Both square kinds have the shape () in the
analysis; `shape_text` writes them (N, N).

`check_kinds` runs for every layer during shape inference: it records the kind of the
layer's outputs and returns one sentence, naming the layer and the fix, when an input
carries something the layer cannot take (a Dense fed the adjacency, a GCNConv fed ordinary
samples).
"""

from __future__ import annotations

from functools import lru_cache

SAMPLES, NODES, ADJACENCY, PAIRS, GRAPHS = "", "nodes", "adjacency", "pairs", "graphs"
SQUARE = (ADJACENCY, PAIRS)
GRAPH_LAYERS = "GCNConv, SAGEConv or GATConv"


def shape_text(shape, kind: str = SAMPLES) -> str:
    """(B, 16, 5, 5) for samples, (N, 16) for node features, (N, N), (1, 16) for a graph."""
    try:
        return _shape_text(shape, kind)
    except TypeError:  # a shape given as a list: not kept
        return _shape_text.__wrapped__(shape, kind)


@lru_cache(maxsize=4096)  # a big design repeats the same few shapes thousands of times
def _shape_text(shape, kind: str) -> str:
    if kind in SQUARE:
        return "(N, N)"
    lead = {NODES: "N", GRAPHS: "1"}.get(kind, "B")
    return "(" + ", ".join([lead, *(str(d) for d in shape)]) + ")"


def source_kinds(result, step) -> list[str]:
    """The kind of each wire into a step's node, in port order."""
    ports = step.ports or ("out",) * len(step.sources)
    return [result.port_kinds.get((src, port), result.kinds.get(src, SAMPLES))
            for src, port in zip(step.sources, ports, strict=True)]


def _what(kind: str, shape) -> str:
    if kind == ADJACENCY:
        return "the adjacency (N, N)"
    if kind == PAIRS:
        return "the node-pair scores (N, N)"
    if kind == GRAPHS:
        return f"a whole-graph vector {shape_text(shape, kind)}"
    if kind == NODES:
        return f"node features {shape_text(shape, kind)}"
    return f"ordinary samples {shape_text(shape, kind)}"


def _port_problem(name: str, port, kind: str, shape, src: str, own: str) -> str | None:
    """A sentence when a wire of `kind` from `src` cannot go into `port`."""
    want = port.kind
    if want == ADJACENCY and kind != ADJACENCY:
        return (f"{name} needs the graph's adjacency on its {port.name} port but receives "
                f"{_what(kind, shape)} from {src}: wire the Graph input's adj output into "
                f"{port.name}")
    if want == ADJACENCY or kind == want:
        return None
    if kind == ADJACENCY:
        if want == NODES:
            return (f"{name} receives the adjacency on its {port.name} port: wire the node "
                    f"features (the Graph input's x output, or a layer after it) into "
                    f"{port.name} and the adjacency into adj")
        return (f"{name} is fed the adjacency (N, N) of {src}: the adjacency only goes into "
                f"a graph layer's adj port ({GRAPH_LAYERS}); wire the node features (the "
                f"Graph input's x output) into '{own}' instead")
    if kind == PAIRS:
        return (f"{name} is fed the node-pair scores (N, N) of {src}: an "
                "InnerProductDecoder's scores are the network's output for link "
                "prediction; connect nothing after it")
    if want != NODES:
        return None
    if kind == GRAPHS:
        return (f"{name} needs node features but receives {_what(kind, shape)} from {src}: "
                "put the readout after the graph layers")
    return (f"{name} computes over a graph's nodes but receives {_what(kind, shape)} from "
            f"{src}: start the design with a Graph input and wire its x output here")


def _merge_problem(name: str, kinds: list[str], node_type: str) -> str | None:
    data = set(kinds) - {ADJACENCY}
    if NODES in data and SAMPLES in data:
        return (f"{name} mixes node features with ordinary samples: feed all its inputs from "
                "the same Graph input")
    if NODES in data and GRAPHS in data and node_type not in ("Add", "Multiply"):
        return (f"{name} cannot join a whole-graph vector (1, F) with node features (N, F): "
                "use Add or Multiply, which apply the graph's vector to every node")
    return None


def _inherited(kinds: list[str]) -> str:
    data = [k for k in kinds if k != ADJACENCY]
    if NODES in data:
        return NODES
    if data and all(k == GRAPHS for k in data):
        return GRAPHS
    return SAMPLES


def check_kinds(doc, step, spec, result, ins, name: str) -> str | None:
    """Record the kinds of the node's outputs; a sentence if an input cannot go where it is
    wired. `ins` are the input shapes in port order, `name` the node as messages name it."""
    from backend.graph.validate import label

    nid = step.node.id
    kinds = source_kinds(result, step)
    if any(kinds):
        result.in_kinds[nid] = kinds
    ports = (spec.inputs if len(spec.inputs) == len(kinds) or not spec.inputs
             else [spec.inputs[0]] * len(kinds))
    own = step.node.title or nid
    for port, kind, shape, src in zip(ports, kinds, ins, step.sources, strict=False):
        problem = _port_problem(name, port, kind, shape, label(doc, src), own)
        if problem:
            return problem
    if len(kinds) > 1:
        problem = _merge_problem(name, kinds, step.node.type)
        if problem:
            return problem
    base = _inherited(kinds)
    outs = spec.outputs or ("out",)
    for i, port in enumerate(outs):
        kind = spec.output_kinds[i] if i < len(spec.output_kinds) and spec.output_kinds[i] \
            else base
        if i == 0 and kind:
            result.kinds[nid] = kind
        if len(outs) > 1 and kind:
            result.port_kinds[(nid, port)] = kind
    return None
