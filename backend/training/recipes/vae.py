"""The variational autoencoder recipe: reconstruction + β·KL through a Sampling layer.

The design is one network: an encoder ending in two heads (μ and log σ²) wired into a
Sampling layer, and a decoder from the sampled code z back to the input. The loss per sample
is the reconstruction error summed over the sample's values (the ELBO's scale; binary
cross-entropy on a Sigmoid output by default, else MSE) plus β times the KL divergence the
Sampling layer computes. β can rise linearly from 0 over the first `kl_warmup_epochs` (KL
annealing). Validation decodes μ (no sampling), so its loss is steady from epoch to epoch.
A latent dimension whose KL stays near zero carries no information (posterior collapse);
the run says which ones.
"""

from __future__ import annotations

from backend.graph.networks import narrowest
from backend.graph.problems import Fix, Problem
from backend.graph.validate import label
from backend.training.recipes import reconstruction
from backend.training.recipes.base import Recipe, Setting, Term

COLLAPSED_NATS = 0.01  # a latent dimension with less KL than this carries no information


def sampling_nodes(doc) -> list[str]:
    return [nid for nid, n in doc.nodes.items() if n.type == "Sampling"]


class VAE(Recipe):
    name = "vae"
    title = "Variational autoencoder"
    tasks = ("vae",)
    losses = reconstruction.RECONSTRUCTION_LOSSES
    runtime = "backend.training.recipes.vae_run:VAERun"
    script = "backend.codegen.train_recipes.vae:VAERun"
    terms = (Term("reconstruction", "reconstruction"), Term("kl", "KL divergence"))
    settings = (
        Setting("beta", "float", 1.0, "Weight β of the KL term: loss = reconstruction + β·KL. "
                "Larger β pulls codes towards N(0, I) (smoother latent space, blurrier "
                "reconstructions); 0 trains a plain autoencoder.", label="β (KL weight)",
                min=0.0, max=1000.0),
        Setting("kl_warmup_epochs", "float", 0.0, "Epochs over which β rises linearly from 0 "
                "(KL annealing), so the decoder learns to use the code before the KL term "
                "presses it towards the prior; 0 = full β from the start.",
                label="KL warm-up (epochs)", min=0.0, max=10000.0),
    )

    def claims(self, doc, analysis) -> bool:
        return bool(sampling_nodes(doc))

    def split(self, doc, analysis, config):
        from backend.training.recipes.parts import Split

        nodes = sampling_nodes(doc)
        if len(nodes) != 1:
            return None
        heads = {e.dst_port: e.src for e in doc.in_edges(nodes[0])}
        if set(heads) != {"mu", "log_var"}:
            return None
        return Split((heads["mu"], heads["log_var"]), nodes[0])

    def default_loss(self, task, doc, analysis) -> str:
        return "bce" if doc is not None and reconstruction.ends_in_sigmoid(doc) else "mse"

    def fit_check(self, doc, data_cfg, info, task, loss, config, analysis):
        from backend.data.check import fit_check

        found = fit_check(doc, data_cfg, info, "vae", loss, analysis)
        if any(p.severity == "error" for p in found):
            return found
        if not sampling_nodes(doc):
            return [missing_sampling(doc, analysis)] + found
        return found + reconstruction.loss_problems(doc, data_cfg, loss)


def missing_sampling(doc, analysis) -> Problem:
    from backend.graph.ops import SetSection

    code = narrowest(doc, analysis)
    where = f"at the code ({label(doc, code)}) " if code else ""
    return Problem(code, f"the task is vae but the design has no Sampling layer: {where}feed "
                         "two Dense layers of the latent size (μ and log σ²) into a Sampling "
                         "layer's 'mu' and 'log_var' ports and decode its output, or set the "
                         "task to autoencoding",
                   fix=Fix("Set the task to autoencoding", lambda d: SetSection(
                       "training", {**(d.sections.get("training") or {}),
                                    "task": "autoencoding"})))


VAE_RECIPE = VAE()
