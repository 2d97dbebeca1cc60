"""The supervised recipe: classification, regression and sequence prediction.

One network, one loss against the dataset's targets, one optimiser; accuracy (and top-k, the
confusion matrix) for classes, MAE for values. This is what Netwright trained before recipes
existed, unchanged.
"""

from __future__ import annotations

from backend.training.recipes.base import Recipe

DEFAULT_LOSS = {"classification": "cross_entropy", "regression": "mse", "sequence": "mse"}


class Supervised(Recipe):
    name = "supervised"
    title = "Supervised"
    tasks = ("classification", "regression", "sequence")
    losses = ("cross_entropy", "categorical_cross_entropy", "bce_with_logits", "mse", "mae",
              "huber")
    runtime = "backend.training.recipes.supervised_run:SupervisedRun"

    def default_loss(self, task, doc, analysis) -> str:
        return DEFAULT_LOSS.get(task, "mse")

    def fit_check(self, doc, data_cfg, info, task, loss, config, analysis):
        from backend.data.check import fit_check

        return fit_check(doc, data_cfg, info, task, loss, analysis)


SUPERVISED = Supervised()
