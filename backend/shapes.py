"""Shape inference: the output shape and parameter count of every node, and every problem.

`analyse(doc)` never raises for a bad design: unknown types, cycles, invalid parameters and
impossible shapes all become `Problem`s naming the node with the fix in words. Derived data
lives here, beside the document, never in it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.graph.document import GraphDocument
from backend.graph.lint import design_warnings
from backend.graph.model import Edge
from backend.graph.problems import Problem
from backend.graph.traverse import dependency_graph, plan, topological_order
from backend.graph.validate import label, structural_problems
from backend.layers import ParamError, Shape, ShapeError, get_spec, validate_params
from backend.layers._common import fmt


@dataclass
class Analysis:
    shapes: dict[str, Shape | None] = field(default_factory=dict)
    in_shapes: dict[str, list[Shape]] = field(default_factory=dict)
    params: dict[str, dict] = field(default_factory=dict)  # validated params per node
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    dtypes: dict[str, str] = field(default_factory=dict)  # "float32" unless int64 indices

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def total_params(self) -> int:
        return sum(self.counts.values())

    @property
    def trainable_params(self) -> int:
        return self.total_params

    def edge_shape(self, edge: Edge) -> Shape | None:
        return self.shapes.get(edge.src)

    def problems_for(self, node_id: str) -> list[Problem]:
        return [p for p in self.problems if p.node == node_id]

    def shape_text(self, node_id: str) -> str:
        shape = self.shapes.get(node_id)
        return "?" if shape is None else fmt(shape)


def analyse(doc: GraphDocument) -> Analysis:
    result = Analysis()
    graph = dependency_graph(doc)
    order, cyclic = topological_order(doc, graph)
    result.problems = structural_problems(doc, cyclic, graph)
    broken = {p.node for p in result.problems if p.severity == "error"}
    for step in plan(doc, order):
        result.order.append(step.node.id)
        _infer_node(doc, step, result, broken)
    result.problems += design_warnings(doc, result)
    return result


def _infer_node(doc, step, result, broken) -> None:
    node, nid = step.node, step.node.id
    spec = get_spec(node.type)
    if spec is None:
        return
    try:
        params = validate_params(spec, node.params)
    except ParamError as exc:
        result.problems.append(Problem(nid, f"{label(doc, nid)}: {exc}"))
        return
    result.params[nid] = params
    ins = [result.shapes.get(src) for src in step.sources]
    if nid in broken or any(s is None for s in ins):
        return
    result.in_shapes[nid] = ins
    dtype_problem = _track_dtype(doc, step, params, result)
    if dtype_problem:
        result.problems.append(Problem(nid, dtype_problem))
        return
    try:
        out = tuple(spec.shape_rule(ins, params))
        if any(d < 1 for d in out):
            raise ShapeError(f"{spec.type} would produce an empty output {fmt(out)}: "
                             "use a smaller kernel or stride, or a larger input")
        result.shapes[nid] = out
        result.counts[nid] = spec.param_count(params, ins)
    except ShapeError as exc:
        result.problems.append(Problem(nid, _name_node(str(exc), spec.type, label(doc, nid))))
    except Exception as exc:  # a rule bug must not take the app down
        result.problems.append(Problem(nid, f"{label(doc, nid)} could not be checked ({exc}): "
                                            "adjust its parameters"))


KEEPS_DTYPE = {"Flatten", "Reshape", "Identity", "Concatenate"}
TAKES_INDICES = {"Embedding"}


def _track_dtype(doc, step, params, result) -> str | None:
    """Record the node's element type; a sentence if it cannot take int64 indices."""
    nid = step.node.id
    kinds = [result.dtypes.get(src, "float32") for src in step.sources]
    if step.node.type == "Input":
        result.dtypes[nid] = params.get("dtype", "float32")
    elif step.node.type in KEEPS_DTYPE and kinds and all(k == "int64" for k in kinds):
        result.dtypes[nid] = "int64"
    elif "int64" in kinds and step.node.type not in TAKES_INDICES and \
            step.node.type not in KEEPS_DTYPE:
        return (f"{label(doc, nid)} cannot compute with whole-number indices (int64) from "
                "the Input: set the Input's dtype to float32 (int64 is for indices fed to "
                "an Embedding)")
    return None


def _name_node(message: str, kind: str, name: str) -> str:
    if message.startswith(kind + " "):
        return name + message[len(kind):]
    return f"{name}: {message}"
