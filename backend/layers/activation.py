"""Activation layers: elementwise non-linearities (one learned: PReLU), the perceptron's Step
and (log-)softmax."""

from __future__ import annotations

from backend.layers._common import fmt
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, ShapeError


def _same(ins, p):
    return ins[0]


def _simple(kind, description, params=(), args=lambda p: ""):
    register(LayerSpec(
        type=kind, category="activation", description=description, params=params,
        shape_rule=_same,
        build=lambda p, s: _build_nn(kind, p, args),
        code=lambda p, s: CodeForm(f"nn.{kind}({args(p)})"),
    ))


def _build_nn(kind, p, args):
    from torch import nn

    cls = getattr(nn, kind)
    return cls(**_kwargs(kind, p))


def _kwargs(kind, p):
    return {"LeakyReLU": lambda: {"negative_slope": p["negative_slope"]},
            "ELU": lambda: {"alpha": p["alpha"]},
            "Softplus": lambda: {"beta": p["beta"], "threshold": p["threshold"]},
            }.get(kind, lambda: {})()


register(LayerSpec(
    type="Step", category="activation",
    description="1 if x > 0 else 0: the perceptron's threshold. Its derivative is zero, so "
                "by default the backward pass lets the gradient through unchanged "
                "(straight-through) and the layers before it still learn.",
    params=(Param("gradient", "choice", "straight-through", "Backward pass: 'straight-through' "
                  "passes the gradient on as if the step were the identity; 'zero' is the "
                  "true derivative, so nothing before the step learns.",
                  choices=("straight-through", "zero")),),
    shape_rule=_same,
    build=lambda p, s: _step(p),
    code=lambda p, s: CodeForm(f"Step(straight_through={p['gradient'] != 'zero'})",
                               helpers=("Step",)),
))


def _step(p):
    from backend.layers.modules import Step

    return Step(straight_through=p["gradient"] != "zero")


_simple("ReLU", "max(0, x): the default choice; cheap, but units can 'die' for negative inputs.")
_simple("LeakyReLU", "x for x > 0, αx otherwise: keeps a small gradient for negative inputs.",
        (Param("negative_slope", "float", 0.01, "The slope α for negative inputs.",
               min=0.0, max=10.0, label="alpha"),),
        lambda p: f"negative_slope={p['negative_slope']!r}")
_simple("Sigmoid", "1 / (1 + e^-x) in (0, 1): saturates, so deep stacks suffer vanishing "
        "gradients (its derivative is at most 0.25).")
_simple("Tanh", "Zero-centred squashing to (-1, 1); tanh(x) = 2·sigmoid(2x) - 1. Saturates too.")
_simple("ELU", "x for x > 0, α(e^x - 1) otherwise: smooth and zero-centred-ish.",
        (Param("alpha", "float", 1.0, "Value approached for very negative inputs.",
               min=0.0, max=100.0),),
        lambda p: f"alpha={p['alpha']!r}")
_simple("GELU", "x·Φ(x): smooth ReLU used in transformers.")
_simple("SiLU", "x·sigmoid(x) (swish): smooth, non-monotonic ReLU alternative.")
_simple("ReLU6", "min(max(0, x), 6): a ReLU capped at 6, robust in low precision "
        "(MobileNetV2).")
_simple("Hardsigmoid", "relu6(x + 3) / 6: a piecewise-linear sigmoid that is cheap to compute "
        "(MobileNetV3's gates).")
_simple("Hardswish", "x·relu6(x + 3) / 6: a piecewise-linear swish (MobileNetV3).")
_simple("Mish", "x·tanh(softplus(x)): smooth and non-monotonic, like swish (YOLOv4).")
_simple("Softplus", "log(1 + e^(βx)) / β: a smooth ReLU that is never exactly zero; keeps "
        "outputs positive (variances, rates).",
        (Param("beta", "float", 1.0, "Sharpness β: larger values bend closer to a ReLU.",
               min=1e-6, max=1000.0),
         Param("threshold", "float", 20.0, "Above β·x > threshold the layer returns x "
               "(avoids overflow).", min=0.0, max=1000.0)),
        lambda p: ", ".join(f"{k}={p[k]!r}" for k, v in (("beta", 1.0), ("threshold", 20.0))
                            if p[k] != v))


def _prelu_count(p, s) -> int:
    return s[0][0] if p["per_channel"] else 1


def _prelu_shape(ins, p):
    (shape,) = ins
    if p["per_channel"] and not shape:
        raise ShapeError("PReLU with a slope per channel needs a channel axis, but receives "
                         "one number per sample: turn per_channel off")
    return shape


def _prelu_build(p, s):
    from torch import nn

    return nn.PReLU(_prelu_count(p, s), init=p["init_slope"])


def _prelu_code(p, s) -> CodeForm:
    args = [f"{s[0][0]}"] if p["per_channel"] else []
    if p["init_slope"] != 0.25:
        args.append(f"init={p['init_slope']!r}")
    return CodeForm(f"nn.PReLU({', '.join(args)})")


register(LayerSpec(
    type="PReLU", category="activation",
    description="x for x > 0, a·x otherwise, with the slope a learned (one, or one per "
                "channel): a LeakyReLU that finds its own slope.",
    params=(Param("per_channel", "bool", False, "Learn a slope for each channel (axis 1) "
                  "instead of one for the whole layer."),
            Param("init_slope", "float", 0.25, "The slope a starts at.", min=-10.0,
                  max=10.0, label="initial slope")),
    shape_rule=_prelu_shape, build=_prelu_build, code=_prelu_code,
    param_count=_prelu_count,
))


def _dim_shape(kind):
    def rule(ins, p):
        (shape,) = ins
        rank = len(shape) + 1
        if not -rank <= p["dim"] < rank or p["dim"] in (0, -rank):
            raise ShapeError(f"{kind} dim {p['dim']} does not exist in {fmt(shape)}: use a "
                             f"dim from 1 to {rank - 1} (or -1 for the last)")
        return shape
    return rule


def _softmax(kind, description):
    register(LayerSpec(
        type=kind, category="activation", description=description,
        params=(Param("dim", "int", 1, "Axis to normalise over, counting the batch as 0 "
                      "(1 = classes for (B, classes)).", min=-6, max=6),),
        shape_rule=_dim_shape(kind),
        build=lambda p, s: getattr(__import__("torch").nn, kind)(dim=p["dim"]),
        code=lambda p, s: CodeForm(f"nn.{kind}(dim={p['dim']})"),
    ))


_softmax("Softmax", "exp(y_i) / Σ exp(y_j): turns logits into class probabilities. "
         "Leave it out before a cross-entropy loss, which applies it itself.")
_softmax("LogSoftmax", "log of softmax; pairs with a negative log-likelihood loss.")
