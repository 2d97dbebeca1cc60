"""Re-analysis after an edit: only the layers an edit can change are inferred again.

A full analysis (backend/shapes.py) leaves a `Memo` in `Analysis.memo`: the design's
structure (layer ids, types and titles in document order, and the wires), the plan of the one
traversal for it, the parameters each layer was inferred with, and the problems the walk found
per layer. `reanalyse(doc, previous)` then

- reuses the plan (order, structural problems) when the structure is unchanged (a parameter
  edit), and otherwise plans again through the same traversal (adding, deleting or rewiring a
  layer);
- walks the plan in order and infers a layer again only when its parameters, its inputs
  (wires, ports, whether it is broken) or the output of a layer feeding it changed; a layer
  whose output (shape, element type, kind) comes out as before stops the change there, so a
  parameter edit that keeps the output shape costs one layer, not everything downstream;
- copies every other layer's shapes, counts and problems from the previous analysis.

The result equals a full analysis exactly (a property test compares them after random edit
sequences). Designs with blocks are analysed whole: a block's body is shared by its uses and
edited in place, so a change inside it is not seen from the design's own layers.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from backend.graph.definition import BLOCK, BLOCK_INPUT
from backend.graph.document import GraphDocument
from backend.graph.problems import Problem

PER_NODE = ("shapes", "in_shapes", "params", "counts", "dtypes", "states", "counters", "kinds",
            "in_kinds", "instances")
PER_PORT = ("port_shapes", "port_kinds")


@dataclass
class Memo:
    doc: GraphDocument
    key: tuple  # the structure: (layer id, type, title) in order, and the wires
    plan: object  # shapes.GraphPlan of the design
    params: dict[str, dict]  # the parameters each layer was inferred with (copies)
    inputs: dict[str, tuple]  # layer -> (sources, their ports, broken) when inferred
    walk_problems: dict[str, list[Problem]]  # problems the walk found, per layer


def structure_key(doc: GraphDocument) -> tuple | None:
    """What the plan and the structural problems depend on; None when the design holds
    blocks (analysed whole)."""
    if doc.blocks:
        return None
    nodes = tuple((nid, n.type, n.title) for nid, n in doc.nodes.items())
    if any(n[1] in (BLOCK, BLOCK_INPUT) for n in nodes):
        return None
    return nodes, tuple(doc.edges)


def remember(doc: GraphDocument, result, plan, key: tuple | None = None) -> None:
    """Attach the memo a later `reanalyse` starts from (after a walk, before warnings)."""
    key = structure_key(doc) if key is None else key
    if key is None:
        return
    walk_problems: dict[str, list[Problem]] = {}
    for p in result.problems[len(plan.problems):]:
        walk_problems.setdefault(p.node, []).append(p)
    broken = plan.broken
    result.memo = Memo(doc, key, plan, {s.node.id: dict(s.node.params) for s in plan.steps},
                       {s.node.id: (s.sources, s.ports, s.node.id in broken)
                        for s in plan.steps}, walk_problems)


def reanalyse(doc: GraphDocument, previous):
    """The analysis of `doc` after edits since `previous`, or None if it must run whole."""
    from backend.shapes import Analyser

    memo = previous.memo
    key = structure_key(doc)
    if not isinstance(memo, Memo) or memo.doc is not doc or key is None:
        return None
    plan = memo.plan if key == memo.key else Analyser(doc).graph_plan(doc, None)
    order = [s.node.id for s in plan.steps]
    result = _copy(previous, set(order))
    result.order = order
    walk_problems = dict(memo.walk_problems)
    for gone in set(memo.inputs).difference(result.order):
        walk_problems.pop(gone, None)
    retitled = set() if key == memo.key else _retitled(memo.key, key)
    fresh = _walk(doc, plan, memo, previous, result, walk_problems, retitled)
    result.problems = list(plan.problems) + [p for nid in order
                                             for p in walk_problems.get(nid, ())]
    _remember_walk(doc, result, plan, key, memo, walk_problems, fresh)
    result.changed = set(fresh)
    result.base = weakref.ref(previous)
    return result


def _retitled(old: tuple, new: tuple) -> set[str]:
    """Layers that are new or whose type or title changed (messages name them)."""
    before = {nid: rest for nid, *rest in old[0]}
    return {nid for nid, *rest in new[0] if before.get(nid) != rest}


def _walk(doc, plan, memo, previous, result, walk_problems, retitled) -> dict[str, tuple]:
    """Infer again what changed, in the traversal's order; the inputs of those inferred.

    A retitled layer is inferred again, and so are the layers it feeds (their messages may
    name it)."""
    from backend.shapes import infer_node

    changed: set[str] = set(retitled)
    broken = plan.broken
    fresh: dict[str, tuple] = {}
    for step in plan.steps:
        nid = step.node.id
        inputs = (step.sources, step.ports, nid in broken)
        if (nid not in retitled and memo.inputs.get(nid) == inputs
                and memo.params.get(nid) == step.node.params
                and not (changed and any(src in changed for src in step.sources))):
            continue
        fresh[nid] = inputs
        before = _outputs(previous, nid) if nid in memo.inputs else None
        _forget(result, nid)
        start = len(result.problems)
        infer_node(doc, step, result, broken, None, "")
        found = result.problems[start:]
        del result.problems[start:]
        if found:
            walk_problems[nid] = found
        else:
            walk_problems.pop(nid, None)
        if _outputs(result, nid) != before:
            changed.add(nid)
    return fresh


def _remember_walk(doc, result, plan, key, memo, walk_problems, fresh) -> None:
    if not fresh and plan is memo.plan:
        result.memo = Memo(doc, key, plan, memo.params, memo.inputs, walk_problems)
        return
    order = set(result.order)
    params = {nid: p for nid, p in memo.params.items() if nid in order}
    inputs = {nid: i for nid, i in memo.inputs.items() if nid in order}
    for nid, ins in fresh.items():
        params[nid] = dict(doc.nodes[nid].params)
        inputs[nid] = ins
    result.memo = Memo(doc, key, plan, params, inputs, walk_problems)


def _copy(previous, keep: set[str]):
    """A new Analysis holding the previous per-layer results of the layers in `keep`."""
    from backend.shapes import Analysis

    result = Analysis()
    for name in PER_NODE:
        old = getattr(previous, name)
        setattr(result, name, dict(old) if keep.issuperset(old.keys())
                else {k: v for k, v in old.items() if k in keep})
    for name in PER_PORT:
        setattr(result, name, {k: v for k, v in getattr(previous, name).items()
                               if k[0] in keep})
    return result


def _forget(result, nid: str) -> None:
    for name in PER_NODE:
        getattr(result, name).pop(nid, None)
    for name in PER_PORT:
        table = getattr(result, name)
        for k in [k for k in table if k[0] == nid]:
            del table[k]


def _outputs(analysis, nid: str) -> tuple:
    """What the layers fed by `nid` read from it."""
    ports = tuple((k, v) for k, v in analysis.port_shapes.items() if k[0] == nid) \
        if analysis.port_shapes else ()
    kinds = tuple((k, v) for k, v in analysis.port_kinds.items() if k[0] == nid) \
        if analysis.port_kinds else ()
    return (analysis.shapes.get(nid), analysis.dtypes.get(nid), analysis.kinds.get(nid),
            ports, kinds)
