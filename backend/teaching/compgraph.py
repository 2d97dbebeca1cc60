"""A scalar computation graph: parse an expression, run it forward, backpropagate through it.

`parse("(x + y) * z", {"x": -2, "y": 5, "z": -4})` builds a `ScalarGraph` of input, constant
and gate nodes (gates in gates.py). Constants fold into one-input gates where the course
draws them that way (`a + 1` is a "+1" gate, `1 / a` a "1/x" gate, `-a` a "×−1" gate). A
variable used twice is one input node with two wires: its gradients add up.

`graph.forward()` gives every node's value; `graph.backward()` gives ∂f/∂node for every node,
the gradient carried back along every wire, and the chain-rule line for each wire
("∂f/∂x = ∂f/∂q · 1 = −4 · 1 = −4"). Expressions are parsed with `ast` and only the
arithmetic below is accepted: nothing is ever evaluated as Python. Bad input raises
`ValueError` with one sentence.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field

from backend.teaching.gates import FUNCTIONS, GATES

MAX_NODES = 60

EXAMPLES = {
    "f = (x + y)·z": ("(x + y) * z", {"x": -2.0, "y": 5.0, "z": -4.0}),
    "sigmoid neuron, gate by gate": ("1 / (1 + exp(-(w0*x0 + w1*x1 + w2)))",
                                     {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0,
                                      "w2": -3.0}),
    "sigmoid neuron, one σ gate": ("sigmoid(w0*x0 + w1*x1 + w2)",
                                   {"w0": 2.0, "x0": -1.0, "w1": -3.0, "x1": -2.0, "w2": -3.0}),
    "add, multiply, max": ("2 * (x*y + max(z, w))", {"x": 3.0, "y": -4.0, "z": 2.0, "w": -1.0}),
    "a variable used twice": ("x * x + x", {"x": 3.0}),
}


@dataclass
class GNode:
    id: str
    kind: str  # "input", "const" or a gate name
    inputs: tuple[str, ...] = ()
    value: float = 0.0  # inputs and constants
    param: float | None = None  # the gate's constant (exponent, c of +c / ×c)
    name: str = ""  # variable name, or the intermediate's name (q1, q2, …, f)

    @property
    def label(self) -> str:
        if self.kind == "input":
            return self.name
        if self.kind == "const":
            return fmt(self.value)
        return GATES[self.kind].label(self.param)


@dataclass(frozen=True)
class Wire:
    src: str
    dst: str
    port: int


@dataclass
class Backward:
    grads: dict[str, float]  # ∂f/∂(node output)
    wires: dict[Wire, float]  # the gradient carried back along each wire
    lines: list[str] = field(default_factory=list)  # the chain rule, one line per wire


def fmt(v: float) -> str:
    """A number as the pages print it: whole numbers plain, else 4 significant digits."""
    if v == 0:
        return "0"
    if float(v).is_integer() and abs(v) < 1e9:
        text = str(int(v))
    else:
        text = f"{v:.4g}" if 1e-3 <= abs(v) < 1e6 else f"{v:.2e}"
    return text.replace("-", "−")


class ScalarGraph:
    """Nodes in topological order (inputs first); `output` is the last node."""

    def __init__(self) -> None:
        self.nodes: dict[str, GNode] = {}

    @property
    def output(self) -> str:
        return next(reversed(self.nodes))

    def add(self, kind: str, inputs: tuple[str, ...] = (), value: float = 0.0,
            param: float | None = None, name: str = "") -> str:
        if len(self.nodes) >= MAX_NODES:
            raise ValueError(f"the expression needs more than {MAX_NODES} nodes: use a "
                             "shorter one")
        nid = f"n{len(self.nodes)}"
        self.nodes[nid] = GNode(nid, kind, inputs, float(value), param, name)
        return nid

    def variables(self) -> dict[str, float]:
        return {n.name: n.value for n in self.nodes.values() if n.kind == "input"}

    def set_value(self, name: str, value: float) -> None:
        if not math.isfinite(value):
            raise ValueError(f"{name} needs a finite number")
        for n in self.nodes.values():
            if n.kind == "input" and n.name == name:
                n.value = float(value)
                return
        raise KeyError(name)

    def wires(self) -> list[Wire]:
        return [Wire(src, n.id, i) for n in self.nodes.values() for i, src in
                enumerate(n.inputs)]

    def depths(self) -> dict[str, int]:
        """Longest path from an input: the column each node is drawn in."""
        depth: dict[str, int] = {}
        for n in self.nodes.values():
            depth[n.id] = 1 + max((depth[s] for s in n.inputs), default=-1)
        return depth

    # -- forward and backward -------------------------------------------------------------------
    def forward(self) -> dict[str, float]:
        values: dict[str, float] = {}
        for n in self.nodes.values():
            if n.kind in ("input", "const"):
                values[n.id] = n.value
                continue
            try:
                out = GATES[n.kind].forward([values[s] for s in n.inputs], n.param)
            except (OverflowError, ZeroDivisionError) as exc:
                raise ValueError(f"{n.name} cannot be computed ({exc})") from None
            if not math.isfinite(out):
                raise ValueError(f"{n.name} is not a finite number: change the inputs")
            values[n.id] = out
        return values

    def backward(self, values: dict[str, float] | None = None) -> Backward:
        values = self.forward() if values is None else values
        grads = {nid: 0.0 for nid in self.nodes}
        grads[self.output] = 1.0
        wires: dict[Wire, float] = {}
        lines = ["∂f/∂f = 1 (the output's gradient with respect to itself)"]
        parts: dict[str, list[float]] = {}
        for n in reversed(list(self.nodes.values())):
            if n.kind in ("input", "const"):
                continue
            gate = GATES[n.kind]
            xs = [values[s] for s in n.inputs]
            local = gate.local(xs, values[n.id], n.param)
            names = [self.name(s) for s in n.inputs]
            for port, (src, d) in enumerate(zip(n.inputs, local, strict=True)):
                g = grads[n.id] * d
                wires[Wire(src, n.id, port)] = g
                grads[src] += g
                parts.setdefault(src, []).append(g)
                rule = gate.local_formula(port, names, self.name(n.id), n.param)
                lines.append(f"∂f/∂{self.name(src)} {'+=' if self._fanout(src) > 1 else '='} "
                             f"∂f/∂{self.name(n.id)} · {rule} = "
                             f"{fmt(grads[n.id])} · {fmt(d)} = {fmt(g)}")
        for src, gs in parts.items():
            if len(gs) > 1:
                terms = " + ".join(fmt(g) for g in gs).replace("+ −", "− ")
                lines.append(f"∂f/∂{self.name(src)} = {terms} = {fmt(grads[src])} "
                             "(gradients add where a value branches)")
        return Backward(grads, wires, lines)

    def _fanout(self, nid: str) -> int:
        return sum(nid in n.inputs for n in self.nodes.values())

    def name(self, nid: str) -> str:
        n = self.nodes[nid]
        return n.name or n.label


# -- parsing ----------------------------------------------------------------------------------
def parse(expression: str, values: dict[str, float] | None = None) -> ScalarGraph:
    """The graph of `expression` (variables start at `values`, else 1)."""
    text = expression.strip()
    if not text:
        raise ValueError("type an expression, e.g. (x + y) * z")
    if len(text) > 400:
        raise ValueError("the expression is too long: keep it under 400 characters")
    try:
        tree = ast.parse(text.replace("·", "*").replace("×", "*").replace("−", "-")
                         .replace("^", "**"), mode="eval")
    except SyntaxError:
        raise ValueError(f"'{text}' is not valid arithmetic: check the brackets and that an "
                         "operator stands between every two terms") from None
    builder = _Builder(values or {})
    out = builder.visit(tree.body)
    graph = builder.graph
    if isinstance(out, float):
        raise ValueError("the expression has no variables: use at least one, like x")
    if graph.nodes[out].kind == "input":
        graph.add("mulc", (out,), param=1.0)
    names = iter(f"q{i}" for i in range(1, MAX_NODES + 1))
    for n in graph.nodes.values():
        if n.kind not in ("input", "const"):
            n.name = next(names)
    graph.nodes[graph.output].name = "f"
    return graph


Operand = str | float  # a node id, or a number not yet placed in the graph


class _Builder:
    """Walks the ast; numbers stay numbers until a gate needs them as a node."""

    def __init__(self, values: dict[str, float]):
        self.graph = ScalarGraph()
        self.values = values
        self.names: dict[str, str] = {}

    def node(self, operand: Operand) -> str:
        if isinstance(operand, str):
            return operand
        return self.graph.add("const", value=operand)

    def visit(self, node: ast.AST) -> Operand:
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float) \
                and not isinstance(node.value, bool):
            return float(node.value)
        if isinstance(node, ast.Name):
            return self._variable(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            inner = self.visit(node.operand)
            if isinstance(node.op, ast.UAdd):
                return inner
            return -inner if isinstance(inner, float) else self.graph.add("neg", (inner,))
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._call(node)
        raise ValueError(f"'{ast.unparse(node)}' is not allowed: use numbers, variables, "
                         "+ − × / ^ and exp, log, sqrt, sigmoid, tanh, relu, abs, max, min")

    def _variable(self, name: str) -> str:
        if name in FUNCTIONS:
            raise ValueError(f"'{name}' is a function: call it like {name}(x)")
        if name not in self.names:
            value = float(self.values.get(name, 1.0))
            self.names[name] = self.graph.add("input", value=value, name=name)
        return self.names[name]

    def _binary(self, node: ast.BinOp) -> Operand:
        a, b = self.visit(node.left), self.visit(node.right)
        op = type(node.op)
        if isinstance(a, float) and isinstance(b, float):
            raise ValueError(f"'{ast.unparse(node)}' has only numbers: write its value")
        if op is ast.Pow:
            if not isinstance(b, float):
                raise ValueError("an exponent must be a number (x ^ 2); for e to a power "
                                 "use exp(x)")
            return self.graph.add("pow", (a,), param=b)
        if isinstance(a, float) or isinstance(b, float):
            return self._fold(op, a, b)
        gate = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}.get(op)
        if gate is None:
            raise ValueError(f"the operator in '{ast.unparse(node)}' is not allowed: "
                             "use + − × / ^")
        return self.graph.add(gate, (a, b))

    def _fold(self, op, a: Operand, b: Operand) -> str:
        """A number and a node become a one-input gate (+c, ×c, 1/x, ×−1)."""
        const, other = (a, b) if isinstance(a, float) else (b, a)
        if op is ast.Add:
            return self.graph.add("addc", (other,), param=const)
        if op is ast.Mult:
            if const == -1:
                return self.graph.add("neg", (other,))
            return self.graph.add("mulc", (other,), param=const)
        if op is ast.Sub:
            if isinstance(b, float):
                return self.graph.add("addc", (other,), param=-const)
            return self.graph.add("addc", (self.graph.add("neg", (other,)),), param=const)
        if op is ast.Div:
            if isinstance(b, float):
                if const == 0:
                    raise ValueError("division by zero")
                return self.graph.add("mulc", (other,), param=1.0 / const)
            inv = self.graph.add("inv", (other,))
            return inv if const == 1 else self.graph.add("mulc", (inv,), param=const)
        raise ValueError("only + − × / ^ are allowed between a number and a variable")

    def _call(self, node: ast.Call) -> str:
        name = node.func.id
        gate = FUNCTIONS.get(name)
        if gate is None or node.keywords:
            raise ValueError(f"unknown function '{name}': use one of "
                             f"{', '.join(sorted(FUNCTIONS))}")
        arity = GATES[gate].arity
        if len(node.args) != arity:
            raise ValueError(f"{name} takes {arity} argument{'s' if arity > 1 else ''}, not "
                             f"{len(node.args)}")
        args = [self.visit(a) for a in node.args]
        if all(isinstance(a, float) for a in args):
            raise ValueError(f"'{ast.unparse(node)}' has only numbers: write its value")
        if name == "sqrt":
            return self.graph.add("pow", (args[0],), param=0.5)
        return self.graph.add(gate, tuple(self.node(a) for a in args))
