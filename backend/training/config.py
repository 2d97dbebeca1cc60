"""The design's `training` section as a validated `TrainingConfig`.

`TrainingConfig.from_section(section)` fills defaults and refuses bad values with one
`ConfigError` sentence naming the setting and what is allowed ("batch_size must be a whole
number of at least 1, not 0"; "unknown optimizer 'adamm': choose one of ..."). Values that are
legal but unwise (lr 1e6) pass here and fail at run time with their own message.
`to_section()` writes the same dict back, so the designer's form round-trips.

Settings that belong to one task recipe (a GAN's discriminator optimiser, a VAE's β) sit flat
in the same section; each recipe declares and validates its own (`Recipe.settings`), and they
are kept in `TrainingConfig.extra`. The task choices are the recipes' tasks.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from typing import Any

from backend.training import recipes
from backend.training.rules import OPTIMIZERS, ConfigError, betas, choice, flag, number

TASK_CHOICES = ("auto", *recipes.task_names())
LOSSES = ("auto", *recipes.loss_names())
SCHEDULES = ("none", "step", "cosine", "plateau", "onecycle", "warmup")
DEVICES = ("auto", "cpu", "cuda")
AUTO_ON_OFF = ("auto", "on", "off")
METRICS = ("accuracy", "top_k", "mae")


@dataclass
class TrainingConfig:
    task: str = "auto"
    loss: str = "auto"
    optimizer: str = "adam"
    lr: float = 1e-3
    momentum: float = 0.9
    nesterov: bool = False
    betas: list[float] = field(default_factory=lambda: [0.9, 0.999])
    rmsprop_alpha: float = 0.99  # RMSprop's decay of the squared-gradient average
    adadelta_rho: float = 0.9  # Adadelta's decay of its running averages
    weight_decay: float = 0.0
    batch_size: int = 32
    epochs: int = 10
    schedule: str = "none"
    step_size: int = 10
    gamma: float = 0.1
    plateau_patience: int = 3
    plateau_factor: float = 0.5
    warmup_epochs: float = 1.0
    min_lr: float = 0.0
    clip_norm: float | None = None
    clip_value: float | None = None
    early_stopping: int = 0
    keep_best: bool = True
    seed: int = 0
    device: str = "auto"
    mixed_precision: str = "auto"
    channels_last: str = "auto"
    cuda_graphs: str = "auto"  # capture the training step on CUDA (backend.experiments.fastpath)
    compile: bool = False  # torch.compile the model on CUDA
    cpu_threads: int = 0  # 0 = auto: one thread for small models, else torch's default
    processes: int = 1  # > 1: DistributedDataParallel over this many processes
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    metrics: list[str] = field(default_factory=lambda: ["accuracy"])
    top_k: int = 5

    extra: dict[str, Any] = field(default_factory=dict)  # recipe settings, validated

    @classmethod
    def from_section(cls, section: dict | None) -> TrainingConfig:
        section = dict(section or {})
        names = [f.name for f in fields(cls) if f.name != "extra"]
        owners = recipes.setting_owners()
        for key in section:
            if key not in names and key not in owners:
                raise ConfigError(f"unknown training setting '{key}': use one of "
                                  f"{', '.join([*names, *owners])}")
        config = cls()
        for key, value in section.items():
            if key in owners:
                config.extra[key] = owners[key].check(value)
            else:
                setattr(config, key, _RULES[key](key, value))
        config.check()
        return config

    def to_section(self) -> dict[str, Any]:
        """The section as a dict: every shared setting, and the active recipe's settings with
        their defaults (plus any other recipe settings the section holds)."""
        section = {f.name: copy.deepcopy(getattr(self, f.name)) for f in fields(self)
                   if f.name != "extra"}
        if self.task != "auto":
            for s in recipes.recipe_for_task(self.task).settings:
                section[s.name] = copy.deepcopy(s.default)
        section.update(copy.deepcopy(self.extra))
        return section

    def check(self) -> None:
        """Cross-field rules; from_section calls it, so do code paths that edit fields."""
        for key in _RULES:
            setattr(self, key, _RULES[key](key, getattr(self, key)))
        owners = recipes.setting_owners()
        for key, value in self.extra.items():
            if key not in owners:
                raise ConfigError(f"unknown training setting '{key}'")
            self.extra[key] = owners[key].check(value)
        if self.val_fraction + self.test_fraction >= 0.9:
            raise ConfigError("val_fraction and test_fraction together must stay below 0.9 "
                              "so enough samples are left to train on")
        if self.optimizer == "nesterov":
            self.nesterov = True


def _metrics(key: str, value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not all(isinstance(m, str) for m in value):
        raise ConfigError("training setting 'metrics' must be a list of names like "
                          "[\"accuracy\", \"top_k\"]")
    for m in value:
        if m not in METRICS:
            raise ConfigError(f"unknown metric '{m}': choose from {', '.join(METRICS)}")
    return list(value)


_RULES = {
    "task": lambda key, value: choice(("auto", *recipes.task_names()), "task")(key, value),
    "loss": lambda key, value: choice(("auto", *recipes.loss_names()), "loss")(key, value),
    "optimizer": choice(OPTIMIZERS, "optimizer"),
    "lr": number(0, lo_open=True),
    "momentum": number(0, 0.999),
    "nesterov": flag,
    "betas": betas,
    "rmsprop_alpha": number(0, 0.9999),
    "adadelta_rho": number(0, 0.9999),
    "weight_decay": number(0),
    "batch_size": number(1, 1 << 20, whole=True),
    "epochs": number(1, 1_000_000, whole=True),
    "schedule": choice(SCHEDULES, "schedule"),
    "step_size": number(1, whole=True),
    "gamma": number(0, 1, lo_open=True),
    "plateau_patience": number(0, whole=True),
    "plateau_factor": number(0, 1, lo_open=True),
    "warmup_epochs": number(0),
    "min_lr": number(0),
    "clip_norm": number(0, lo_open=True, optional=True),
    "clip_value": number(0, lo_open=True, optional=True),
    "early_stopping": number(0, whole=True),
    "keep_best": flag,
    "seed": number(0, 2**63 - 1, whole=True),
    "device": choice(DEVICES, "device"),
    "mixed_precision": choice(AUTO_ON_OFF, "mixed_precision setting"),
    "channels_last": choice(AUTO_ON_OFF, "channels_last setting"),
    "cuda_graphs": choice(("auto", "off"), "cuda_graphs setting"),
    "compile": flag,
    "cpu_threads": number(0, 1024, whole=True),
    "processes": number(1, 1024, whole=True),
    "val_fraction": number(0, 0.9),
    "test_fraction": number(0, 0.9),
    "metrics": _metrics,
    "top_k": number(1, whole=True),
}
