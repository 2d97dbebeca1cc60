"""Shared pieces for layer declarations: common params, size arithmetic, init code."""

from __future__ import annotations

import math

from backend.layers.params import pair
from backend.layers.spec import Param, ShapeError

INIT = Param("init", "choice", "default", "How weights start: torch's default, Xavier/Glorot "
             "(suits tanh/sigmoid) or He/Kaiming (suits ReLU). Biases start at zero unless "
             "default.", choices=("default", "xavier", "kaiming"), label="weight init")
BIAS = Param("bias", "bool", True, "Learn an additive bias per output unit.")


def numel(shape) -> int:
    return math.prod(shape)


def fmt(shape) -> str:
    """Format a shape with its symbolic batch dimension: (B, 16, 5, 5)."""
    return "(" + ", ".join(["B", *(str(d) for d in shape)]) + ")"


def expect_rank(kind: str, shape, ranks: tuple[int, ...], what: str, fix: str) -> None:
    if len(shape) not in ranks:
        raise ShapeError(f"{kind} expects {what} but receives {fmt(shape)}: {fix}")


def window_out(n: int, k: int, s: int, p: int, d: int = 1) -> int:
    """Output length of a sliding window: floor((n + 2p - d(k-1) - 1) / s) + 1."""
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def resolve_padding(padding, kernel, dilation, dims: int) -> tuple[int, ...] | str:
    if padding == "valid":
        return (0,) * dims
    if padding == "same":
        return "same"
    return pair(padding) if dims == 2 else (padding if isinstance(padding, int) else padding[0],)


def spatial_out(kind: str, sizes, kernel, stride, padding, dilation) -> tuple[int, ...]:
    """Per-axis output sizes of a conv/pool window; raises ShapeError with the arithmetic."""
    out = []
    for n, k, s, p, d in zip(sizes, kernel, stride, padding, dilation, strict=True):
        span = d * (k - 1) + 1
        if n + 2 * p < span:
            raise ShapeError(f"{kind} kernel {k} (span {span}) is larger than its input {n}"
                             f" plus padding {2 * p}: use a smaller kernel or more padding")
        out.append(window_out(n, k, s, p, d))
    return tuple(out)


def init_lines(params: dict) -> tuple[str, ...]:
    init = params.get("init", "default")
    if init == "default":
        return ()
    fn = "xavier_uniform_" if init == "xavier" else "kaiming_uniform_"
    extra = "" if init == "xavier" else ", nonlinearity='relu'"
    lines = [f"nn.init.{fn}({{self}}.weight{extra})"]
    if params.get("bias", False):
        lines.append("nn.init.zeros_({self}.bias)")
    return tuple(lines)


def apply_init(module, params: dict) -> None:
    from torch import nn

    init = params.get("init", "default")
    if init == "xavier":
        nn.init.xavier_uniform_(module.weight)
    elif init == "kaiming":
        nn.init.kaiming_uniform_(module.weight, nonlinearity="relu")
    if init != "default" and getattr(module, "bias", None) is not None:
        nn.init.zeros_(module.bias)
