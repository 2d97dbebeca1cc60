"""Optimisers, losses, learning-rate schedules, target formats and metrics by name.

Everything here is a pure function of a `TrainingConfig` (and the model's parameters), so the
trainer, the tests and the Python exporter's training script agree on what "adam" or
"onecycle" means.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from backend.training.config import TrainingConfig
from backend.training.preflight import DEFAULT_LOSS as DEFAULT_LOSS  # one table, torch-free

FUSABLE = ("sgd", "sgd_momentum", "nesterov", "adagrad", "adam", "adamw")


def make_optimizer(cfg: TrainingConfig, params, fused: bool = False) -> torch.optim.Optimizer:
    """The optimiser by name; `fused` asks for torch's single-kernel implementation (same
    update rule, several times fewer kernel launches), falling back when it is missing."""
    params = [p for p in params if p.requires_grad]
    if fused and cfg.optimizer in FUSABLE and params:
        try:
            return _optimizer(cfg, params, {"fused": True})
        except (RuntimeError, ValueError, TypeError):
            pass
    return _optimizer(cfg, params, {})


def _optimizer(cfg: TrainingConfig, params, kw: dict) -> torch.optim.Optimizer:
    wd, lr, betas = cfg.weight_decay, cfg.lr, tuple(cfg.betas)
    o = torch.optim
    match cfg.optimizer:
        case "sgd":
            return o.SGD(params, lr=lr, weight_decay=wd, **kw)
        case "sgd_momentum" | "nesterov":
            momentum = (cfg.momentum or 0.9) if cfg.nesterov else cfg.momentum
            return o.SGD(params, lr=lr, momentum=momentum, nesterov=cfg.nesterov,
                         weight_decay=wd, **kw)
        case "adagrad":
            return o.Adagrad(params, lr=lr, weight_decay=wd, **kw)
        case "adadelta":
            return o.Adadelta(params, lr=lr, rho=cfg.adadelta_rho, weight_decay=wd)
        case "rmsprop":
            return o.RMSprop(params, lr=lr, alpha=cfg.rmsprop_alpha, weight_decay=wd)
        case "adam":
            return o.Adam(params, lr=lr, betas=betas, weight_decay=wd, **kw)
        case "adamw":
            return o.AdamW(params, lr=lr, betas=betas, weight_decay=wd, **kw)
        case "nadam":
            return o.NAdam(params, lr=lr, betas=betas, weight_decay=wd)
    raise ValueError(f"unknown optimizer {cfg.optimizer!r}")


def categorical_cross_entropy(out: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy against one-hot or soft target distributions (rows sum to 1)."""
    return -(target * F.log_softmax(out, dim=1)).sum(dim=1).mean()


def make_loss(name: str):
    losses = {
        "cross_entropy": nn.CrossEntropyLoss(),
        "categorical_cross_entropy": categorical_cross_entropy,
        "bce_with_logits": nn.BCEWithLogitsLoss(),
        "bce": nn.BCELoss(),
        "mse": nn.MSELoss(),
        "mae": nn.L1Loss(),
        "huber": nn.HuberLoss(),
    }
    return losses[name]


def target_format(task: str, loss: str, out_shape: tuple[int, ...], labels: str,
                  multi_label: bool = False) -> str:
    """How targets are fed to the loss: index | onehot | binary | multihot | value."""
    if task != "classification":
        return "value"
    if multi_label:
        return "multihot"
    if loss == "cross_entropy":
        return "onehot" if labels == "onehot" else "index"
    if loss == "bce_with_logits" and tuple(out_shape) == (1,):
        return "binary"
    return "onehot"


def encode_targets(y: torch.Tensor, fmt: str, num_classes: int) -> torch.Tensor:
    """Class indices -> the tensor the loss expects (values pass through as float)."""
    if fmt == "index":
        return y.long()
    if fmt == "onehot":
        return F.one_hot(y.long(), num_classes).float()
    if fmt == "binary":
        return y.float().reshape(-1, 1)
    return y.float()


def correct_count(out: torch.Tensor, target: torch.Tensor, fmt: str) -> torch.Tensor:
    """Samples predicted right (multi-label: every class's yes/no right), on the device."""
    if fmt == "multihot":
        return ((out > 0) == (target > 0.5)).all(dim=1).sum()
    return (predicted_class(out, fmt) == true_class(target, fmt)).sum()


def predicted_class(out: torch.Tensor, fmt: str) -> torch.Tensor:
    return (out.reshape(-1) > 0).long() if fmt == "binary" else out.argmax(dim=1)


def true_class(target: torch.Tensor, fmt: str) -> torch.Tensor:
    if fmt == "index":
        return target
    return target.reshape(-1).long() if fmt == "binary" else target.argmax(dim=1)


def topk_correct(out: torch.Tensor, truth: torch.Tensor, k: int) -> torch.Tensor:
    k = min(k, out.shape[1])
    return (out.topk(k, dim=1).indices == truth[:, None]).any(dim=1).sum()


@dataclass
class Schedule:
    """A torch scheduler and when to step it: per step, per epoch, or on validation loss."""

    scheduler: object | None
    when: str  # none | step | epoch | plateau

    def after_step(self) -> None:
        if self.when == "step":
            self.scheduler.step()

    def after_epoch(self, val_loss: float | None) -> None:
        if self.when == "epoch":
            self.scheduler.step()
        elif self.when == "plateau" and val_loss is not None and math.isfinite(val_loss):
            self.scheduler.step(val_loss)


def make_schedule(cfg: TrainingConfig, opt: torch.optim.Optimizer,
                  steps_per_epoch: int) -> Schedule:
    s = torch.optim.lr_scheduler
    total = max(1, cfg.epochs * steps_per_epoch)
    match cfg.schedule:
        case "step":
            return Schedule(s.StepLR(opt, cfg.step_size, cfg.gamma), "epoch")
        case "cosine":
            return Schedule(s.CosineAnnealingLR(opt, total, eta_min=cfg.min_lr), "step")
        case "plateau":
            return Schedule(s.ReduceLROnPlateau(opt, factor=cfg.plateau_factor,
                                                patience=cfg.plateau_patience,
                                                min_lr=cfg.min_lr), "plateau")
        case "onecycle":
            cycle = "betas" in opt.defaults or opt.defaults.get("momentum", 0) > 0
            return Schedule(s.OneCycleLR(opt, max_lr=cfg.lr, total_steps=total,
                                         cycle_momentum=cycle), "step")
        case "warmup":
            warm = max(1, round(cfg.warmup_epochs * steps_per_epoch))
            return Schedule(s.LambdaLR(opt, lambda i: min(1.0, (i + 1) / warm)), "step")
    return Schedule(None, "none")


def current_lr(opt: torch.optim.Optimizer) -> float:
    return float(opt.param_groups[0]["lr"])
