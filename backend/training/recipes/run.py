"""The runtime side of a recipe: its losses, optimisers and one training step (imports torch).

`RecipeRun` is built once per run from the `RunSetup` and the `TrainingConfig`. The shared
trainer loop calls, per batch, `step(xb, yb) -> (loss, terms, correct)`: the total loss as a
0-d device tensor, a tuple of 0-d tensors for the recipe's extra terms (in the order of its
declaration's `terms_for`), and the number of correct predictions or None. Nothing in a step
may synchronise with the host (no `.item()`, no Python branching on tensor values): the
trainer keeps the results in device buffers and reads them back at log points.

Helpers every recipe uses: `forward(net, *xs)` (autocast, and a layer failure the trainer can
trace to its node), `update(loss, slot)` (zero_grad, backward, clipping, the gradient probe,
the optimiser and scheduler step) and `make_slot(network, cfg)` (an optimiser with its
schedule for one network).
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field, replace

import torch
from torch import nn

from backend.training.components import current_lr, make_optimizer, make_schedule
from backend.training.config import TrainingConfig
from backend.training.probes import GradientProbe


class LayerFailure(RuntimeError):
    """A network raised while computing; the trainer re-runs `inputs` to name the node."""

    def __init__(self, exc: Exception, network: nn.Module, inputs: tuple) -> None:
        super().__init__(str(exc))
        self.network, self.inputs = network, inputs


@dataclass
class Slot:
    """One optimiser, its schedule and the parameters it updates (one per trained network)."""

    name: str
    network: nn.Module
    opt: torch.optim.Optimizer
    schedule: object
    params: list[nn.Parameter]
    probe: GradientProbe | None = None
    extra: dict = field(default_factory=dict)


class RecipeRun:
    """Base of every recipe's runtime; subclasses set up their slots and write `step`."""

    def __init__(self, setup, config: TrainingConfig, recipe) -> None:
        self.setup, self.config, self.recipe = setup, config, recipe
        self.slots: list[Slot] = []
        self.probing = False  # the trainer sets it on steps that probe gradient flow
        self.flow: list[tuple] = []  # (nodes, mean, max, ratio) per probed update
        self.epoch_fraction = 0.0  # epochs done so far, fractional (for warm-up schedules)

    # -- what the trainer reads -----------------------------------------------------------------
    @property
    def term_keys(self) -> tuple[str, ...]:
        return tuple(t.key for t in self.recipe.terms_for(self.config))

    @property
    def counts_correct(self) -> bool:
        return False

    def lr(self) -> float:
        return current_lr(self.slots[0].opt)

    def after_epoch(self, metric: float | None) -> None:
        for slot in self.slots:
            slot.schedule.after_epoch(metric)

    def enable_gradient_probes(self) -> None:
        for slot in self.slots:
            slot.probe = GradientProbe(slot.network)

    def probe_target(self, node: str) -> tuple[nn.Module, torch.Tensor] | None:
        """(network computing `node`, a one-sample input for it) for feature-map probes."""
        return self.setup.model, self.setup.probe_sample

    def watchers(self, probes) -> list:
        """Recipe-specific live views (see backend.training.watchers)."""
        return []

    # -- the interface every recipe implements --------------------------------------------------
    def step(self, xb: torch.Tensor, yb: torch.Tensor):
        raise NotImplementedError

    def evaluate(self, x: torch.Tensor, y: torch.Tensor, confusion: bool = False) -> dict:
        """{"loss": float, optional "accuracy", metrics and "terms": {key: float}}."""
        raise NotImplementedError

    # -- helpers ----------------------------------------------------------------------------------
    def make_slot(self, name: str, network: nn.Module, cfg: TrainingConfig | None = None,
                  **overrides) -> Slot:
        cfg = replace(cfg or self.config, **overrides) if overrides else cfg or self.config
        opt = make_optimizer(cfg, network.parameters(), fused=True)
        schedule = make_schedule(cfg, opt, len(self.setup.train))
        params = [p for p in network.parameters() if p.requires_grad]
        slot = Slot(name, network, opt, schedule, params)
        self.slots.append(slot)
        return slot

    def autocast(self):
        s = self.setup
        return torch.autocast(s.device.type, s.amp_dtype) if s.amp_dtype else nullcontext()

    def forward(self, net: nn.Module, *xs: torch.Tensor):
        with self.autocast():
            try:
                return net(*xs)
            except Exception as exc:
                raise LayerFailure(exc, net, xs) from exc

    def update(self, loss: torch.Tensor, slot: Slot) -> None:
        """Backward, clip, step the optimiser and its schedule (the gradient probe if due)."""
        cfg = self.config
        slot.opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.clip_value:
            nn.utils.clip_grad_value_(slot.params, cfg.clip_value)
        if cfg.clip_norm:
            nn.utils.clip_grad_norm_(slot.params, cfg.clip_norm)
        probe = slot.probe if self.probing else None
        if probe:
            probe.before_step()
        slot.opt.step()
        slot.schedule.after_step()
        if probe:
            self.flow.append((probe.nodes, *probe.after_step()))
