"""Generative layers: Sampling, the VAE's reparameterisation trick with its KL term."""

from __future__ import annotations

from backend.layers._common import fmt
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Port, ShapeError


def _sampling_shape(ins, p):
    mu, log_var = ins
    if mu != log_var:
        raise ShapeError(f"Sampling needs μ and log σ² of the same shape but receives "
                         f"{fmt(mu)} on 'mu' and {fmt(log_var)} on 'log_var': give the two "
                         "layers that feed it the same number of units")
    return mu


def _sampling_build(p, s):
    from backend.layers.modules import Sampling

    return Sampling()


register(LayerSpec(
    type="Sampling", category="generative",
    description="VAE reparameterisation: z = μ + exp(½·log σ²)·ε with ε ~ N(0, I) while "
                "training (μ at evaluation); adds the KL divergence to N(0, I) to the loss.",
    params=(),
    inputs=(Port("mu"), Port("log_var")),
    shape_rule=_sampling_shape,
    build=_sampling_build,
    code=lambda p, s: CodeForm("Sampling()", "{self}({xs})", helpers=("Sampling",)),
    doc="Wire the encoder's two heads into it: μ on 'mu' and log σ² on 'log_var' (two "
        "Dense layers of the latent size). A variational autoencoder (task vae) adds "
        "β·KL(q(z|x) ‖ N(0, I)), which this layer computes, to the reconstruction loss.",
))
