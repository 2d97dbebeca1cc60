"""Does a design train as it stands? The recipe's checks, shared by the pre-run check and the
run's setup (torch-free).

`design_report(doc, config, data_cfg, info, analysis)` resolves the task and its recipe, the
loss, and asks the recipe for its problems (`Problem`s for the Problems list: one sentence
each, naming the node and the fix, with a one-click `Fix` where one is mechanical) before any
training starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.graph.document import GraphDocument
from backend.graph.problems import Problem
from backend.training.recipes import recipe_for_task, resolve_task
from backend.training.recipes.base import Recipe


@dataclass
class DesignReport:
    recipe: Recipe
    task: str
    loss: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return [p.message for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[str]:
        return [p.message for p in self.problems if p.severity != "error"]


def design_report(doc: GraphDocument, config, data_cfg, info, analysis) -> DesignReport:
    task = resolve_task(config.task, info.task, doc, analysis)
    recipe = recipe_for_task(task)
    loss = recipe.resolve_loss(task, config.loss, doc, analysis)
    if config.loss == "auto" and task == "classification" and getattr(info, "multi_label",
                                                                      False):
        loss = "bce_with_logits"  # multi-hot labels: one sigmoid and yes/no per class
    report = DesignReport(recipe, task, loss)
    usable = loss in recipe.losses  # the design's own problems first, with a loss that fits
    checked = loss if usable else recipe.default_loss(task, doc, analysis)
    report.problems = recipe.fit_check(doc, data_cfg, info, task, checked, config, analysis)
    if not usable and not report.errors:
        allowed = ", ".join(recipe.losses) or "none"
        report.problems.insert(0, Problem(
            None, f"the task '{task}' cannot train with the loss '{loss}': choose auto or "
                  f"one of {allowed}", fix=_auto_loss_fix()))
    return report


def _auto_loss_fix():
    from backend.graph.ops import SetSection
    from backend.graph.problems import Fix

    def make(doc):
        return SetSection("training", {**(doc.sections.get("training") or {}), "loss": "auto"})

    return Fix("Set the loss to auto", make)
