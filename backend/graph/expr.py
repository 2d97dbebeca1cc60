"""Parameter expressions inside blocks: `"{channels * 4}"`, `"{stride}"`, `"{k // 2}"`.

A parameter value that is a string in braces is an expression over the enclosing block's
parameters. It is parsed with `ast` and evaluated by a small walker over numbers only: names,
number literals, + - * / // % ** (small powers), comparisons, `and`/`or`/`not`, `a if c
else b`, and the functions min, max, abs, round, int. Nothing is ever passed to `eval`, so
text from a design file cannot run code. Every failure is an `ExprError` sentence.

The walker only uses Python operators on the values, so the exporter can evaluate the same
expression over symbolic numbers (backend/codegen/symbolic.py) and get code back.
"""

from __future__ import annotations

import ast
import copy
import math
import operator
from functools import lru_cache

MAX_LENGTH = 200
MAX_NODES = 80
LIMIT = 1e12

_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
           ast.Pow: operator.pow}
_COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
            ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}
_FUNCTIONS = {"min": min, "max": max, "abs": abs, "round": round, "int": int}
_ALLOWED = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp,
            ast.Constant, ast.Name, ast.Load, ast.Call, ast.operator, ast.unaryop, ast.cmpop,
            ast.boolop)


class ExprError(ValueError):
    """An expression that cannot be parsed or evaluated; the message says why."""


def is_expression(value: object) -> bool:
    return isinstance(value, str) and value.startswith("{") and value.endswith("}")


def has_expressions(value: object) -> bool:
    """True if `value` is an expression or a list holding one."""
    if isinstance(value, list | tuple):
        return any(is_expression(v) for v in value)
    return is_expression(value)


@lru_cache(maxsize=4096)
def parse(text: str) -> ast.Expression:
    """The checked syntax tree of `"{...}"` (or of the bare inner text)."""
    inner = text[1:-1] if is_expression(text) else text
    if not inner.strip():
        raise ExprError("the expression {} is empty: write a number or a parameter name")
    if len(inner) > MAX_LENGTH:
        raise ExprError(f"the expression is longer than {MAX_LENGTH} characters: shorten it")
    try:
        tree = ast.parse(inner.strip(), mode="eval")
    except SyntaxError:
        raise ExprError(f"'{{{inner}}}' is not a valid expression: use numbers, parameter "
                        "names and + - * / // %") from None
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExprError(f"'{{{inner}}}' is too long an expression: simplify it")
    for node in nodes:
        _check_node(node, inner)
    return tree


def _check_node(node: ast.AST, inner: str) -> None:
    if not isinstance(node, _ALLOWED):
        raise ExprError(f"'{{{inner}}}' uses {type(node).__name__}, which parameter "
                        "expressions do not allow: use numbers, names and arithmetic")
    if isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
        raise ExprError(f"'{{{inner}}}' holds {node.value!r}: expressions compute numbers only")
    if isinstance(node, ast.Call) and (
            not isinstance(node.func, ast.Name) or node.func.id not in _FUNCTIONS
            or node.keywords):
        raise ExprError(f"'{{{inner}}}' calls something other than "
                        f"{', '.join(_FUNCTIONS)}: only those functions are allowed")


def names(text: str) -> list[str]:
    """Parameter names an expression refers to, in order of first use."""
    tree = parse(text)
    out: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id not in _FUNCTIONS and node.id not in out:
            out.append(node.id)
    return out


def evaluate(text: str, scope: dict):
    """The value of `"{...}"` with parameter names bound by `scope`."""
    tree = parse(text)
    try:
        value = _eval(tree.body, scope)
    except ExprError:
        raise
    except ZeroDivisionError:
        raise ExprError(f"'{text}' divides by zero here: change the expression or the "
                        "block's arguments") from None
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise ExprError(f"'{text}' cannot be computed ({exc})") from None
    if isinstance(value, float) and not math.isfinite(float(value)):
        raise ExprError(f"'{text}' is not a finite number here")
    if abs(value) > LIMIT:
        raise ExprError(f"'{text}' gives {value:g}, far too large for a layer")
    return value


def _eval(node: ast.AST, scope: dict):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in scope:
            raise ExprError(f"'{node.id}' is not a parameter here")
        return scope[node.id]
    if isinstance(node, ast.BinOp):
        left, right = _eval(node.left, scope), _eval(node.right, scope)
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or abs(left) > 1e6):
            raise ExprError("a power in the expression is too large")
        return _BINARY[type(node.op)](left, right)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, scope)
        if isinstance(node.op, ast.Not):
            return not value
        return -value if isinstance(node.op, ast.USub) else +value
    if isinstance(node, ast.Compare):
        return _compare(node, scope)
    if isinstance(node, ast.BoolOp):
        return _boolean(node, scope)
    if isinstance(node, ast.IfExp):
        return _eval(node.body if _eval(node.test, scope) else node.orelse, scope)
    if isinstance(node, ast.Call):
        return _FUNCTIONS[node.func.id](*(_eval(a, scope) for a in node.args))
    raise ExprError(f"unsupported expression part {type(node).__name__}")


def _compare(node: ast.Compare, scope: dict) -> bool:
    left = _eval(node.left, scope)
    for op, comparator in zip(node.ops, node.comparators, strict=True):
        right = _eval(comparator, scope)
        if not _COMPARE[type(op)](left, right):
            return False
        left = right
    return True


def _boolean(node: ast.BoolOp, scope: dict):
    value = None
    for part in node.values:
        value = _eval(part, scope)
        if isinstance(node.op, ast.And) and not value:
            return value
        if isinstance(node.op, ast.Or) and value:
            return value
    return value


def expressions_of(node) -> list[str]:
    """Every expression in a node's params (a Block node's args and repeat included)."""
    params = node.params
    if node.type == "Block":
        args = params.get("args")
        values = [*(args.values() if isinstance(args, dict) else ()), params.get("repeat", 1)]
    else:
        values = list(params.values())
    flat: list = []
    for v in values:
        flat += v if isinstance(v, list) else [v]
    return [v for v in flat if is_expression(v)]


def resolve(value, scope: dict):
    """`value` with every expression in it (also inside a list) evaluated over `scope`."""
    if is_expression(value):
        return evaluate(value, scope)
    if isinstance(value, list) and any(is_expression(v) for v in value):
        return [evaluate(v, scope) if is_expression(v) else v for v in value]
    return value


def substitute(value, bindings: dict):
    """`value` with parameter names replaced by `bindings` (numbers or expressions).

    Used when a block is dissolved into its parent: the result is a number when nothing
    symbolic is left, else an expression over the parent's parameters."""
    if isinstance(value, list):
        return [substitute(v, bindings) for v in value]
    if not is_expression(value):
        return value
    tree = _Rebind(bindings).visit(copy.deepcopy(parse(value)))
    ast.fix_missing_locations(tree)
    try:
        return _eval(tree.body, {})
    except ExprError:
        return "{" + ast.unparse(tree.body) + "}"
    except (ArithmeticError, TypeError, ValueError):
        return "{" + ast.unparse(tree.body) + "}"


class _Rebind(ast.NodeTransformer):
    def __init__(self, bindings: dict) -> None:
        self.bindings = bindings

    def visit_Name(self, node: ast.Name) -> ast.AST:  # noqa: N802  (ast API name)
        if node.id not in self.bindings:
            return node
        bound = self.bindings[node.id]
        if is_expression(bound):
            return copy.deepcopy(parse(bound).body)
        return ast.Constant(bound)
