"""Pooling layers: Max/Avg pooling in 1-D and 2-D, and global pooling."""

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


def _pool_shape(kind, dims):
    def rule(ins, p):
        (shape,) = ins
        if len(shape) != dims + 1:
            what = "(B, channels, length)" if dims == 1 else "(B, channels, height, width)"
            raise ShapeError(f"{kind} expects {what} but receives {fmt(shape)}: "
                             "pool after a convolution, or use a pooling of matching dimension")
        k, s, pad = pool_geometry(p, dims)
        if any(pp * 2 > kk for pp, kk in zip(pad, k, strict=True)):
            raise ShapeError(f"{kind} padding must be at most half the kernel size: "
                             "lower the padding")
        return (shape[0], *spatial_out(kind, shape[1:], k, s, pad, (1,) * dims))
    return rule


def _one(t):
    return t[0] if len(set(t)) == 1 else t


def _pool_spec(kind, dims, what):
    def kwargs(p):
        k, s, pad = pool_geometry(p, dims)
        return {"kernel_size": _one(k), "stride": _one(s), "padding": _one(pad)}

    def code(p, ins):
        kw = kwargs(p)
        parts = [str(kw["kernel_size"])]
        if kw["stride"] != kw["kernel_size"]:
            parts.append(f"stride={kw['stride']}")
        if kw["padding"] != 0:
            parts.append(f"padding={kw['padding']}")
        return CodeForm(f"nn.{kind}({', '.join(parts)})")

    return LayerSpec(
        type=kind, category="pooling",
        description=f"Keeps the {what} of each window, shrinking the maps "
                    "(2×2 with stride 2 halves them).",
        params=(Param("kernel_size", "size", 2, "Window size.", min=1, max=1024),
                Param("stride", "size", 0, "Step between windows; 0 means the window size "
                      "(non-overlapping). AlexNet overlaps: 3 with stride 2.", min=0, max=1024),
                Param("padding", "size", 0, "Padding on each side (at most half the window).",
                      min=0, max=512)),
        shape_rule=_pool_shape(kind, dims),
        build=lambda p, s: getattr(__import__("torch").nn, kind)(**kwargs(p)),
        code=code)


register(_pool_spec("MaxPool1d", 1, "maximum"))
register(_pool_spec("MaxPool2d", 2, "maximum"))
register(_pool_spec("AvgPool1d", 1, "average"))
register(_pool_spec("AvgPool2d", 2, "average"))


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
