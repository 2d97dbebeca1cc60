"""Shape inference: the output shape and parameter count of every node, and every problem.

`analyse(doc)` never raises for a bad design: unknown types, cycles, invalid parameters and
impossible shapes all become `Problem`s naming the node with the fix in words. Derived data
lives here, beside the document, never in it.

Blocks are analysed through the same walk: a Block node runs its definition's body once per
repeat with the shapes wired into it and its arguments bound (backend/shape_blocks.py); each
run is an `Analysis` of the body, kept in `instances`, so a view of a block's inside reads it
exactly as the design's view reads the top level. Problems inside a block are reported on the
outermost Block node with the readable path to the inner node (`layer2 › block 1 › conv1`)
and its id path (`Problem.path`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.graph.definition import BLOCK, BLOCK_INPUT, BlockDef
from backend.graph.document import GraphDocument
from backend.graph.expr import ExprError, has_expressions, resolve
from backend.graph.fixes import attach_fixes
from backend.graph.lint import design_warnings, in_order
from backend.graph.model import Edge
from backend.graph.problems import Problem
from backend.graph.traverse import Step, dependency_graph, plan, topological_order
from backend.graph.validate import StructureChecks, check_structure, label, title
from backend.kinds import SQUARE, check_kinds
from backend.kinds import shape_text as kind_text
from backend.layers import ParamError, Shape, ShapeError, get_spec, validate_params
from backend.layers._common import fmt

COUNTER = "num_batches_tracked"


@dataclass
class Analysis:
    shapes: dict[str, Shape | None] = field(default_factory=dict)
    in_shapes: dict[str, list[Shape]] = field(default_factory=dict)
    params: dict[str, dict] = field(default_factory=dict)  # validated params per node
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    dtypes: dict[str, str] = field(default_factory=dict)  # "float32" unless int64 indices
    port_shapes: dict[tuple[str, str], Shape] = field(default_factory=dict)  # block outputs
    states: dict[str, int] = field(default_factory=dict)  # running statistics per node
    counters: dict[str, int] = field(default_factory=dict)  # num_batches_tracked per node
    instances: dict[str, list[Analysis]] = field(default_factory=dict)  # per Block node
    # what a node's output carries when not ordinary samples (backend/kinds.py): graph
    # nodes, the adjacency, node-pair scores or whole graphs; per port for several outputs
    kinds: dict[str, str] = field(default_factory=dict)
    port_kinds: dict[tuple[str, str], str] = field(default_factory=dict)
    in_kinds: dict[str, list[str]] = field(default_factory=dict)  # only where not all samples
    # what the next analysis after an edit reuses (backend/shapes_incremental.py)
    memo: object = field(default=None, repr=False, compare=False)
    # the layers inferred again since the previous analysis; None: all of them (a full one)
    changed: set[str] | None = field(default=None, repr=False, compare=False)
    # with `changed`: a weak reference to the analysis this one was derived from
    base: object = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def total_params(self) -> int:
        return sum(self.counts.values())

    @property
    def trainable_params(self) -> int:
        return self.total_params  # no layer freezes its parameters

    @property
    def non_trainable_params(self) -> int:
        return self.total_params - self.trainable_params

    @property
    def running_stats(self) -> int:
        """Non-trainable state: BatchNorm running means and variances."""
        return sum(self.states.values())

    @property
    def batch_counters(self) -> int:
        """BatchNorm num_batches_tracked counters (one integer per layer)."""
        return sum(self.counters.values())

    def edge_shape(self, edge: Edge) -> Shape | None:
        return self.port_shapes.get((edge.src, edge.src_port), self.shapes.get(edge.src))

    def problems_for(self, node_id: str) -> list[Problem]:
        return [p for p in self.problems if p.node == node_id]

    def shape_text(self, node_id: str) -> str:
        shape = self.shapes.get(node_id)
        return "?" if shape is None else kind_text(shape, self.kinds.get(node_id, ""))

    def in_texts(self, node_id: str) -> list[str]:
        """The shapes wired into a node as users read them, in port order."""
        kinds = self.in_kinds.get(node_id, [])
        return [kind_text(s, kinds[i] if i < len(kinds) else "")
                for i, s in enumerate(self.in_shapes.get(node_id, []))]

    def edge_kind(self, edge: Edge) -> str:
        return self.port_kinds.get((edge.src, edge.src_port), self.kinds.get(edge.src, ""))

    def edge_text(self, edge: Edge) -> str:
        """The tensor a wire carries as users read it: (B, 16, 5, 5), (N, 16), (N, N)."""
        shape = self.edge_shape(edge)
        return "?" if shape is None else kind_text(shape, self.edge_kind(edge))

    def inner(self, path: tuple) -> Analysis | None:
        """The analysis of the block copy at `path` (("layer2", 1) or ("stem",)), or None."""
        here: Analysis | None = self
        items = list(path)
        while items and here is not None:
            runs = here.instances.get(items.pop(0), [])
            k = items.pop(0) if items and isinstance(items[0], int) else 0
            here = runs[k] if k < len(runs) else None
        return here


@dataclass
class GraphPlan:
    """What a graph's structure alone says, computed once per analysis and per graph."""

    steps: list[Step]
    problems: list[Problem]
    broken: set[str]
    definition: BlockDef | None = None
    checks: StructureChecks | None = None  # the structural problems by what they depend on
    succ: dict[str, set[str]] | None = None  # the layers each layer feeds
    touched: set[str] | None = None  # planned after an edit: the layers it touched


def analyse(doc: GraphDocument, previous: Analysis | None = None) -> Analysis:
    """Shapes, counts and problems of `doc`. With `previous` (an earlier analysis of the same
    document, before some edits), only the layers an edit can change are inferred again:
    the result is exactly what a full analysis gives (backend/shapes_incremental.py)."""
    from backend.shapes_incremental import reanalyse, remember

    result = reanalyse(doc, previous) if previous is not None else None
    if result is None:
        analyser = Analyser(doc)
        result = analyser.design()
        remember(doc, result, analyser.plans[id(doc)])
        memo = result.memo
        result.problems += in_order(doc, memo.warnings) if memo is not None else \
            design_warnings(doc, result)
    attach_fixes(doc, result)
    return result


class Analyser:
    """One analysis of a design: per-graph plans, cached block runs, the recursion guard."""

    def __init__(self, doc: GraphDocument, cache: bool = True) -> None:
        self.doc = doc
        self.blocks = doc.root.blocks
        self.plans: dict[int, GraphPlan] = {}
        self.cache: dict | None = {} if cache else None
        self.active: list[str] = []

    def design(self) -> Analysis:
        result = Analysis()
        gp = self.graph_plan(self.doc, None)
        result.problems = list(gp.problems)
        self.walk(self.doc, gp, result, None, "")
        return result

    def graph_plan(self, graph: GraphDocument, defn: BlockDef | None) -> GraphPlan:
        gp = self.plans.get(id(graph))
        if gp is None:
            from backend.shape_blocks import definition_problems

            succ = dependency_graph(graph)
            order, cyclic = topological_order(graph, succ)
            prefix = defn.label if defn is not None else ""
            checks = check_structure(graph, cyclic, succ, prefix, defn is not None)
            problems = checks.problems(graph)
            if defn is not None:
                problems += definition_problems(defn, prefix)
            broken = {p.node for p in problems if p.severity == "error"}
            gp = self.plans[id(graph)] = GraphPlan(plan(graph, order), problems, broken, defn,
                                                   checks, succ)
        return gp

    def instance(self, defn: BlockDef, feed: dict, args: dict, prefix: str) -> Analysis:
        """One run of a definition's body with `feed` entering and `args` bound."""
        key = None
        if self.cache is not None:
            key = (defn.id, tuple(args.items()), tuple(sorted(feed.items())))
            hit = self.cache.get(key)
            if hit is not None:
                return hit
        gp = self.graph_plan(defn.graph, defn)
        inner = Analysis()
        self.active.append(defn.id)
        try:
            self.walk(defn.graph, gp, inner, args, prefix, feed)
        finally:
            self.active.pop()
        if key is not None and not inner.problems:
            self.cache[key] = inner
        return inner

    def walk(self, graph: GraphDocument, gp: GraphPlan, result: Analysis, scope: dict | None,
             prefix: str, feed: dict | None = None) -> None:
        """Infer every node of `graph` in order; `scope` binds the block's parameters and
        `feed` the shapes (and dtypes) entering its BlockInputs."""
        from backend.shape_blocks import infer_block

        for step in gp.steps:
            result.order.append(step.node.id)
            if step.node.type == BLOCK:
                infer_block(self, graph, step, result, gp.broken, scope, prefix)
            elif step.node.type == BLOCK_INPUT:
                if feed is not None and step.node.id in feed:
                    shape, dtype, *kind = feed[step.node.id]
                    result.shapes[step.node.id] = shape
                    result.dtypes[step.node.id] = dtype
                    result.params[step.node.id] = {}
                    if kind and kind[0]:
                        result.kinds[step.node.id] = kind[0]
            else:
                infer_node(graph, step, result, gp.broken, scope, prefix)


def source_shapes(result: Analysis, step: Step) -> list[Shape | None]:
    """The shapes wired into a step's node, in port order (block outputs per port)."""
    if not result.port_shapes:  # no block outputs here: one shape per node
        return [result.shapes.get(src) for src in step.sources]
    ports = step.ports or ("out",) * len(step.sources)
    return [result.port_shapes.get((src, port), result.shapes.get(src))
            for src, port in zip(step.sources, ports, strict=True)]


def scoped(value, scope: dict | None, where: str):
    """`value` with its expressions evaluated over the block parameters in `scope`."""
    if not has_expressions(value):
        return value
    if scope is None:
        raise ParamError(f"{value!r} refers to block parameters, but {where} is not inside a "
                         "block: give a number")
    try:
        return resolve(value, scope)
    except ExprError as exc:
        raise ParamError(f"{exc}: use the block's parameters ({', '.join(scope) or 'none'})"
                         ) from None


def infer_node(doc, step, result, broken, scope, prefix) -> None:
    """Infer one layer (not a Block) from the results of its sources, into `result`."""
    node, nid = step.node, step.node.id
    spec = get_spec(node.type)
    if spec is None or (nid in broken and any(has_expressions(v) for v in node.params.values())):
        return
    try:
        raw = node.params
        if any(has_expressions(v) for v in raw.values()):
            where = f"'{title(doc, nid, prefix)}'"
            raw = {k: scoped(v, scope, where) for k, v in raw.items()}
        params = validate_params(spec, raw)
    except ParamError as exc:
        result.problems.append(Problem(nid, f"{label(doc, nid, prefix)}: {exc}"))
        return
    result.params[nid] = params
    ins = source_shapes(result, step)
    if nid in broken or any(s is None for s in ins):
        return
    result.in_shapes[nid] = ins
    dtype_problem = _track_dtype(doc, step, params, result, prefix)
    if dtype_problem:
        result.problems.append(Problem(nid, dtype_problem))
        return
    kind_problem = check_kinds(doc, step, spec, result, ins, label(doc, nid, prefix))
    if kind_problem:
        result.problems.append(Problem(nid, kind_problem))
        return
    _apply_rule(doc, spec, nid, ins, params, result, prefix)


def _apply_rule(doc, spec, nid, ins, params, result, prefix) -> None:
    try:
        out = tuple(spec.shape_rule(ins, params))
        if any(d < 1 for d in out):
            raise ShapeError(f"{spec.type} would produce an empty output {fmt(out)}: "
                             "use a smaller kernel or stride, or a larger input")
        result.shapes[nid] = out
        if len(spec.outputs) > 1:  # a Graph input: node features and the adjacency
            for port in spec.outputs:
                result.port_shapes[(nid, port)] = () if result.port_kinds.get(
                    (nid, port)) in SQUARE else out
        result.counts[nid] = spec.param_count(params, ins)
        buffers = spec.buffers(params, ins)
        if buffers:
            result.states[nid] = sum(v for k, v in buffers.items() if k != COUNTER)
            result.counters[nid] = buffers.get(COUNTER, 0)
    except ShapeError as exc:
        result.problems.append(Problem(nid, _name_node(str(exc), spec.type,
                                                       label(doc, nid, prefix))))
    except Exception as exc:  # a rule bug must not take the app down
        result.problems.append(Problem(nid, f"{label(doc, nid, prefix)} could not be checked "
                                            f"({exc}): adjust its parameters"))


KEEPS_DTYPE = {"Flatten", "Reshape", "Identity", "Concatenate", "BlockOutput"}
TAKES_INDICES = {"Embedding"}


def _track_dtype(doc, step, params, result, prefix) -> str | None:
    """Record the node's element type; a sentence if it cannot take int64 indices."""
    nid = step.node.id
    kinds = [result.dtypes.get(src, "float32") for src in step.sources]
    if step.node.type == "Input":
        result.dtypes[nid] = params.get("dtype", "float32")
    elif step.node.type in KEEPS_DTYPE and kinds and all(k == "int64" for k in kinds):
        result.dtypes[nid] = "int64"
    elif "int64" in kinds and step.node.type not in TAKES_INDICES and \
            step.node.type not in KEEPS_DTYPE:
        return (f"{label(doc, nid, prefix)} cannot compute with whole-number indices (int64) "
                "from the Input: set the Input's dtype to float32 (int64 is for indices fed "
                "to an Embedding)")
    elif step.node.type in TAKES_INDICES and any(k != "int64" for k in kinds):
        return (f"{label(doc, nid, prefix)} looks up whole-number token indices but receives "
                "float32 values: set the Input's dtype to int64 and feed it token indices")
    return None


def _name_node(message: str, kind: str, name: str) -> str:
    if message.startswith(kind + " "):
        return name + message[len(kind):]
    return f"{name}: {message}"
