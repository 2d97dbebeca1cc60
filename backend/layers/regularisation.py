"""Regularisation layers: Dropout, Dropout2d, GaussianNoise (train-time only)."""

from __future__ import annotations

from backend.layers._common import fmt
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, ShapeError

P = Param("p", "float", 0.5, "Probability of dropping each unit while training "
          "(about 0.5 for hidden layers, 0.2 for inputs); kept units are scaled by 1/(1-p).",
          min=0.0, max=1.0, exclusive_max=True)

register(LayerSpec(
    type="Dropout", category="regularisation",
    description="Randomly zeroes units during training only; an ensemble of thinned networks.",
    params=(P,), shape_rule=lambda ins, p: ins[0],
    build=lambda p, s: __import__("torch").nn.Dropout(p["p"]),
    code=lambda p, s: CodeForm(f"nn.Dropout({p['p']!r})"),
))


def _d2_shape(ins, p):
    (shape,) = ins
    if len(shape) != 3:
        raise ShapeError(f"Dropout2d expects (B, channels, height, width) but receives "
                         f"{fmt(shape)}: use Dropout instead")
    return shape


register(LayerSpec(
    type="Dropout2d", category="regularisation",
    description="Drops whole feature maps during training; suits convolutional layers.",
    params=(P,), shape_rule=_d2_shape,
    build=lambda p, s: __import__("torch").nn.Dropout2d(p["p"]),
    code=lambda p, s: CodeForm(f"nn.Dropout2d({p['p']!r})"),
))


def _noise_build(p, s):
    from backend.layers.modules import GaussianNoise

    return GaussianNoise(p["std"])


register(LayerSpec(
    type="GaussianNoise", category="regularisation",
    description="Adds random noise while training (denoising autoencoders); "
                "does nothing at evaluation time.",
    params=(Param("std", "float", 0.1, "Standard deviation of the added noise.",
                  min=0.0, max=100.0),),
    shape_rule=lambda ins, p: ins[0], build=_noise_build,
    code=lambda p, s: CodeForm(f"GaussianNoise({p['std']!r})", helpers=("GaussianNoise",)),
))
