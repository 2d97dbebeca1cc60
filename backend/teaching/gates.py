"""The gates of a scalar computation graph: forward value, local derivatives, and the rule.

Each `Gate` computes its output from its inputs (and an optional constant `param`, e.g. the
exponent of `pow` or the c of `+c`), gives the local derivative ∂out/∂input for every input,
and states its backward rule in words ("add distributes", "multiply swaps", "max routes").
At a tie or a kink the local derivative is the one torch uses (max/min split the gradient
equally between tied inputs; relu and abs have slope 0 at 0), so the numbers match autograd.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


@dataclass(frozen=True)
class Gate:
    name: str
    symbol: str  # drawn inside the gate; "{c}" is replaced by the constant
    arity: int
    forward: Callable[[list[float], float | None], float]
    local: Callable[[list[float], float, float | None], list[float]]
    rule: str  # the backward rule in words
    local_text: tuple[str, ...]  # ∂out/∂input_i over {a}, {b} (inputs), {out} and {c}

    def local_formula(self, port: int, names: list[str], out: str,
                      param: float | None) -> str:
        """∂out/∂input `port` written with the wires' names, e.g. 'z' for ∂(q·z)/∂q."""
        a, b = (names + [""])[:2]
        return self.local_text[port].format(a=a, b=b, out=out, c=_short(param))

    def label(self, param: float | None) -> str:
        return self.symbol.replace("{c}", _short(param)) if param is not None else self.symbol


def _short(v: float | None) -> str:
    if v is None:
        return ""
    text = str(int(v)) if float(v).is_integer() else f"{v:g}"
    return text.replace("-", "−")


def _split(a: float, b: float, pick_a: bool) -> list[float]:
    if a == b:
        return [0.5, 0.5]
    return [1.0, 0.0] if pick_a else [0.0, 1.0]


def _log(a: float) -> float:
    if a <= 0:
        raise ValueError(f"log needs a positive input, not {a:g}")
    return math.log(a)


def _pow(a: float, c: float) -> float:
    if a < 0 and not float(c).is_integer():
        raise ValueError(f"a negative number ({a:g}) to the power {c:g} is not a real number")
    if a == 0 and c < 0:
        raise ValueError(f"0 to the power {c:g} divides by zero")
    return a ** c


def _inv(a: float) -> float:
    if a == 0:
        raise ValueError("1/x at x = 0 divides by zero")
    return 1.0 / a


def _div(a: float, b: float) -> float:
    if b == 0:
        raise ValueError("division by zero")
    return a / b


def _exp(a: float) -> float:
    if a > 700:
        raise ValueError(f"exp({a:g}) is too large to compute")
    return math.exp(a)


GATES: dict[str, Gate] = {g.name: g for g in (
    Gate("add", "+", 2, lambda x, c: x[0] + x[1], lambda x, o, c: [1.0, 1.0],
         "add distributes: every input receives the incoming gradient unchanged",
         ("1", "1")),
    Gate("sub", "−", 2, lambda x, c: x[0] - x[1], lambda x, o, c: [1.0, -1.0],
         "subtract passes the gradient to the first input and its negative to the second",
         ("1", "−1")),
    Gate("mul", "×", 2, lambda x, c: x[0] * x[1], lambda x, o, c: [x[1], x[0]],
         "multiply swaps: each input receives the gradient times the other input",
         ("{b}", "{a}")),
    Gate("div", "÷", 2, lambda x, c: _div(x[0], x[1]),
         lambda x, o, c: [1.0 / x[1], -x[0] / x[1] ** 2],
         "divide: ∂(a/b)/∂a = 1/b and ∂(a/b)/∂b = −a/b²", ("1/{b}", "−{a}/{b}²")),
    Gate("max", "max", 2, lambda x, c: max(x), lambda x, o, c: _split(x[0], x[1], x[0] > x[1]),
         "max routes: the whole gradient goes to the larger input, none to the other",
         ("[{a} > {b}]", "[{b} > {a}]")),
    Gate("min", "min", 2, lambda x, c: min(x), lambda x, o, c: _split(x[0], x[1], x[0] < x[1]),
         "min routes: the whole gradient goes to the smaller input, none to the other",
         ("[{a} < {b}]", "[{b} < {a}]")),
    Gate("addc", "+{c}", 1, lambda x, c: x[0] + c, lambda x, o, c: [1.0],
         "adding a constant passes the gradient through unchanged", ("1",)),
    Gate("mulc", "×{c}", 1, lambda x, c: x[0] * c, lambda x, o, c: [c],
         "multiplying by a constant c scales the gradient by c", ("{c}",)),
    Gate("neg", "×−1", 1, lambda x, c: -x[0], lambda x, o, c: [-1.0],
         "negation flips the sign of the gradient", ("−1",)),
    Gate("inv", "1/x", 1, lambda x, c: _inv(x[0]), lambda x, o, c: [-1.0 / x[0] ** 2],
         "the reciprocal's local derivative is −1/x²", ("−1/{a}²",)),
    Gate("pow", "x^{c}", 1, lambda x, c: _pow(x[0], c),
         lambda x, o, c: [c * _pow(x[0], c - 1) if c != 0 else 0.0],
         "power rule: ∂(a^c)/∂a = c·a^(c−1)", ("{c}·{a}^({c}−1)",)),
    Gate("exp", "exp", 1, lambda x, c: _exp(x[0]), lambda x, o, c: [o],
         "exp is its own derivative: the gradient is multiplied by the output", ("exp({a})",)),
    Gate("log", "log", 1, lambda x, c: _log(x[0]), lambda x, o, c: [1.0 / x[0]],
         "log's local derivative is 1/a", ("1/{a}",)),
    Gate("sigmoid", "σ", 1, lambda x, c: sigmoid(x[0]), lambda x, o, c: [o * (1.0 - o)],
         "sigmoid's local derivative is σ(a)·(1 − σ(a)), read off its own output",
         ("{out}·(1 − {out})",)),
    Gate("tanh", "tanh", 1, lambda x, c: math.tanh(x[0]), lambda x, o, c: [1.0 - o * o],
         "tanh's local derivative is 1 − tanh(a)²", ("1 − {out}²",)),
    Gate("relu", "relu", 1, lambda x, c: max(x[0], 0.0),
         lambda x, o, c: [1.0 if x[0] > 0 else 0.0],
         "relu passes the gradient where the input is positive and blocks it elsewhere",
         ("[{a} > 0]",)),
    Gate("abs", "|x|", 1, lambda x, c: abs(x[0]),
         lambda x, o, c: [math.copysign(1.0, x[0]) if x[0] else 0.0],
         "abs passes the gradient with the sign of its input", ("sign({a})",)),
)}

# functions an expression may call, by name -> gate
FUNCTIONS = {"exp": "exp", "log": "log", "sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu",
             "abs": "abs", "max": "max", "min": "min", "sqrt": "pow"}
