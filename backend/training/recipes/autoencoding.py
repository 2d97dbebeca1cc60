"""The autoencoding recipe: undercomplete, denoising, sparse and convolutional autoencoders.

The network reconstructs its input: targets are the clean inputs, and when the dataset
section asks for corruption the inputs are noisy in training and validation alike (noisy ->
clean, see backend/data/corruption.py). The loss is MSE (default), MAE, Huber or binary
cross-entropy (`bce` on a Sigmoid output, `bce_with_logits` on logits; both need data in
0..1). A sparse autoencoder adds an L1 activity penalty λ·Σ|a| per sample on a chosen node
(`sparsity_weight` λ > 0; `sparsity_node`, default the code). The code layer (`code_node`,
default the narrowest layer) is what the latent view plots and where the export splits the
encoder from the decoder.
"""

from __future__ import annotations

from backend.graph.networks import narrowest
from backend.training.recipes import reconstruction
from backend.training.recipes.base import Recipe, Setting, Term


class Autoencoding(Recipe):
    name = "autoencoding"
    title = "Autoencoder"
    tasks = ("autoencoding",)
    losses = reconstruction.RECONSTRUCTION_LOSSES
    runtime = "backend.training.recipes.autoencoding_run:AutoencodingRun"
    settings = (
        Setting("code_node", "node", None, "The code (bottleneck) layer: the latent view plots "
                "it and the export splits encoder and decoder there. Empty: the narrowest "
                "layer.", label="code layer"),
        Setting("sparsity_weight", "float", 0.0, "λ of the sparse autoencoder's L1 activity "
                "penalty λ·Σ|a| per sample; 0 turns it off.", label="sparsity λ",
                min=0.0, max=1000.0),
        Setting("sparsity_node", "node", None, "The layer whose activations pay the L1 "
                "penalty. Empty: the code layer.", label="sparse layer"),
    )

    def default_loss(self, task, doc, analysis) -> str:
        return "mse"

    def terms_for(self, config) -> tuple[Term, ...]:
        if self.setting(config, "sparsity_weight") > 0:
            return (Term("reconstruction", "reconstruction"), Term("sparsity", "L1 activity"))
        return ()

    def code_node(self, doc, analysis, config) -> str | None:
        return self.setting(config, "code_node") or narrowest(doc, analysis)

    def script_settings(self, doc, analysis, config) -> dict:
        if not self.setting(config, "sparsity_weight"):
            return {}
        from backend.graph.naming import attribute_names

        node = self.setting(config, "sparsity_node") or self.code_node(doc, analysis, config)
        return {"sparsity_layer": attribute_names(doc)[node]}

    def split(self, doc, analysis, config):
        from backend.training.recipes.parts import Split

        code = self.code_node(doc, analysis, config)
        return None if code is None else Split((code,), code)

    def fit_check(self, doc, data_cfg, info, task, loss, config, analysis):
        from backend.data.check import fit_check

        found = fit_check(doc, data_cfg, info, "autoencoding", loss, analysis)
        if any(p.severity == "error" for p in found):
            return found
        found += reconstruction.loss_problems(doc, data_cfg, loss)
        for setting, what in (("code_node", "code layer"), ("sparsity_node", "sparse layer")):
            problem = reconstruction.node_problem(doc, self.setting(config, setting), what,
                                                  setting)
            if problem:
                found.append(problem)
        return found


AUTOENCODING = Autoencoding()
