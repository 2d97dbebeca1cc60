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

import copy
import weakref
from dataclasses import dataclass

from backend.graph.definition import BLOCK, BLOCK_INPUT
from backend.graph.document import GraphDocument
from backend.graph.model import Edge
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
    warnings: dict[str, list[Problem]] | None = None  # design warnings per layer


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
    from backend.graph.lint import stacked_dense

    result.memo.warnings = stacked_dense(doc, result, _Sources(result.memo.inputs))


def reanalyse(doc: GraphDocument, previous):
    """The analysis of `doc` after edits since `previous`, or None if it must run whole."""
    from backend.shapes import Analyser

    memo = previous.memo
    key = structure_key(doc)
    if not isinstance(memo, Memo) or memo.doc is not doc or key is None:
        return None
    plan = memo.plan if key == memo.key else (_replan(doc, memo, key)
                                              or Analyser(doc).graph_plan(doc, None))
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
    result.problems += _warnings(doc, result, memo, plan)
    return result


def _warnings(doc, result, memo: Memo, plan) -> list[Problem]:
    """The design warnings (backend/graph/lint.py), found again only for the layers an edit
    can change them for."""
    from backend.graph.lint import affected, in_order, stacked_dense

    new = result.memo
    into = _Sources(new.inputs)
    touched = result.changed if plan is memo.plan else plan.touched
    if memo.warnings is None or plan.succ is None or touched is None:
        new.warnings = stacked_dense(doc, result, into)
        return in_order(doc, new.warnings)
    if plan is not memo.plan:  # layers now on or after a cycle lose their shape
        touched = touched | (memo.inputs.keys() - new.inputs.keys())
    redo = affected(doc, plan.succ, touched | result.changed)
    warnings = {nid: found for nid, found in memo.warnings.items()
                if nid not in redo and nid in doc.nodes}
    warnings.update(stacked_dense(doc, result, into, redo))
    new.warnings = warnings
    return in_order(doc, warnings)


class _Sources:
    """Layer -> the layers wired into it, read from a memo's inputs (the plan's steps; a layer
    on or after a cycle has none, and no Dense after it has a shape to warn about)."""

    def __init__(self, inputs: dict[str, tuple]) -> None:
        self.inputs = inputs

    def get(self, nid: str, default: tuple = ()) -> tuple:
        found = self.inputs.get(nid)
        return found[0] if found is not None else default


def _replan(doc: GraphDocument, memo: Memo, key: tuple):
    """The plan after an edit of the structure, through the one traversal: the order is
    found again, and only the steps and structural checks of the layers and wires the edit
    touched are made again (None: plan whole)."""
    from backend.graph.traverse import dependency_graph, replan, topological_order
    from backend.shapes import GraphPlan

    old_checks = memo.plan.checks
    touched = _touched(memo.key, key)
    if old_checks is None or touched is None:
        return None
    nodes, edges, fresh = touched
    checks = copy.copy(old_checks)
    for name in ("unknown", "misplaced", "wires", "ports"):
        setattr(checks, name, dict(getattr(old_checks, name)))
    checks.recheck(doc, nodes, edges)
    succ = dependency_graph(doc)
    order, cyclic = topological_order(doc, succ)
    checks.whole(doc, cyclic, succ)
    problems = checks.problems(doc)
    broken = {p.node for p in problems if p.severity == "error"}
    return GraphPlan(replan(doc, order, memo.plan.steps, fresh), problems, broken, None,
                     checks, succ, nodes)


def _touched(old: tuple, new: tuple) -> tuple[set[str], set[Edge], set[str]] | None:
    """What a structural edit touched: (layers to check again, wires to check again,
    layers whose inputs changed); None when wires were reordered (plan whole)."""
    changed = _retitled(old, new, gone=True)
    old_mid, new_mid = _middles(old[1], new[1])
    old_ids, new_ids = {id(e) for e in old_mid}, {id(e) for e in new_mid}  # wires are kept
    if ([id(e) for e in old_mid if id(e) in new_ids]  # by undo: the same objects come back
            != [id(e) for e in new_mid if id(e) in old_ids]):
        return None
    added = {e for e in new_mid if id(e) not in old_ids}
    removed = {e for e in old_mid if id(e) not in new_ids}
    edges = added | ({e for e in new[1] if e.src in changed or e.dst in changed}
                     if changed else set())
    fresh = {e.dst for e in edges | removed}
    return changed | fresh, edges, fresh


def _middles(old: tuple, new: tuple) -> tuple[tuple, tuple]:
    """The parts of two sequences between their common beginning and end (an edit changes a
    few layers or wires of thousands)."""
    n = min(len(old), len(new))
    start = 0
    while start < n and (old[start] is new[start] or old[start] == new[start]):
        start += 1
    end = 0
    while end < n - start and (old[-1 - end] is new[-1 - end]
                               or old[-1 - end] == new[-1 - end]):
        end += 1
    return old[start:len(old) - end], new[start:len(new) - end]


def _retitled(old: tuple, new: tuple, gone: bool = False) -> set[str]:
    """Layers that are new or whose type or title changed (messages name them); with `gone`,
    the layers deleted too."""
    old_mid, new_mid = _middles(old[0], new[0])
    before = {nid: rest for nid, *rest in old_mid}
    found = {nid for nid, *rest in new_mid if before.get(nid) != rest}
    if gone:
        found |= before.keys() - {n[0] for n in new_mid}
    return found


def _walk(doc, plan, memo, previous, result, walk_problems, retitled) -> dict[str, tuple]:
    """Infer again what changed, in the traversal's order; the inputs of those inferred.

    A retitled layer is inferred again, and so are the layers it feeds (their messages may
    name it)."""
    from backend.shapes import infer_node

    changed: set[str] = set(retitled)
    broken = plan.broken
    fresh: dict[str, tuple] = {}
    inputs_before, params_before = memo.inputs.get, memo.params.get
    for step in plan.steps:
        node = step.node
        nid = node.id
        inputs = (step.sources, step.ports, nid in broken)
        if (inputs_before(nid) == inputs and params_before(nid) == node.params
                and nid not in retitled
                and not (changed and not changed.isdisjoint(step.sources))):
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
