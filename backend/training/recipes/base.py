"""What a task recipe declares: its tasks, settings, loss terms, checks and runtime.

A recipe says which networks (parts of the design), losses, optimisers and metrics one
training step uses and how the step runs. This module holds the torch-free declaration that
the settings validation, the pre-run checks, the designer and the exporter read; the step
itself lives in the recipe's runtime class (`runtime = "module:Class"`, a `RecipeRun`
subclass from `backend.training.recipes.run`), imported only when a run starts.

A recipe never needs another recipe: the trainer loop (epochs, logging, stop/pause, best
weights, early stopping, probes, failures) is shared, and everything task-specific is here
or in the runtime class.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from backend.graph.document import GraphDocument
from backend.training import rules
from backend.training.rules import ConfigError


@dataclass(frozen=True)
class Setting:
    """One recipe setting, stored flat in the design's `training` section.

    kind: float | int | bool | choice | node (a node id, or None) | betas.
    """

    name: str
    kind: str
    default: Any
    doc: str
    label: str = ""
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    lo_open: bool = False

    @property
    def display(self) -> str:
        return self.label or self.name.replace("_", " ")

    def check(self, value: Any) -> Any:
        """The normalised value, or ConfigError naming the setting and what is allowed."""
        if self.kind == "float":
            rule = rules.number(self.min if self.min is not None else -1e300,
                                self.max if self.max is not None else float("inf"),
                                lo_open=self.lo_open)
        elif self.kind == "int":
            rule = rules.number(self.min if self.min is not None else 0,
                                self.max if self.max is not None else float("inf"), whole=True)
        elif self.kind == "bool":
            rule = rules.flag
        elif self.kind == "choice":
            rule = rules.choice(self.choices, self.display)
        elif self.kind == "node":
            rule = rules.node_id
        elif self.kind == "betas":
            rule = rules.betas
        else:
            raise ConfigError(f"setting '{self.name}' has unknown kind {self.kind!r}")
        return rule(self.name, value)


@dataclass(frozen=True)
class Term:
    """A loss term or statistic a recipe reports beside the total loss (per step and epoch)."""

    key: str
    label: str
    plot: str = "loss"  # loss | metric: which axis a view draws it on


class Recipe:
    """The declaration of a task recipe (subclass it; see docs/recipes.md)."""

    name = ""
    title = ""
    tasks: tuple[str, ...] = ()
    settings: tuple[Setting, ...] = ()
    terms: tuple[Term, ...] = ()
    losses: tuple[str, ...] = ()  # losses the recipe accepts besides "auto"
    monitor = True  # best weights and early stopping follow the validation loss
    full_batch = False  # one step per epoch over all training samples (graph recipes)
    runtime = ""  # "module:Class" of the RecipeRun subclass
    script = "backend.codegen.train_recipes.supervised:SupervisedRun"  # train.py's class

    def claims(self, doc: GraphDocument, analysis) -> bool:
        """With task "auto": is this design unmistakably for this recipe (e.g. a VAE)?"""
        return False

    def default_loss(self, task: str, doc: GraphDocument | None, analysis) -> str:
        raise NotImplementedError

    def resolve_loss(self, task: str, loss: str, doc: GraphDocument | None, analysis) -> str:
        return self.default_loss(task, doc, analysis) if loss == "auto" else loss

    def setting(self, config, name: str) -> Any:
        """The value of one of this recipe's settings in a TrainingConfig."""
        if name in config.extra:
            return config.extra[name]
        return next(s.default for s in self.settings if s.name == name)

    def terms_for(self, config) -> tuple[Term, ...]:
        """The extra terms a run with these settings reports (a sparse autoencoder adds one)."""
        return self.terms

    def networks(self, doc: GraphDocument, analysis) -> dict[str, GraphDocument]:
        """The trained networks by role; most recipes train the whole design as one."""
        return {"model": doc}

    def script_settings(self, doc: GraphDocument, analysis, config) -> dict:
        """What the exported train.py needs beyond the training section (layer names...)."""
        return {}

    def split(self, doc: GraphDocument, analysis, config):
        """Where the network divides into encoder and decoder (`parts.Split`), or None."""
        return None

    def prepare_splits(self, splits, task: str):
        """The splits with the targets this task trains on (autoencoders: the input)."""
        return splits.with_task(task)

    def fit_check(self, doc: GraphDocument, data_cfg, info, task: str, loss: str,
                  config, analysis) -> list:
        """`Problem`s (backend.graph.problems) before any training starts: errors and
        warnings, each naming its node and the fix (with a one-click `Fix` where mechanical)."""
        return []

    def run_class(self) -> type:
        module, _, cls = self.runtime.partition(":")
        return getattr(importlib.import_module(module), cls)
