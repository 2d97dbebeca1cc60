"""A 2-D convolution (or pooling) window sliding over a grid, one output position at a time.

`Convolution(input, kernel, stride, padding, dilation, mode)` checks its settings (one
`ValueError` sentence with the fix) and answers what the Convolution explorer shows: the
output size per axis with the formula in real numbers (`formula`), every window position
(`window(i)`: the input cells it covers, their values, the element-wise products and their
sum) and the whole output map. Like torch (and the course), "convolution" here is
cross-correlation: the kernel is not flipped. Modes: "conv" (sum of products plus bias),
"max" and "avg" (pooling over the window; padding cells count as zeros for "avg", as torch's
`count_include_pad=True`, and are skipped by "max").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MODES = ("conv", "max", "avg")

# The course's worked example: a 5x5 binary image and the X-shaped 3x3 kernel.
EXAMPLE_INPUT = np.array([[1, 1, 1, 0, 0],
                          [0, 1, 1, 1, 0],
                          [0, 0, 1, 1, 1],
                          [0, 0, 1, 1, 0],
                          [0, 1, 1, 0, 0]], dtype=float)
EXAMPLE_KERNEL = np.array([[1, 0, 1],
                           [0, 1, 0],
                           [1, 0, 1]], dtype=float)


def _pair(value, name: str, low: int) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int | np.integer) else tuple(value)
    if len(pair) != 2 or any(int(v) != v or v < low for v in pair):
        raise ValueError(f"{name} must be a whole number of at least {low} (or one per axis), "
                         f"not {value!r}")
    return int(pair[0]), int(pair[1])


def output_length(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> int:
    """⌊(n + 2p − d·(k − 1) − 1) / s⌋ + 1: positions of a window along one axis."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def formula(n: int, k: int, s: int = 1, p: int = 0, d: int = 1) -> str:
    """The output-size formula with the real numbers, e.g. '⌊(5 + 2·0 − 3) / 1⌋ + 1 = 3'."""
    out = output_length(n, k, s, p, d)
    if d == 1:
        return f"⌊({n} + 2·{p} − {k}) / {s}⌋ + 1 = {out}"
    return f"⌊({n} + 2·{p} − {d}·({k} − 1) − 1) / {s}⌋ + 1 = {out}"


@dataclass(frozen=True)
class Window:
    """One position of the sliding window (output cell `row`, `col`)."""

    row: int
    col: int
    cells: tuple[tuple[int, int], ...]  # input (row, col) under each kernel element; may be
    # outside the input (then it is padding)
    values: np.ndarray  # (kh, kw) input values under the window (0 for padding)
    inside: np.ndarray  # (kh, kw) bool: the cell is a real input cell, not padding
    products: np.ndarray  # (kh, kw) values × kernel ("conv"), the values themselves otherwise
    result: float

    def sum_text(self, bias: float = 0.0, mode: str = "conv") -> str:
        """The arithmetic of this position in words of numbers, e.g. '1 + 0 + 1 + … = 4'."""
        terms = [_num(v) for v in self.products[self.inside | (mode == "conv")].ravel()]
        if mode == "max":
            return f"max({', '.join(_num(v) for v in self.values[self.inside])}) = " \
                   f"{_num(self.result)}"
        if mode == "avg":
            return f"({' + '.join(terms)}) / {self.values.size} = {_num(self.result)}"
        text = " + ".join(terms).replace("+ −", "− ")
        if bias:
            text += f" + bias {_num(bias)}"
        return f"{text} = {_num(self.result)}"


def _num(v: float) -> str:
    v = float(v)
    text = str(int(v)) if v.is_integer() and abs(v) < 1e12 else f"{v:.3g}"
    return text.replace("-", "−")


@dataclass
class Convolution:
    input: np.ndarray
    kernel: np.ndarray
    stride: tuple[int, int] | int = 1
    padding: tuple[int, int] | int = 0
    dilation: tuple[int, int] | int = 1
    mode: str = "conv"
    bias: float = 0.0
    _out: np.ndarray | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.input = np.asarray(self.input, dtype=float)
        self.kernel = np.asarray(self.kernel, dtype=float)
        if self.input.ndim != 2 or self.kernel.ndim != 2 or not self.input.size \
                or not self.kernel.size:
            raise ValueError("the input and the kernel must be non-empty 2-D grids")
        if not np.isfinite(self.input).all() or not np.isfinite(self.kernel).all():
            raise ValueError("every cell of the input and the kernel needs a finite number")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        self.stride = _pair(self.stride, "stride", 1)
        self.padding = _pair(self.padding, "padding", 0)
        self.dilation = _pair(self.dilation, "dilation", 1)
        for axis, name in ((0, "rows"), (1, "columns")):
            n, k = self.input.shape[axis], self.kernel.shape[axis]
            p, d = self.padding[axis], self.dilation[axis]
            span = d * (k - 1) + 1
            if n + 2 * p < span:
                raise ValueError(f"the kernel spans {span} {name} but the padded input has "
                                 f"only {n + 2 * p}: use a smaller kernel or dilation, or "
                                 "more padding")
            if self.mode != "conv" and p > (d * (k - 1) + 1) // 2:
                raise ValueError(f"pooling padding {p} is more than half the window "
                                 f"({span} {name}): use padding {span // 2} or less")

    # -- sizes ----------------------------------------------------------------------------------
    @property
    def output_shape(self) -> tuple[int, int]:
        return tuple(output_length(self.input.shape[a], self.kernel.shape[a], self.stride[a],
                                   self.padding[a], self.dilation[a]) for a in (0, 1))

    @property
    def positions(self) -> int:
        rows, cols = self.output_shape
        return rows * cols

    def formulas(self) -> tuple[str, str]:
        """The output-size formula for rows and for columns, with the real numbers."""
        return tuple(formula(self.input.shape[a], self.kernel.shape[a], self.stride[a],
                             self.padding[a], self.dilation[a]) for a in (0, 1))

    # -- windows --------------------------------------------------------------------------------
    def window(self, index: int) -> Window:
        """The window at output position `index` (row-major order)."""
        rows, cols = self.output_shape
        if not 0 <= index < rows * cols:
            raise IndexError(f"position {index} is outside 0..{rows * cols - 1}")
        r, c = divmod(index, cols)
        kh, kw = self.kernel.shape
        ii = r * self.stride[0] - self.padding[0] + self.dilation[0] * np.arange(kh)
        jj = c * self.stride[1] - self.padding[1] + self.dilation[1] * np.arange(kw)
        inside = ((ii[:, None] >= 0) & (ii[:, None] < self.input.shape[0])
                  & (jj[None, :] >= 0) & (jj[None, :] < self.input.shape[1]))
        values = np.where(inside, self.input[np.clip(ii, 0, self.input.shape[0] - 1)][
            :, np.clip(jj, 0, self.input.shape[1] - 1)], 0.0)
        cells = tuple((int(i), int(j)) for i in ii for j in jj)
        if self.mode == "conv":
            products = values * self.kernel
            result = float(products.sum() + self.bias)
        elif self.mode == "max":
            products = values
            result = float(values[inside].max())
        else:
            products = values
            result = float(values.sum() / values.size)
        return Window(r, c, cells, values, inside, products, result)

    def output(self) -> np.ndarray:
        """The whole output map, (rows, cols)."""
        if self._out is None:
            rows, cols = self.output_shape
            self._out = np.array([self.window(i).result for i in range(rows * cols)],
                                 dtype=float).reshape(rows, cols)
        return self._out
