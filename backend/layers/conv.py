"""Convolution layers: Conv1d, Conv2d, ConvTranspose2d, UpSampling2d.

Output size per axis is floor((n + 2p - d(k - 1) - 1) / s) + 1, the course's
floor((n + 2p - k) / s) + 1 with dilation. Padding is 'valid' (none), 'same' (keeps the size;
stride 1 only) or a number of zeros per side.
"""

from __future__ import annotations

from backend.layers._common import (
    BIAS,
    INIT,
    apply_init,
    fmt,
    init_lines,
    resolve_padding,
    spatial_out,
)
from backend.layers.params import pair
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, ShapeError

FILTERS = Param("filters", "int", 32, "Number of kernels, i.e. output channels (feature maps).",
                min=1, max=65536)
PADDING = Param("padding", "padding", "valid", "'valid' adds no zeros, 'same' keeps the size "
                "(stride 1), a number adds that many zeros on each side.", min=0, max=1024)
GROUPS = Param("groups", "int", 1, "Split channels into groups convolved separately "
               "(in and out channels must divide by it).", min=1, max=65536)


def _size(name, default, doc, lo=1):
    return Param(name, "size", default, doc, min=lo, max=1024)


def conv_geometry(p, dims):
    """Kernel, stride and dilation per axis (1-D layers use the first of a pair)."""
    if dims == 1:
        one = lambda v: (v if isinstance(v, int) else v[0],)  # noqa: E731
        return one(p["kernel_size"]), one(p["stride"]), one(p["dilation"])
    return pair(p["kernel_size"]), pair(p["stride"]), pair(p["dilation"])


def _conv_shape(kind, dims):
    def rule(ins, p):
        (shape,) = ins
        if len(shape) != dims + 1:
            what = "(B, channels, length)" if dims == 1 else "(B, channels, height, width)"
            fix = ("insert a Reshape before it to add a channel axis" if len(shape) < dims + 1
                   else "use a Conv of matching dimension")
            raise ShapeError(f"{kind} expects {what} but receives {fmt(shape)}: {fix}")
        cin = shape[0]
        if cin % p["groups"] or p["filters"] % p["groups"]:
            raise ShapeError(f"{kind} groups={p['groups']} must divide both the input channels "
                             f"({cin}) and filters ({p['filters']}): change groups")
        k, s, d = conv_geometry(p, dims)
        pad = resolve_padding(p["padding"], k, d, dims)
        if pad == "same":
            if any(v != 1 for v in s):
                raise ShapeError(f"{kind} padding 'same' needs stride 1: set stride to 1 "
                                 "or give the padding as a number")
            return (p["filters"], *shape[1:])
        return (p["filters"], *spatial_out(kind, shape[1:], k, s, pad, d))
    return rule


def _conv_kwargs(p, dims):
    k, s, d = conv_geometry(p, dims)
    pad = resolve_padding(p["padding"], k, d, dims)
    pad = pad if pad == "same" else (pad[0] if len(set(pad)) == 1 else pad)
    one = lambda t: t[0] if len(set(t)) == 1 else t  # noqa: E731
    return {"kernel_size": one(k), "stride": one(s), "padding": pad, "dilation": one(d),
            "groups": p["groups"], "bias": p["bias"]}


def _render(cls, args, kwargs, defaults):
    parts = [str(a) for a in args]
    parts += [f"{k}={v!r}" for k, v in kwargs.items() if k not in defaults or defaults[k] != v]
    return f"nn.{cls}({', '.join(parts)})"


_CONV_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1, "groups": 1, "bias": True}


def _conv_spec(kind, dims):
    def build(p, ins):
        from torch import nn

        m = getattr(nn, kind)(ins[0][0], p["filters"], **_conv_kwargs(p, dims))
        apply_init(m, p)
        return m

    def code(p, ins):
        init = _render(kind, (ins[0][0], p["filters"]), _conv_kwargs(p, dims), _CONV_DEFAULTS)
        return CodeForm(init, post=init_lines(p))

    def count(p, ins):
        k, _, _ = conv_geometry(p, dims)
        w = ins[0][0] // p["groups"] * p["filters"]
        for v in k:
            w *= v
        return w + (p["filters"] if p["bias"] else 0)

    return LayerSpec(
        type=kind, category="convolution",
        description=(f"Slides {p_kernels(dims)} kernels over the input; each kernel makes "
                     "one feature map."),
        params=(FILTERS, _size("kernel_size", 3, "Kernel size (one number or [h, w])."),
                _size("stride", 1, "Step between kernel positions."), PADDING,
                _size("dilation", 1, "Spacing between kernel taps (atrous convolution)."),
                GROUPS, BIAS, INIT),
        shape_rule=_conv_shape(kind, dims), build=build, code=code, param_count=count)


def p_kernels(dims):
    return "1-D" if dims == 1 else "2-D"


register(_conv_spec("Conv1d", 1))
register(_conv_spec("Conv2d", 2))


def _convt_shape(ins, p):
    (shape,) = ins
    if len(shape) != 3:
        raise ShapeError(f"ConvTranspose2d expects (B, channels, height, width) but receives "
                         f"{fmt(shape)}: insert a Reshape before it")
    if shape[0] % p["groups"] or p["filters"] % p["groups"]:
        raise ShapeError(f"ConvTranspose2d groups={p['groups']} must divide the input channels "
                         f"({shape[0]}) and filters ({p['filters']}): change groups")
    k, s, d = pair(p["kernel_size"]), pair(p["stride"]), pair(p["dilation"])
    pad, op = pair(p["padding"]), pair(p["output_padding"])
    if any(o >= max(st, dl) for o, st, dl in zip(op, s, d, strict=True)):
        raise ShapeError("ConvTranspose2d output_padding must be smaller than the stride or "
                         "the dilation: lower output_padding")
    out = tuple((n - 1) * st - 2 * pd + dl * (kk - 1) + o + 1
                for n, st, pd, dl, kk, o in zip(shape[1:], s, pad, d, k, op, strict=True))
    if min(out) < 1:
        raise ShapeError(f"ConvTranspose2d would produce size {out}: reduce the padding")
    return (p["filters"], *out)


def _convt_kwargs(p):
    one = lambda v: v if isinstance(v, int) else tuple(v)  # noqa: E731
    return {"kernel_size": one(p["kernel_size"]), "stride": one(p["stride"]),
            "padding": one(p["padding"]), "output_padding": one(p["output_padding"]),
            "groups": p["groups"], "bias": p["bias"], "dilation": one(p["dilation"])}


def _convt_build(p, ins):
    from torch import nn

    m = nn.ConvTranspose2d(ins[0][0], p["filters"], **_convt_kwargs(p))
    apply_init(m, p)
    return m


register(LayerSpec(
    type="ConvTranspose2d", category="convolution",
    description="Learned upsampling ('deconvolution'): each input pixel spreads a kernel "
                "onto a larger output; used in decoders and generators.",
    params=(FILTERS, _size("kernel_size", 2, "Kernel size (one number or [h, w])."),
            _size("stride", 2, "Upsampling factor per axis."),
            Param("padding", "size", 0, "Zeros removed from each side of the output.",
                  min=0, max=1024),
            Param("output_padding", "size", 0, "Extra rows/columns added on one side to reach "
                  "an exact size.", min=0, max=1024),
            _size("dilation", 1, "Spacing between kernel taps."), GROUPS, BIAS, INIT),
    shape_rule=_convt_shape, build=_convt_build,
    code=lambda p, s: CodeForm(_render("ConvTranspose2d", (s[0][0], p["filters"]),
                                       _convt_kwargs(p), {**_CONV_DEFAULTS, "output_padding": 0}),
                               post=init_lines(p)),
    param_count=lambda p, s: (s[0][0] * (p["filters"] // p["groups"])
                              * pair(p["kernel_size"])[0] * pair(p["kernel_size"])[1]
                              + (p["filters"] if p["bias"] else 0)),
))


def _up_shape(ins, p):
    (shape,) = ins
    if len(shape) != 3:
        raise ShapeError(f"UpSampling2d expects (B, channels, height, width) but receives "
                         f"{fmt(shape)}: insert a Reshape before it")
    f = p["scale_factor"]
    return (shape[0], shape[1] * f, shape[2] * f)


register(LayerSpec(
    type="UpSampling2d", category="convolution",
    description="Enlarges feature maps by repeating (nearest) or interpolating (bilinear) pixels.",
    params=(Param("scale_factor", "int", 2, "How many times larger each side becomes.",
                  min=1, max=64),
            Param("mode", "choice", "nearest", "Nearest repeats pixels; bilinear interpolates.",
                  choices=("nearest", "bilinear"))),
    shape_rule=_up_shape,
    build=lambda p, s: __import__("torch").nn.Upsample(scale_factor=p["scale_factor"],
                                                       mode=p["mode"]),
    code=lambda p, s: CodeForm(f"nn.Upsample(scale_factor={p['scale_factor']}, "
                               f"mode={p['mode']!r})"),
))
