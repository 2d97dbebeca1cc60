"""Does a design train as it stands? The recipe's checks, shared by the pre-run check and the
run's setup (torch-free).

`design_report(doc, config, data_cfg, info, analysis)` resolves the task and its recipe, the
loss, and asks the recipe for its (errors, warnings): one sentence each, naming the node and
the fix, before any training starts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.graph.document import GraphDocument
from backend.training.recipes import recipe_for_task, resolve_task
from backend.training.recipes.base import Recipe


@dataclass
class DesignReport:
    recipe: Recipe
    task: str
    loss: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def design_report(doc: GraphDocument, config, data_cfg, info, analysis) -> DesignReport:
    task = resolve_task(config.task, info.task, doc, analysis)
    recipe = recipe_for_task(task)
    loss = recipe.resolve_loss(task, config.loss, doc, analysis)
    report = DesignReport(recipe, task, loss)
    usable = loss in recipe.losses  # the design's own problems first, with a loss that fits
    checked = loss if usable else recipe.default_loss(task, doc, analysis)
    report.errors, report.warnings = recipe.fit_report(doc, data_cfg, info, task, checked,
                                                       config, analysis)
    if not usable and not report.errors:
        allowed = ", ".join(recipe.losses) or "none"
        report.errors.append(f"the task '{task}' cannot train with the loss '{loss}': choose "
                             f"auto or one of {allowed}")
    return report
