"""Where each node's module sits in the built (and exported) model: `layer1.0.conv1`.

`module_paths(doc, analysis)` maps every node that has a module, inside blocks too, to its
dotted path in the state dict, keyed by the node's id path joined with "/" (copies of a
repeated block by their index: `"layer1/0/conv1"`). The builder registers modules at exactly
these paths and the probes and the summary read them, so all three agree without torch.

Inside a sequential definition entries are numbered in order and a repeated block's copies
are consecutive entries; such a block has no module of its own, and its key gets the range
of its entries (`"layer3.1-5"`) for display.
"""

from __future__ import annotations

from backend.graph.definition import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT, BlockDef, uses
from backend.graph.document import GraphDocument
from backend.graph.naming import attribute_names
from backend.shape_blocks import is_repeated
from backend.shapes import Analysis

NO_MODULE = ("Input", "GraphInput", BLOCK_INPUT, BLOCK_OUTPUT)


def module_paths(doc: GraphDocument, analysis: Analysis) -> dict[str, str]:
    """Id path -> module path of every layer, block and block copy."""
    return {key: path for key, (path, _) in _graph(doc.root.blocks, doc, analysis).items()}


def layer_paths(doc: GraphDocument, analysis: Analysis) -> dict[str, str]:
    """Id path -> module path of the layers only (each parameter in exactly one)."""
    return {key: path for key, (path, kind) in _graph(doc.root.blocks, doc, analysis).items()
            if kind == "layer"}


def _order(graph: GraphDocument, analysis: Analysis) -> list[str]:
    return [n for n in analysis.order if n in graph.nodes
            and graph.nodes[n].type not in NO_MODULE]


Paths = dict[str, tuple[str, str]]  # id path -> (module path, "layer" | "block" | "copy")


def _graph(blocks: dict, graph: GraphDocument, analysis: Analysis) -> Paths:
    names = attribute_names(graph)
    out: Paths = {}
    for nid in _order(graph, analysis):
        attr = names[nid]
        if graph.nodes[nid].type != BLOCK:
            out[nid] = (attr, "layer")
            continue
        out[nid] = (attr, "block")
        for key, (rel, kind) in _block(blocks, graph.nodes[nid], analysis, nid).items():
            out[f"{nid}/{key}"] = (f"{attr}.{rel}", kind)
    return out


def _block(blocks: dict, node, analysis: Analysis, nid: str) -> Paths:
    """Paths inside one Block node, relative to its module."""
    defn = blocks.get(uses(node.params) or "")
    runs = analysis.instances.get(nid, [])
    if defn is None or not runs:
        return {}
    copies = [_copy(blocks, defn, run) for run in runs]
    if not is_repeated(node.params):
        return copies[0]
    out: Paths = {}
    for k, paths in enumerate(copies):
        out[str(k)] = (str(k), "copy")
        out.update({f"{k}/{key}": (f"{k}.{rel}", kind) for key, (rel, kind) in paths.items()})
    return out


def _copy(blocks: dict, defn: BlockDef, run: Analysis) -> Paths:
    if not defn.sequential:
        return _graph(blocks, defn.graph, run)
    out: Paths = {}
    index = 0
    for nid in _order(defn.graph, run):
        node = defn.graph.nodes[nid]
        if node.type != BLOCK:
            out[nid] = (str(index), "layer")
            index += 1
            continue
        inner = _block(blocks, node, run, nid)
        if is_repeated(node.params):
            count = len(run.instances.get(nid, []))
            span = f"{index}-{index + count - 1}" if count > 1 else str(index)
            out[nid] = (span, "block")
            for key, (rel, kind) in inner.items():
                k, _, rest = rel.partition(".")
                out[f"{nid}/{key}"] = (f"{index + int(k)}{'.' + rest if rest else ''}", kind)
            index += count
            continue
        out[nid] = (str(index), "block")
        out.update({f"{nid}/{key}": (f"{index}.{rel}", kind) for key, (rel, kind) in
                    inner.items()})
        index += 1
    return out


def probe_labels(doc: GraphDocument, analysis: Analysis) -> dict[str, str]:
    """What the training views call each probed layer: a design node by its title, a layer
    inside a block by its module path (`layer2.1.conv1`)."""
    labels = {key: path for key, path in module_paths(doc, analysis).items() if "/" in key}
    labels.update({nid: (n.title or nid) for nid, n in doc.nodes.items()})
    return labels


def with_block_heat(heat: dict[str, float]) -> dict[str, float]:
    """Gradient heat per layer (0 vanishing, 1 exploding) plus, for each block in the design,
    the heat of its worst layer (the one farthest from healthy 0.5), to paint the block."""
    out = dict(heat)
    for key, value in heat.items():
        if "/" in key:
            block = key.split("/", 1)[0]
            if block not in out or abs(value - 0.5) > abs(out[block] - 0.5):
                out[block] = value
    return out
