"""The GAN recipe: a generator and a discriminator, trained against each other.

The design holds two networks (two connected groups, each from its own Input): the generator
turns noise shaped like its Input into a sample shaped like the data; the discriminator (the
critic, for the Wasserstein loss) turns a sample into one score. Roles come from the design's
`networks` section or, without it, from the shapes (the network ending in one score is the
discriminator). Each step draws fresh noise, updates the discriminator on real and generated
samples, and every `d_steps`-th step the generator (k discriminator steps per generator
step). Two optimisers: the shared settings train the generator, `d_optimizer`, `d_lr` and
`d_betas` the discriminator. Losses (the `loss` setting): `minimax` (the original
log(1 − D(G(z)))), `non_saturating` (−log D(G(z)), the default) and `wasserstein_gp`
(critic scores, gradient penalty `gp_weight`). Reported per step and epoch: the D and G
losses, D(x) and D(G(z)). There is no validation loss to pick a best epoch: the last
weights are kept and early stopping does not apply.
"""

from __future__ import annotations

import math

from backend.graph.networks import ends, gan_roles, last_transform, subdesign
from backend.graph.ops import SetSection
from backend.graph.problems import Fix, Problem
from backend.graph.validate import label
from backend.training.recipes.base import Recipe, Setting, Term
from backend.training.rules import OPTIMIZERS

GAN_LOSSES = ("non_saturating", "minimax", "wasserstein_gp")


def _shape(shape) -> str:
    return "(" + ", ".join(["B", *(str(d) for d in shape)]) + ")"


class GAN(Recipe):
    name = "gan"
    title = "Generative adversarial network"
    tasks = ("gan",)
    losses = GAN_LOSSES
    monitor = False
    runtime = "backend.training.recipes.gan_run:GANRun"
    script = "backend.codegen.train_recipes.gan:GANRun"
    terms = (Term("d_loss", "discriminator loss"), Term("g_loss", "generator loss"),
             Term("d_real", "D(x)", "metric"), Term("d_fake", "D(G(z))", "metric"))
    settings = (
        Setting("d_steps", "int", 1, "Discriminator updates per generator update (k); each "
                "uses a fresh batch of real samples. WGAN-GP often uses 5.",
                label="D steps per G step", min=1, max=100),
        Setting("d_optimizer", "choice", "adam", "Optimiser of the discriminator (the "
                "optimiser above trains the generator).", label="D optimiser",
                choices=OPTIMIZERS),
        Setting("d_lr", "float", 2e-4, "Learning rate of the discriminator.",
                label="D learning rate", min=0.0, max=10.0, lo_open=True),
        Setting("d_betas", "betas", [0.5, 0.999], "Adam's β₁ and β₂ for the discriminator "
                "(DCGAN uses β₁ = 0.5).", label="D betas"),
        Setting("label_smoothing", "float", 0.0, "One-sided label smoothing: real samples "
                "are labelled 1 − this for the discriminator (0.1 keeps it from becoming "
                "overconfident).", label="label smoothing", min=0.0, max=0.5),
        Setting("gp_weight", "float", 10.0, "Weight λ of the gradient penalty of the "
                "Wasserstein loss (wasserstein_gp only).", label="gradient penalty λ",
                min=0.0, max=1000.0),
    )

    def claims(self, doc, analysis) -> bool:
        roles = gan_roles(doc, analysis)
        if roles is None:
            return False
        g_out, d_in = ends(doc, roles["generator"])[1], ends(doc, roles["discriminator"])[0]
        return len(g_out) == 1 and analysis.shapes.get(g_out[0]) == analysis.shapes.get(d_in[0])

    def default_loss(self, task, doc, analysis) -> str:
        return "non_saturating"

    def prepare_splits(self, splits, task: str):
        return splits  # real samples are the inputs; labels only colour plots

    def networks(self, doc, analysis):
        roles = gan_roles(doc, analysis)
        return {"generator": subdesign(doc, roles["generator"], f"{doc.name} generator"),
                "discriminator": subdesign(doc, roles["discriminator"],
                                           f"{doc.name} discriminator")}

    def script_settings(self, doc, analysis, config) -> dict:
        generator = ends(doc, gan_roles(doc, analysis)["generator"])[0][0]
        return {"noise_shape": list(analysis.shapes[generator])}

    def fit_check(self, doc, data_cfg, info, task, loss, config, analysis):
        roles = gan_roles(doc, analysis)
        if roles is None:
            return [no_two_networks(doc)]
        found = network_problems(doc, analysis, roles, info, loss)
        return found or range_problems(doc, data_cfg, roles)


def no_two_networks(doc) -> Problem:
    from backend.graph.networks import components

    count = len(components(doc))
    return Problem(None, f"a GAN needs two separate networks, a generator (noise Input → … → "
                         "a sample) and a discriminator (sample Input → … → one score), but "
                         f"the design has {count}: draw both, each from its own Input, with "
                         "the discriminator ending in Dense(1)")


def network_problems(doc, analysis, roles, info, loss) -> list[Problem]:
    (g_in,), g_outs = ends(doc, roles["generator"])
    (d_in,), d_outs = ends(doc, roles["discriminator"])
    for role, outs in (("generator", g_outs), ("discriminator", d_outs)):
        if len(outs) != 1:
            names = ", ".join(label(doc, o) for o in outs) or "none"
            return [Problem(outs[0] if outs else None, f"the {role} must end in one output but "
                            f"has {len(outs)} ({names}): connect or remove the extra ones")]
    shapes = analysis.shapes
    score, sample, want = shapes[d_outs[0]], shapes[g_outs[0]], shapes[d_in]
    if math.prod(score) != 1:
        return [Problem(d_outs[0], f"the discriminator's output {label(doc, d_outs[0])} gives "
                                   f"{_shape(score)} but a discriminator ends in one score per "
                                   "sample: end it with Dense(1)")]
    if tuple(want) != tuple(info.input_shape):
        return [Problem(d_in, f"the discriminator's {label(doc, d_in)} has shape {_shape(want)} "
                              f"but dataset '{info.name}' gives {_shape(info.input_shape)}: set "
                              f"the Input shape to {list(info.input_shape)}",
                        fix=_input_fix(d_in, info.input_shape))]
    if tuple(sample) != tuple(want):
        fix = (f"end the generator with a Reshape to {list(want)}"
               if math.prod(sample) == math.prod(want)
               else f"make the generator's last layer output {_shape(want)}")
        return [Problem(g_outs[0], f"the generator's output {label(doc, g_outs[0])} gives "
                                   f"{_shape(sample)} but the discriminator's "
                                   f"{label(doc, d_in)} takes {_shape(want)}: {fix}")]
    last = last_transform(doc, d_outs[0])
    if loss != "wasserstein_gp" and doc.nodes[last].type == "Sigmoid":
        return [Problem(last, f"the discriminator ends with {label(doc, last)} but the GAN "
                              "losses take raw scores (logits) and apply the sigmoid "
                              "themselves: remove it")]
    return []


def _input_fix(node: str, shape) -> Fix:
    from backend.graph.ops import SetParams

    return Fix(f"Set the Input shape to {list(shape)}",
               lambda d: SetParams(node, {**d.nodes[node].params, "shape": list(shape)}))


def range_problems(doc, data_cfg, roles) -> list[Problem]:
    """Generated values must be able to look like the data's."""
    if data_cfg is None:
        return []
    out = ends(doc, roles["generator"])[1][0]
    last = last_transform(doc, out)
    kind, norm = doc.nodes[last].type, data_cfg.normalise
    if kind == "Sigmoid" and norm == "standard":
        return [Problem(last, f"the generator ends with {label(doc, last)} (values 0..1) but "
                              "the data is standardised (mean 0, standard deviation 1): set "
                              "the dataset's normalise to minmax",
                        fix=Fix("Set the dataset's normalise to minmax", lambda d: SetSection(
                            "dataset", {**(d.sections.get("dataset") or {}),
                                        "normalise": "minmax"})))]
    if kind == "Tanh" and norm == "minmax":
        return [Problem(last, f"the generator ends with {label(doc, last)} (values −1..1) but "
                              "the data lies in 0..1 (minmax): a Sigmoid fits it better",
                        "warning")]
    return []


GAN_RECIPE = GAN()
