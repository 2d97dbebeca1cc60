"""The network summary: one row per layer (inside blocks too) and the counts a course prints.

Shared by `netwright summary` (text and --json) and the designer's Summary panel. Rows follow
the traversal order; a Block row is followed, when expanded, by the layers of each of its
copies, named by their module path as in the state dict (`layer2.1.conv1`). The totals
separate what Keras and PyTorch count differently: trainable parameters, non-trainable
parameters, and non-trainable state (BatchNorm running means and variances), which Keras lists
among its non-trainable params, so "Keras counts" adds them; BatchNorm's num_batches_tracked
counters are shown on their own and never counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from backend.graph.definition import BLOCK, uses
from backend.graph.document import GraphDocument
from backend.graph.validate import title
from backend.module_paths import module_paths
from backend.shape_blocks import is_repeated
from backend.shapes import Analysis


@dataclass(frozen=True)
class Row:
    name: str  # the title at the top level, the module path inside blocks
    type: str  # layer type; a block shows its definition and repeat ("Block BasicBlock ×2")
    shape: str
    params: int | None
    state: int | None  # running statistics (non-trainable state)
    node: str  # the top-level node the row belongs to (for selecting it)
    depth: int = 0  # 0 for the design's own nodes, 1+ inside blocks


def rows(doc: GraphDocument, analysis: Analysis, expand: bool = False) -> list[Row]:
    order = [n for n in analysis.order if n in doc.nodes]
    listed = set(order)
    order += [n for n in doc.nodes if n not in listed]
    blocks = expand and any(n.type == BLOCK for n in doc.nodes.values())
    paths = module_paths(doc, analysis) if blocks else {}
    out: list[Row] = []
    for nid in order:
        out.append(_row(doc, analysis, nid, title(doc, nid), nid, 0))
        if blocks and doc.nodes[nid].type == BLOCK:
            out += _inner_rows(doc, analysis, nid, nid, nid, 1, paths)
    return out


def layer_row(doc: GraphDocument, analysis: Analysis, nid: str) -> Row:
    """The row of one of the design's own layers (as `rows` gives it)."""
    return _row(doc, analysis, nid, title(doc, nid), nid, 0)


def _row(graph, analysis, nid, name, owner, depth) -> Row:
    node = graph.nodes[nid]
    kind = node.type
    if kind == BLOCK:
        defn = graph.root.blocks.get(uses(node.params) or "")
        repeat = analysis.params.get(nid, {}).get("repeat", node.params.get("repeat", 1))
        kind = f"Block {defn.label if defn else '?'}" + (f" ×{repeat}" if repeat != 1 else "")
    return Row(name, kind, analysis.shape_text(nid), analysis.counts.get(nid),
               analysis.states.get(nid), owner, depth)


def _inner_rows(graph, analysis, nid, key, owner, depth, paths) -> list[Row]:
    """Rows for the layers of every copy of Block node `nid`, named by module path."""
    node = graph.nodes[nid]
    defn = graph.root.blocks.get(uses(node.params) or "")
    if defn is None:
        return []
    body = defn.graph
    out = []
    for k, run in enumerate(analysis.instances.get(nid, [])):
        prefix = f"{key}/{k}" if is_repeated(node.params) else key
        for inner in [n for n in run.order if n in body.nodes]:
            if body.nodes[inner].type in ("BlockInput", "BlockOutput"):
                continue
            here = f"{prefix}/{inner}"
            out.append(_row(body, run, inner, paths.get(here, here), owner, depth))
            if body.nodes[inner].type == BLOCK:
                out += _inner_rows(body, run, inner, here, owner, depth + 1, paths)
    return out


def totals(analysis: Analysis) -> dict:
    """The counts, as --json adds them to the summary."""
    return {
        "total_params": analysis.total_params,
        "trainable_params": analysis.trainable_params,
        "non_trainable_params": analysis.non_trainable_params,
        "non_trainable_state": analysis.running_stats,
        "batch_counters": analysis.batch_counters,
        "keras_total": analysis.total_params + analysis.running_stats,
    }


def memory_summary_lines(doc: GraphDocument, analysis: Analysis) -> list[str]:
    """What the weights and one training batch take in memory (none while shapes are unknown)."""
    if not analysis.ok:
        return []
    from backend.memory import design_estimate, memory_lines

    return memory_lines(design_estimate(doc, analysis))


def totals_lines(analysis: Analysis) -> list[str]:
    """The counts in words, one line each."""
    t = totals(analysis)
    lines = [f"Total params: {t['total_params']:,}   Trainable: {t['trainable_params']:,}   "
             f"Non-trainable: {t['non_trainable_params']:,}"]
    if t["non_trainable_state"] or t["batch_counters"]:
        lines.append(f"Non-trainable state: {t['non_trainable_state']:,} BatchNorm running "
                     f"means and variances (plus {t['batch_counters']:,} num_batches_tracked "
                     "counters, not counted)")
        lines.append(f"Keras counts the running statistics as non-trainable params: "
                     f"{t['keras_total']:,} in all")
    return lines
