"""Normalisation layers: BatchNorm1d/2d, LayerNorm, LocalResponseNorm."""

from __future__ import annotations

from backend.layers._common import fmt, numel
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, ShapeError

EPS = Param("eps", "float", 1e-5, "Small number added to the variance for stability.",
            min=1e-12, max=1.0)
MOMENTUM = Param("momentum", "float", 0.1, "How fast the running mean/variance follow the "
                 "batches (used at evaluation time).", min=0.0, max=1.0)
AFFINE = Param("affine", "bool", True, "Learn a scale g and shift b after normalising.")


def _bn_shape(kind, ranks, what):
    def rule(ins, p):
        (shape,) = ins
        if len(shape) not in ranks:
            raise ShapeError(f"{kind} expects {what} but receives {fmt(shape)}: "
                             + ("use BatchNorm2d for images" if len(shape) == 3
                                else "use BatchNorm1d here" if len(shape) < 3
                                else "reshape the input first"))
        return shape
    return rule


def _bn_spec(kind, ranks, what):
    def code(p, s):
        extra = "" if p["eps"] == 1e-5 else f", eps={p['eps']!r}"
        extra += "" if p["momentum"] == 0.1 else f", momentum={p['momentum']!r}"
        extra += "" if p["affine"] else ", affine=False"
        return CodeForm(f"nn.{kind}({s[0][0]}{extra})")

    return LayerSpec(
        type=kind, category="normalisation",
        description="Normalises each channel over the mini-batch, then scales and shifts "
                    "(learned g, b); speeds up and stabilises training.",
        params=(EPS, MOMENTUM, AFFINE),
        shape_rule=_bn_shape(kind, ranks, what),
        build=lambda p, s: getattr(__import__("torch").nn, kind)(
            s[0][0], eps=p["eps"], momentum=p["momentum"], affine=p["affine"]),
        code=code,
        param_count=lambda p, s: 2 * s[0][0] if p["affine"] else 0,
        buffers=lambda p, s: {"running_mean": s[0][0], "running_var": s[0][0],
                              "num_batches_tracked": 1})


register(_bn_spec("BatchNorm1d", (1, 2), "(B, features) or (B, channels, length)"))
register(_bn_spec("BatchNorm2d", (3,), "(B, channels, height, width)"))


def _ln_shape(ins, p):
    (shape,) = ins
    if p["dims"] > len(shape):
        raise ShapeError(f"LayerNorm over the last {p['dims']} axes needs that many axes but "
                         f"receives {fmt(shape)}: lower 'dims'")
    return shape


def _ln_norm_shape(p, s):
    return list(s[0][len(s[0]) - p["dims"]:])


register(LayerSpec(
    type="LayerNorm", category="normalisation",
    description="Normalises over the units of each sample (not the batch); suits RNNs "
                "and transformers.",
    params=(Param("dims", "int", 1, "How many trailing axes to normalise over.", min=1, max=6),
            EPS, Param("affine", "bool", True, "Learn a per-unit scale and shift.")),
    shape_rule=_ln_shape,
    build=lambda p, s: __import__("torch").nn.LayerNorm(
        _ln_norm_shape(p, s), eps=p["eps"], elementwise_affine=p["affine"]),
    code=lambda p, s: CodeForm(
        f"nn.LayerNorm({_ln_norm_shape(p, s)}"
        + ("" if p["eps"] == 1e-5 else f", eps={p['eps']!r}")
        + ("" if p["affine"] else ", elementwise_affine=False") + ")"),
    param_count=lambda p, s: 2 * numel(_ln_norm_shape(p, s)) if p["affine"] else 0,
))


def _lrn_shape(ins, p):
    (shape,) = ins
    if len(shape) < 2:
        raise ShapeError(f"LocalResponseNorm expects (B, channels, ...) but receives "
                         f"{fmt(shape)}: place it after a convolution")
    return shape


register(LayerSpec(
    type="LocalResponseNorm", category="normalisation",
    description="Original AlexNet normalisation: each activation is damped by its "
                "neighbouring channels.",
    params=(Param("size", "int", 5, "Number of neighbouring channels.", min=1, max=1024),
            Param("alpha", "float", 1e-4, "Scale of the damping.", min=0.0, max=10.0),
            Param("beta", "float", 0.75, "Exponent of the damping.", min=0.0, max=10.0),
            Param("k", "float", 2.0, "Additive constant.", min=0.0, max=100.0)),
    shape_rule=_lrn_shape,
    build=lambda p, s: __import__("torch").nn.LocalResponseNorm(
        p["size"], alpha=p["alpha"], beta=p["beta"], k=p["k"]),
    code=lambda p, s: CodeForm(f"nn.LocalResponseNorm({p['size']}, alpha={p['alpha']!r}, "
                               f"beta={p['beta']!r}, k={p['k']!r})"),
))
