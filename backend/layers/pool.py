"""Pooling layers: Max/Avg pooling in 1-D and 2-D (with ceil_mode), adaptive pooling to a
given output size, and global pooling.

A window's output length per axis is ⌊(n + 2p − k) / s⌋ + 1; with `ceil_mode` the division
rounds up, so a last partial window still counts, except one that would start beyond the input
and its left padding (torch's rule, which SqueezeNet and GoogLeNet rely on).
"""

from __future__ import annotations

from backend.layers._common import fmt, spatial_out
from backend.layers.params import pair
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, ShapeError


def pool_geometry(p, dims):
    """Kernel, stride and padding per axis; a stride of 0 on an axis means the window size."""
    k = _axes(p["kernel_size"], dims)
    s = tuple(st or kk for st, kk in zip(_axes(p["stride"], dims), k, strict=True))
    return k, s, _axes(p["padding"], dims)


def _axes(value, dims):
    return pair(value) if dims == 2 else (_first(value),)


def _first(v):
    return v if isinstance(v, int) else v[0]


def pool_out(n: int, k: int, s: int, p: int, ceil_mode: bool) -> int:
    """Output length of one pooling axis, exactly as torch computes it."""
    span = n + 2 * p - k
    if not ceil_mode:
        return span // s + 1
    out = -(-span // s) + 1  # ceiling division
    if (out - 1) * s >= n + p:  # the last window would start in the right padding
        out -= 1
    return out


def _expect_maps(kind, shape, dims, where):
    if len(shape) != dims + 1:
        what = "(B, channels, length)" if dims == 1 else "(B, channels, height, width)"
        raise ShapeError(f"{kind} expects {what} but receives {fmt(shape)}: {where}")


def _pool_shape(kind, dims):
    def rule(ins, p):
        (shape,) = ins
        _expect_maps(kind, shape, dims, "pool after a convolution, or use a pooling of "
                                        "matching dimension")
        k, s, pad = pool_geometry(p, dims)
        if any(pp * 2 > kk for pp, kk in zip(pad, k, strict=True)):
            raise ShapeError(f"{kind} padding must be at most half the kernel size: "
                             "lower the padding")
        if not p["ceil_mode"]:
            return (shape[0], *spatial_out(kind, shape[1:], k, s, pad, (1,) * dims))
        out = tuple(pool_out(n, kk, ss, pp, True)
                    for n, kk, ss, pp in zip(shape[1:], k, s, pad, strict=True))
        if min(out) < 1:
            raise ShapeError(f"{kind} kernel {max(k)} is larger than its input "
                             f"{fmt(shape)} even with ceil_mode: use a smaller kernel "
                             "or more padding")
        return (shape[0], *out)
    return rule


def _one(t):
    return t[0] if len(set(t)) == 1 else t


def _pool_kwargs(p, dims):
    k, s, pad = pool_geometry(p, dims)
    return {"kernel_size": _one(k), "stride": _one(s), "padding": _one(pad),
            "ceil_mode": p["ceil_mode"]}


def _pool_code(kind, dims):
    def code(p, ins):
        kw = _pool_kwargs(p, dims)
        parts = [str(kw["kernel_size"])]
        if kw["stride"] != kw["kernel_size"]:
            parts.append(f"stride={kw['stride']}")
        if kw["padding"] != 0:
            parts.append(f"padding={kw['padding']}")
        if kw["ceil_mode"]:
            parts.append("ceil_mode=True")
        return CodeForm(f"nn.{kind}({', '.join(parts)})")
    return code


def _pool_spec(kind, dims, what):
    return LayerSpec(
        type=kind, category="pooling",
        description=f"Keeps the {what} of each window, shrinking the maps "
                    "(2×2 with stride 2 halves them).",
        params=(Param("kernel_size", "size", 2, "Window size.", min=1, max=1024),
                Param("stride", "size", 0, "Step between windows; 0 means the window size "
                      "(non-overlapping). AlexNet overlaps: 3 with stride 2.", min=0, max=1024),
                Param("padding", "size", 0, "Padding on each side (at most half the window).",
                      min=0, max=512),
                Param("ceil_mode", "bool", False, "Round the output size up instead of down, "
                      "so a last partial window is kept: 3×3 windows with stride 2 take 54 to "
                      "⌈(54 − 3) / 2⌉ + 1 = 27 rather than 26 (SqueezeNet, GoogLeNet).",
                      label="ceil mode")),
        shape_rule=_pool_shape(kind, dims),
        build=lambda p, s: getattr(__import__("torch").nn, kind)(**_pool_kwargs(p, dims)),
        code=_pool_code(kind, dims))


register(_pool_spec("MaxPool1d", 1, "maximum"))
register(_pool_spec("MaxPool2d", 2, "maximum"))
register(_pool_spec("AvgPool1d", 1, "average"))
register(_pool_spec("AvgPool2d", 2, "average"))


def _adaptive_shape(kind, dims):
    def rule(ins, p):
        (shape,) = ins
        _expect_maps(kind, shape, dims, "pool after a convolution, or use an adaptive "
                                        "pooling of matching dimension")
        return (shape[0], *_axes(p["output_size"], dims))
    return rule


def _adaptive_spec(kind, dims, what):
    def size(p):
        return _one(_axes(p["output_size"], dims))

    return LayerSpec(
        type=kind, category="pooling",
        description=f"Takes the {what} over windows sized to reach a fixed output size, "
                    "whatever the input size: torchvision classifiers end in one, so they "
                    "accept any image size.",
        params=(Param("output_size", "size", 1, "Output size per axis (one number or "
                      "[h, w]); 1 pools each map to a single value.", min=1, max=1024,
                      label="output size"),),
        shape_rule=_adaptive_shape(kind, dims),
        build=lambda p, s: getattr(__import__("torch").nn, kind)(size(p)),
        code=lambda p, s: CodeForm(f"nn.{kind}({size(p)!r})"))


register(_adaptive_spec("AdaptiveAvgPool1d", 1, "average"))
register(_adaptive_spec("AdaptiveAvgPool2d", 2, "average"))
register(_adaptive_spec("AdaptiveMaxPool1d", 1, "maximum"))
register(_adaptive_spec("AdaptiveMaxPool2d", 2, "maximum"))


def _global_shape(kind):
    def rule(ins, p):
        (shape,) = ins
        if len(shape) < 2:
            raise ShapeError(f"{kind} expects (B, channels, ...) with spatial axes but receives "
                             f"{fmt(shape)}: place it after a convolution")
        return (shape[0],)
    return rule


def _global_spec(kind, what):
    def build(p, s):
        from backend.layers import modules

        return getattr(modules, kind)()

    return LayerSpec(
        type=kind, category="pooling",
        description=f"Takes the {what} of each whole feature map: (B, C, H, W) -> (B, C); "
                    "ResNet uses it instead of large dense layers.",
        params=(), shape_rule=_global_shape(kind), build=build,
        code=lambda p, s: CodeForm(f"{kind}()", helpers=(kind,)))


register(_global_spec("GlobalAvgPool", "average"))
register(_global_spec("GlobalMaxPool", "maximum"))
