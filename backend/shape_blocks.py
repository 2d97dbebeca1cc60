"""Shape inference for Block nodes: arguments, repeats, and the checks of a definition.

A Block node binds its definition's parameters (its `args`, evaluated in the enclosing scope,
else the defaults), then runs the definition's body once per repeat through the analyser's
walk, copy k+1 taking copy k's outputs as inputs. Its output shapes, parameter count and
running statistics are those of the last copy and the sum over copies. Clean runs are cached
by (definition, arguments, input shapes), so a block repeated with the same inputs is checked
once. Problems of a definition's structure are reported once, whichever copy meets them.
"""

from __future__ import annotations

from backend.graph.definition import BLOCK, BLOCK_INPUT, BLOCK_OUTPUT, BlockDef, uses
from backend.graph.expr import ExprError, expressions_of, is_expression, names
from backend.graph.problems import Problem
from backend.graph.validate import PATH_SEP, label, title
from backend.layers import Param, ParamError
from backend.layers.params import coerce

MAX_REPEAT = 1000
REPEAT = Param("repeat", "int", 1, "How many copies of the block run one after another.",
               min=1, max=MAX_REPEAT)


def is_repeated(params: dict) -> bool:
    """A block builds a numbered sequence of copies (names `layer1.0`, `layer1.1`, ...) when
    its repeat count is an expression or a number above 1."""
    repeat = params.get("repeat", 1)
    return is_expression(repeat) or (isinstance(repeat, int) and repeat > 1)


def block_args(defn: BlockDef, params: dict, scope: dict | None, where: str) -> dict:
    """The definition's parameters bound for one Block node (defaults where not given)."""
    from backend.shapes import scoped

    given = params.get("args") or {}
    for name in given:
        if defn.param(name) is None:
            takes = ", ".join(p.name for p in defn.params) or "none"
            raise ParamError(f"block '{defn.label}' has no parameter '{name}' (it takes: "
                             f"{takes}): remove that argument")
    out = {}
    for p in defn.params:
        value = scoped(given.get(p.name, p.default), scope, where)
        out[p.name] = coerce(Param(p.name, p.kind, p.default, p.doc, p.min, p.max), value)
    return out


def block_repeat(params: dict, scope: dict | None, where: str) -> int:
    from backend.shapes import scoped

    return coerce(REPEAT, scoped(params.get("repeat", 1), scope, where))


def infer_block(an, graph, step, result, broken, scope, prefix) -> None:
    """Analyse one Block node of `graph` (the design or a block body) into `result`."""
    node, nid = step.node, step.node.id
    name = label(graph, nid, prefix)
    defn = an.blocks.get(uses(node.params) or "")
    problem = _usage_problem(an, node, defn, name)
    if problem:
        result.problems.append(Problem(nid, problem))
        return
    gp = an.graph_plan(defn.graph, defn)
    _lift(result, nid, (), _nested_problems(an, defn, [defn.id]))
    bound = _bind(graph, step, result, defn, scope, prefix)
    if bound is None:
        return
    args, repeat = bound
    from backend.shapes import source_shapes

    ins = source_shapes(result, step)
    if nid in broken or any(s is None for s in ins) or gp.broken or not defn.outputs():
        return
    result.in_shapes[nid] = ins
    if repeat > 1 and len(defn.inputs()) != len(defn.outputs()):
        result.problems.append(Problem(nid, f"{name} repeats block '{defn.label}', which has "
                                            f"{len(defn.inputs())} inputs but "
                                            f"{len(defn.outputs())} outputs: a repeated block "
                                            "needs as many outputs as inputs; set repeat to 1"))
        return
    from backend.kinds import source_kinds

    dtypes = [result.dtypes.get(src, "float32") for src in step.sources]
    feed = {p: (s, d, k) for p, s, d, k in zip(defn.inputs(), ins, dtypes,
                                                source_kinds(result, step), strict=False)}
    _run_copies(an, graph, step, result, defn, args, repeat, feed, prefix)


def _nested_problems(an, defn: BlockDef, seen: list[str]) -> list[Problem]:
    """Problems of a definition's structure and of every definition it uses (through the
    Block nodes of its body), each with the id path to where it is."""
    out = list(an.graph_plan(defn.graph, defn).problems)
    for nid, node in defn.graph.nodes.items():
        inner = an.blocks.get(uses(node.params) or "") if node.type == BLOCK else None
        if inner is None or inner.id in seen:
            continue
        for p in _nested_problems(an, inner, [*seen, inner.id]):
            path = p.path or ((p.node,) if p.node is not None else ())
            out.append(Problem(nid, p.message, p.severity, path=(nid, *path)))
    return out


def _bind(graph, step, result, defn, scope, prefix) -> tuple[dict, int] | None:
    """The node's arguments and repeat count, recorded as its params; None (and a problem)
    when they do not fit the definition."""
    nid = step.node.id
    where = f"'{title(graph, nid, prefix)}'"
    try:
        args = block_args(defn, step.node.params, scope, where)
        repeat = block_repeat(step.node.params, scope, where)
    except ParamError as exc:
        result.problems.append(Problem(nid, f"{label(graph, nid, prefix)}: {exc}"))
        return None
    result.params[nid] = {"definition": defn.id, "args": args, "repeat": repeat}
    return args, repeat


def _usage_problem(an, node, defn, name) -> str | None:
    if defn is None:
        wanted = uses(node.params)
        if wanted is None:
            return f"{name} names no block definition: choose one, or delete the node"
        return (f"{name} uses block '{wanted}', which this design does not define: add that "
                "block to the design, or delete the node")
    if defn.id in an.active:
        return (f"{name} uses block '{defn.label}' inside itself: a block cannot contain "
                "itself; use another block here")
    return None


def _run_copies(an, graph, step, result, defn, args, repeat, feed, prefix) -> None:
    nid = step.node.id
    repeated = is_repeated(step.node.params)
    here = title(graph, nid, prefix)
    runs = []
    outs: list = []
    for r in range(repeat):
        inner = an.instance(defn, feed, args, f"{here}{PATH_SEP}block {r}" if repeated else here)
        runs.append(inner)
        _lift(result, nid, (r,) if repeated else (), inner.problems)
        outs = [inner.shapes.get(q) for q in defn.outputs()]
        if not inner.ok or any(s is None for s in outs):
            result.instances[nid] = runs
            return
        dtypes = [inner.dtypes.get(q, "float32") for q in defn.outputs()]
        kinds = [inner.kinds.get(q, "") for q in defn.outputs()]
        feed = {p: (outs[k], dtypes[k], kinds[k]) for k, p in enumerate(defn.inputs())
                if k < len(outs)}
    result.instances[nid] = runs
    for q, shape in zip(defn.outputs(), outs, strict=True):
        result.port_shapes[(nid, q)] = shape
    result.shapes[nid] = outs[0]
    result.dtypes[nid] = runs[-1].dtypes.get(defn.outputs()[0], "float32")
    for i, q in enumerate(defn.outputs()):
        kind = runs[-1].kinds.get(q, "")
        if kind and i == 0:
            result.kinds[nid] = kind
        if kind:
            result.port_kinds[(nid, q)] = kind
    result.counts[nid] = sum(run.total_params for run in runs)
    result.states[nid] = sum(run.running_stats for run in runs)
    result.counters[nid] = sum(run.batch_counters for run in runs)


def _lift(result, nid: str, copy: tuple, problems: list[Problem]) -> None:
    """Report inner problems on the Block node, each message once per node."""
    seen = {(p.node, p.message) for p in result.problems}
    for p in problems:
        if (nid, p.message) in seen:
            continue
        seen.add((nid, p.message))
        inner = p.path or ((p.node,) if p.node is not None else ())
        result.problems.append(Problem(nid, p.message, p.severity,
                                       path=(nid, *copy, *inner)))


# -- checks of a definition, independent of its uses --------------------------------------------
def definition_problems(defn: BlockDef, prefix: str) -> list[Problem]:
    body = defn.graph
    problems = []
    if body.nodes and not defn.outputs():
        problems.append(Problem(None, f"block '{prefix}' has no BlockOutput: add one where "
                                      "data leaves the block"))
    for nid, node in body.nodes.items():
        problems += _expression_problems(defn, nid, node, prefix)
    if defn.sequential and not _is_chain(defn):
        problems.append(Problem(None, f"block '{prefix}' is marked sequential but its layers "
                                      "are not one chain from one BlockInput to one "
                                      "BlockOutput: make it a chain, or turn sequential off"))
    return problems


def _expression_problems(defn, nid, node, prefix) -> list[Problem]:
    known = [p.name for p in defn.params]
    for text in expressions_of(node):
        try:
            missing = [n for n in names(text) if n not in known]
        except ExprError as exc:
            return [Problem(nid, f"{label(defn.graph, nid, prefix)}: {exc}")]
        if missing:
            takes = ", ".join(known) or "none yet"
            return [Problem(nid, f"{label(defn.graph, nid, prefix)}: {text} refers to "
                                 f"'{missing[0]}', which block '{prefix}' does not have (its "
                                 f"parameters: {takes}): correct the name or add the "
                                 "parameter to the block")]
    return []


def _is_chain(defn: BlockDef) -> bool:
    body = defn.graph
    if len(defn.inputs()) != 1 or len(defn.outputs()) != 1:
        return False
    nxt: dict[str, list[str]] = {}
    fed: dict[str, int] = {}
    for e in body.edges:
        nxt.setdefault(e.src, []).append(e.dst)
        fed[e.dst] = fed.get(e.dst, 0) + 1
    here, seen = defn.inputs()[0], 1
    while body.nodes[here].type != BLOCK_OUTPUT:
        following = nxt.get(here, [])
        if len(following) != 1 or fed.get(following[0]) != 1:
            return False
        here, seen = following[0], seen + 1
    return seen == len(body.nodes) and body.nodes[defn.inputs()[0]].type == BLOCK_INPUT
