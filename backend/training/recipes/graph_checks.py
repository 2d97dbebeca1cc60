"""What the graph recipes check before training (torch-free): a graph dataset, one Graph
input whose node features fit it, one output of the kind the task needs, and the layer whose
node embeddings the embedding view shows.

Every problem is a `Problem` (backend.graph.problems): one sentence naming the node and the
fix, with a one-click `Fix` where the fix is mechanical (a feature count, a number of units).
"""

from __future__ import annotations

from backend.graph.document import GraphDocument
from backend.graph.ops import SetParams, SetSection
from backend.graph.problems import Fix, Problem
from backend.graph.traverse import model_inputs, model_outputs
from backend.graph.validate import label
from backend.kinds import GRAPHS, NODES, PAIRS
from backend.training.recipes.base import Setting

GRAPH_SOURCES = ("karate", "sbm", "graph_csv", "graph_npz")
PASS_THROUGH = ("Dropout", "Identity", "GaussianNoise")

EMBEDDING_NODE = Setting(
    "embedding_node", "node", None, "The layer whose output the embedding view shows in 2-D "
    "(the nodes' learned features). Empty: the last hidden layer (the encoder's output for "
    "a graph autoencoder).", label="embedding layer")


def graph_inputs(doc: GraphDocument) -> list[str]:
    return [n for n in model_inputs(doc) if doc.nodes[n].type == "GraphInput"]


def is_graph_design(doc: GraphDocument) -> bool:
    return bool(graph_inputs(doc))


def output_kind(doc: GraphDocument, analysis) -> str | None:
    """What the design's single output carries (None: not exactly one output)."""
    outputs = model_outputs(doc)
    return analysis.kinds.get(outputs[0], "") if len(outputs) == 1 else None


def data_problems(doc: GraphDocument, data_cfg, info, task: str, analysis) -> list[Problem]:
    """A graph dataset, exactly one input (a Graph input) with the dataset's features, and
    exactly one output."""
    if info.kind != "graph":
        return [Problem(None, f"the task {task} needs a graph dataset but '{info.name}' is not "
                              f"one: choose {', '.join(GRAPH_SOURCES)} as the dataset")]
    inputs, graphs = model_inputs(doc), graph_inputs(doc)
    if not graphs:
        where = f"with {label(doc, inputs[0])}" if inputs else "without an input"
        return [Problem(inputs[0] if inputs else None, f"the task {task} needs a Graph input "
                        f"(node features and adjacency) but the design starts {where}: replace "
                        "it with a Graph input")]
    if len(inputs) != 1:
        return [Problem(None, f"training needs exactly one Graph input but the design has "
                              f"{len(inputs)} inputs: keep one")]
    outputs = model_outputs(doc)
    if len(outputs) != 1:
        names = ", ".join(label(doc, o) for o in outputs) or "none"
        return [Problem(None, f"training needs exactly one output (a layer nothing else reads) "
                              f"but the design has {len(outputs)} ({names}): connect or remove "
                              "the extra ones")]
    have = (analysis.params.get(graphs[0]) or {}).get("features")
    want = info.input_shape[0] if info.input_shape else None
    if have is not None and want is not None and have != want:
        fix = f"set its features to {want}"
        if data_cfg is not None and data_cfg.name == "sbm" and \
                data_cfg.options.get("features") == "gaussian":
            fix += f" or set the dataset's feature_dim to {have}"
        return [Problem(graphs[0], f"{label(doc, graphs[0])} has {have} features per node but "
                                   f"dataset '{info.name}' gives {want}: {fix}",
                        fix=param_fix(doc, graphs[0], "features", want))]
    return []


def param_fix(doc: GraphDocument, nid: str, key: str, value) -> Fix:
    """Set one parameter of a layer (one undo step)."""
    words = {"features": "features", "units": "units"}.get(key, key)
    return Fix(f"Set the {words} of {label(doc, nid)} to {value}",
               lambda d: SetParams(nid, {**d.nodes[nid].params, key: value}))


def training_fix(words: str, key: str, value) -> Fix:
    """Change one training setting (one undo step)."""
    return Fix(words, lambda d: SetSection("training",
                                           {**(d.sections.get("training") or {}), key: value}))


def node_output_problems(doc: GraphDocument, info, analysis) -> list[Problem]:
    """Node classification: one score per class and node, (N, classes)."""
    out = model_outputs(doc)[0]
    kind, shape = analysis.kinds.get(out, ""), analysis.shapes.get(out)
    if kind == PAIRS:
        return [Problem(out, f"{label(doc, out)} scores node pairs, which is link prediction: "
                             "set the task to link_prediction, or end with a layer giving one "
                             "score per class",
                        fix=training_fix("Set the task to link prediction", "task",
                                         "link_prediction"))]
    if kind == GRAPHS:
        return [Problem(out, f"{label(doc, out)} gives one vector for the whole graph but node "
                             "classification needs a prediction per node: remove the readout")]
    if kind != NODES or shape is None:
        return []
    k = info.num_classes
    if len(shape) != 1 or shape[0] < k:
        fix = (f"set its units to {k}" if len(shape) == 1 else
               f"end with a GCNConv or Dense layer of {k} units")
        units = len(shape) == 1 and "units" in doc.nodes[out].params
        return [Problem(out, f"the output layer {label(doc, out)} gives "
                             f"(N, {', '.join(map(str, shape))}) but dataset '{info.name}' has "
                             f"{k} classes: {fix}",
                        fix=param_fix(doc, out, "units", k) if units else None)]
    return []


def last_hidden(doc: GraphDocument, analysis) -> str | None:
    """The default embedding layer: what feeds the output layer (the decoder's input for a
    graph autoencoder), stepping back over dropout; the output itself for a one-layer net."""
    outputs = model_outputs(doc)
    if len(outputs) != 1:
        return None
    node = outputs[0]
    edges = [e for e in doc.in_edges(node) if e.dst_port in ("in", "x")]
    if not edges:
        return node
    src = edges[0].src
    while doc.nodes[src].type in PASS_THROUGH:
        before = doc.in_edges(src)
        if not before:
            break
        src = before[0].src
    return node if doc.nodes[src].type in ("GraphInput", "Input") else src


def embedding_problem(doc: GraphDocument, node_id: str | None) -> Problem | None:
    if node_id is None:
        return None
    clear = training_fix("Show the last hidden layer's embeddings", "embedding_node", None)
    if node_id not in doc.nodes:
        return Problem(None, f"the embedding layer '{node_id}' (training setting "
                             "'embedding_node') is not in the design: choose a layer or clear "
                             "the setting", fix=clear)
    if doc.nodes[node_id].type == "GraphInput":
        return Problem(node_id, f"the embedding layer {label(doc, node_id)} is the Graph input: "
                                "choose a layer after it (training setting 'embedding_node')",
                       fix=clear)
    return None
