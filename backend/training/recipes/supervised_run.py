"""The supervised recipe's step: forward, the loss against the targets, one optimiser step."""

from __future__ import annotations

import torch

from backend.training.components import correct_count, make_loss
from backend.training.evaluation import evaluate
from backend.training.failures import loss_message
from backend.training.recipes.run import RecipeRun


class SupervisedRun(RecipeRun):
    def __init__(self, setup, config, recipe) -> None:
        super().__init__(setup, config, recipe)
        self.loss_fn = make_loss(setup.loss)
        self.main = self.make_slot("model", setup.model)

    @property
    def counts_correct(self) -> bool:
        return self.setup.target_fmt != "value"

    def step(self, xb: torch.Tensor, yb: torch.Tensor):
        s = self.setup
        out = self.forward(s.model, xb)
        try:
            loss = self.loss_fn(out.float() if s.amp_dtype else out, yb)
        except Exception as exc:
            raise ValueError(loss_message(s.loss, out.shape[1:], yb.shape[1:], exc)) from exc
        self.update(loss, self.main)
        correct = None
        if s.target_fmt != "value":
            correct = correct_count(out.detach(), yb, s.target_fmt)
        return loss.detach(), (), correct

    def evaluate(self, x: torch.Tensor, y: torch.Tensor, confusion: bool = False) -> dict:
        s, cfg = self.setup, self.config
        return evaluate(s.model, self.loss_fn, x, y, device=s.device, fmt=s.target_fmt,
                        num_classes=s.num_classes,
                        top_k=cfg.top_k if "top_k" in cfg.metrics else 0,
                        mae="mae" in cfg.metrics or s.target_fmt == "value",
                        confusion=confusion, amp_dtype=s.amp_dtype,
                        batch_size=max(cfg.batch_size, 256))
