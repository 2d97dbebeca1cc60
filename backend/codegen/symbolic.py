"""Symbolic numbers: an int (or float) that also knows the expression it came from.

The exporter writes one class per block definition whose constructor takes the block's
parameters and the input sizes its layers need. To find those expressions it analyses the
block's body with `SymInt`s in place of the arguments and input sizes: every shape rule and
parameter expression computes with the real values (so every check behaves exactly as for
the numbers), and the result remembers how it was computed, as a polynomial over the names
(`in_channels + 2 * growth`), with anything else (`//`, `%`) kept as an opaque term. The
layers' code forms then print expressions instead of numbers.

Comparisons and hashing use the value, except inside `strict()`, which the exporter holds
while code forms run: there a symbolic number never equals a plain number, so "omit the
argument when it is the default" never drops an argument that varies between uses (two
symbolic numbers still compare by value, so consistency checks behave as for numbers). Whatever
a code form does with the values, the exporter only trusts a class whose text comes out the
same for every use of the block (backend/codegen/blocks.py), so a wrong guess here can only
cost readability (a second class), never correctness.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

Poly = dict[tuple[str, ...], int]  # monomial (sorted atoms) -> coefficient; () is constant

_STRICT = contextvars.ContextVar("netwright_symbolic_strict", default=False)
_USED: contextvars.ContextVar[set | None] = contextvars.ContextVar("netwright_symbolic_used",
                                                                   default=None)


@contextlib.contextmanager
def strict() -> Iterator[None]:
    token = _STRICT.set(True)
    try:
        yield
    finally:
        _STRICT.reset(token)


@contextlib.contextmanager
def collect() -> Iterator[set[str]]:
    """Collect the names of every symbolic number printed inside the block."""
    used: set[str] = set()
    token = _USED.set(used)
    try:
        yield used
    finally:
        _USED.reset(token)


@contextlib.contextmanager
def plain() -> Iterator[None]:
    """Compute by value and collect nothing (analysing a block inside a class being written)."""
    strict_token, used_token = _STRICT.set(False), _USED.set(None)
    try:
        yield
    finally:
        _STRICT.reset(strict_token)
        _USED.reset(used_token)


def _note(names: frozenset[str]) -> None:
    used = _USED.get()
    if used is not None:
        used.update(names)


class SymInt(int):
    """An int with an expression over named sizes and parameters."""

    poly: Poly
    deps: frozenset[str]

    def __new__(cls, value: int, poly: Poly, deps: frozenset[str] = frozenset()) -> SymInt:
        obj = int.__new__(cls, value)
        obj.poly = {m: c for m, c in poly.items() if c}
        obj.deps = deps
        return obj

    @classmethod
    def name(cls, name: str, value: int) -> SymInt:
        return cls(value, {(name,): 1}, frozenset({name}))

    # -- identity -------------------------------------------------------------------------------
    def __eq__(self, other: object) -> bool:
        if isinstance(other, SymInt | SymFloat):
            return int(self) == other
        if _STRICT.get():
            return False
        return int(self) == other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return int.__hash__(self)

    # -- printing -------------------------------------------------------------------------------
    def text(self) -> str:
        _note(self.deps)
        return render(self.poly)

    def __repr__(self) -> str:
        return self.text()

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return self.text() if not spec else format(int(self), spec)

    # -- arithmetic -----------------------------------------------------------------------------
    def __add__(self, other):
        return _combine(self, other, int.__add__, _add)

    def __radd__(self, other):
        return _combine(other, self, int.__add__, _add)

    def __sub__(self, other):
        return _combine(self, other, int.__sub__, lambda a, b: _add(a, _scale(b, -1)))

    def __rsub__(self, other):
        return _combine(other, self, int.__sub__, lambda a, b: _add(a, _scale(b, -1)))

    def __mul__(self, other):
        return _combine(self, other, int.__mul__, _mul)

    def __rmul__(self, other):
        return _combine(other, self, int.__mul__, _mul)

    def __floordiv__(self, other):
        return _divide(self, other, "//")

    def __rfloordiv__(self, other):
        return _divide(other, self, "//")

    def __mod__(self, other):
        return _divide(self, other, "%")

    def __rmod__(self, other):
        return _divide(other, self, "%")

    def __truediv__(self, other):
        return float(self) / float(other)

    def __rtruediv__(self, other):
        return float(other) / float(self)

    def __neg__(self):
        return SymInt(-int(self), _scale(self.poly, -1), self.deps)

    def __pos__(self):
        return self

    def __abs__(self):
        return self if int(self) >= 0 else -self

    def __pow__(self, other):
        if isinstance(other, int) and not isinstance(other, SymInt) and 0 <= other <= 4:
            out: object = 1
            for _ in range(other):
                out = out * self
            return out
        return int(self) ** int(other)


def _poly(value) -> tuple[Poly, frozenset[str]] | None:
    if isinstance(value, SymInt):
        return value.poly, value.deps
    if isinstance(value, int):
        return ({(): int(value)} if value else {}), frozenset()
    return None


def _combine(a, b, op, poly_op):
    pa, pb = _poly(a), _poly(b)
    if pa is None or pb is None:  # e.g. a float: Python falls back to plain arithmetic
        return NotImplemented
    value = op(int(a), int(b))
    return SymInt(value, poly_op(pa[0], pb[0]), pa[1] | pb[1])


def _divide(a, b, symbol: str):
    pa, pb = _poly(a), _poly(b)
    if pa is None or pb is None:
        return NotImplemented
    value = int(a) // int(b) if symbol == "//" else int(a) % int(b)
    divisor = int(b)
    if symbol == "//" and not pb[0].keys() - {()} and divisor and all(
            c % divisor == 0 for c in pa[0].values()):
        return SymInt(value, {m: c // divisor for m, c in pa[0].items()}, pa[1])
    atom = f"({_operand(pa[0])} {symbol} {_operand(pb[0])})"
    return SymInt(value, {(atom,): 1}, pa[1] | pb[1])


def _add(a: Poly, b: Poly) -> Poly:
    out = dict(a)
    for m, c in b.items():
        out[m] = out.get(m, 0) + c
    return out


def _scale(a: Poly, k: int) -> Poly:
    return {m: c * k for m, c in a.items()}


def _mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for ma, ca in a.items():
        for mb, cb in b.items():
            m = tuple(sorted(ma + mb))
            out[m] = out.get(m, 0) + ca * cb
    return out


def render(poly: Poly) -> str:
    """`in_channels + 2 * growth - 1`: terms in the order they arose, constants last."""
    terms = [(m, c) for m, c in poly.items() if c and m] + [(m, c) for m, c in poly.items()
                                                           if c and not m]
    if not terms:
        return "0"
    if len(terms) == 1 and terms[0][1] == 1 and len(terms[0][0]) == 1 \
            and terms[0][0][0].startswith("("):
        return terms[0][0][0][1:-1]  # one opaque term: drop the parentheses it carries
    out = ""
    for i, (m, c) in enumerate(terms):
        text = " * ".join(m) if m else str(abs(c))
        if m and abs(c) != 1:
            text = f"{abs(c)} * {text}"
        if i == 0:
            out = f"-{text}" if c < 0 else text
        else:
            out += f" - {text}" if c < 0 else f" + {text}"
    return out


def _operand(poly: Poly) -> str:
    text = render(poly)
    return text if len(poly) <= 1 and not text.startswith("-") else f"({text})"


def same_poly(a, b) -> bool:
    pa, pb = _poly(a), _poly(b)
    return pa is not None and pb is not None and pa[0] == pb[0]


def progression(values: list) -> tuple[object, object] | None:
    """(first, step) if values[k] == first + k * step as expressions, else None."""
    if len(values) < 2:
        return None
    polys = [_poly(v) for v in values]
    if any(p is None for p in polys):
        return None
    step = _add(polys[1][0], _scale(polys[0][0], -1))
    for k, p in enumerate(polys):
        want = _add(polys[0][0], _scale(step, k))
        if {m: c for m, c in want.items() if c} != p[0]:
            return None
    deps = frozenset().union(*(p[1] for p in polys))
    first, diff = values[0], SymInt(int(values[1]) - int(values[0]), step, deps)
    return first, diff


def with_index(first, step, index: str) -> SymInt:
    """`first + index * step` as one symbolic number (its value is first's)."""
    p0, ps = _poly(first), _poly(step)
    poly = _add(p0[0], _mul({(index,): 1}, ps[0]))
    return SymInt(int(first), poly, p0[1] | ps[1])


class SymFloat(float):
    """A float parameter that is one of the block's parameters (printed by name)."""

    def __new__(cls, value: float, name: str) -> SymFloat:
        obj = float.__new__(cls, value)
        obj.label = name
        return obj

    def __eq__(self, other: object) -> bool:
        if _STRICT.get() and not isinstance(other, SymInt | SymFloat):
            return False
        return float(self) == other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return float.__hash__(self)

    def __repr__(self) -> str:
        _note(frozenset({self.label}))
        return self.label

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self) if not spec else format(float(self), spec)
