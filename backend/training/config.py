"""The design's `training` section as a validated `TrainingConfig`.

`TrainingConfig.from_section(section)` fills defaults and refuses bad values with one
`ConfigError` sentence naming the setting and what is allowed ("batch_size must be a whole
number of at least 1, not 0"; "unknown optimizer 'adamm': choose one of ..."). Values that are
legal but unwise (lr 1e6) pass here and fail at run time with their own message.
`to_section()` writes the same dict back, so the designer's form round-trips.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

TASK_CHOICES = ("auto", "classification", "regression", "autoencoding", "sequence")
LOSSES = ("auto", "cross_entropy", "categorical_cross_entropy", "bce_with_logits", "mse",
          "mae", "huber")
OPTIMIZERS = ("sgd", "sgd_momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam",
              "adamw", "nadam")
SCHEDULES = ("none", "step", "cosine", "plateau", "onecycle", "warmup")
DEVICES = ("auto", "cpu", "cuda")
AUTO_ON_OFF = ("auto", "on", "off")
METRICS = ("accuracy", "top_k", "mae")


class ConfigError(ValueError):
    """A training setting is invalid; the message names it and the allowed values."""


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
    cpu_threads: int = 0  # 0 = auto: one thread for small models, else torch's default
    val_fraction: float = 0.15
    test_fraction: float = 0.15
    metrics: list[str] = field(default_factory=lambda: ["accuracy"])
    top_k: int = 5

    @classmethod
    def from_section(cls, section: dict | None) -> TrainingConfig:
        section = dict(section or {})
        names = [f.name for f in fields(cls)]
        for key in section:
            if key not in names:
                raise ConfigError(f"unknown training setting '{key}': use one of "
                                  f"{', '.join(names)}")
        config = cls()
        for key, value in section.items():
            setattr(config, key, _RULES[key](key, value))
        config.check()
        return config

    def to_section(self) -> dict[str, Any]:
        return asdict(self)

    def check(self) -> None:
        """Cross-field rules; from_section calls it, so do code paths that edit fields."""
        for key in _RULES:
            setattr(self, key, _RULES[key](key, getattr(self, key)))
        if self.val_fraction + self.test_fraction >= 0.9:
            raise ConfigError("val_fraction and test_fraction together must stay below 0.9 "
                              "so enough samples are left to train on")
        if self.optimizer == "nesterov":
            self.nesterov = True


def _choice(options: tuple[str, ...], what: str):
    def rule(key: str, value: Any) -> str:
        norm = value.strip().lower().replace("-", "_").replace("+", "_") \
            if isinstance(value, str) else value
        if isinstance(value, bool) and set(options) == set(AUTO_ON_OFF):
            return "on" if value else "off"
        if norm not in options:
            raise ConfigError(f"unknown {what} {value!r}: choose one of {', '.join(options)}")
        return norm
    return rule


def _number(lo: float, hi: float = math.inf, whole: bool = False, lo_open: bool = False,
            optional: bool = False):
    def rule(key: str, value: Any):
        if value is None and optional:
            return None
        kind = "a whole number" if whole else "a number"
        ok = isinstance(value, int | float) and not isinstance(value, bool) \
            and math.isfinite(value) and (not whole or float(value).is_integer())
        inside = ok and (value > lo if lo_open else value >= lo) and value <= hi
        if not inside:
            bound = f"above {lo:g}" if lo_open else f"of at least {lo:g}"
            upper = "" if hi == math.inf else f" and at most {hi:,}" if whole \
                else f" and at most {hi:g}"
            none = " (or null to turn it off)" if optional else ""
            raise ConfigError(f"training setting '{key}' must be {kind} {bound}{upper}{none}, "
                              f"not {value!r}")
        return int(value) if whole else float(value)
    return rule


def _flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"training setting '{key}' must be true or false, not {value!r}")
    return value


def _betas(key: str, value: Any) -> list[float]:
    ok = (isinstance(value, list | tuple) and len(value) == 2
          and all(isinstance(b, int | float) and not isinstance(b, bool) and 0 <= b < 1
                  for b in value))
    if not ok:
        raise ConfigError(f"training setting 'betas' must be two numbers in [0, 1), like "
                          f"[0.9, 0.999], not {value!r}")
    return [float(b) for b in value]


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
    "task": _choice(TASK_CHOICES, "task"),
    "loss": _choice(LOSSES, "loss"),
    "optimizer": _choice(OPTIMIZERS, "optimizer"),
    "lr": _number(0, lo_open=True),
    "momentum": _number(0, 0.999),
    "nesterov": _flag,
    "betas": _betas,
    "rmsprop_alpha": _number(0, 0.9999),
    "adadelta_rho": _number(0, 0.9999),
    "weight_decay": _number(0),
    "batch_size": _number(1, 1 << 20, whole=True),
    "epochs": _number(1, 1_000_000, whole=True),
    "schedule": _choice(SCHEDULES, "schedule"),
    "step_size": _number(1, whole=True),
    "gamma": _number(0, 1, lo_open=True),
    "plateau_patience": _number(0, whole=True),
    "plateau_factor": _number(0, 1, lo_open=True),
    "warmup_epochs": _number(0),
    "min_lr": _number(0),
    "clip_norm": _number(0, lo_open=True, optional=True),
    "clip_value": _number(0, lo_open=True, optional=True),
    "early_stopping": _number(0, whole=True),
    "keep_best": _flag,
    "seed": _number(0, 2**63 - 1, whole=True),
    "device": _choice(DEVICES, "device"),
    "mixed_precision": _choice(AUTO_ON_OFF, "mixed_precision setting"),
    "channels_last": _choice(AUTO_ON_OFF, "channels_last setting"),
    "cpu_threads": _number(0, 1024, whole=True),
    "val_fraction": _number(0, 0.9),
    "test_fraction": _number(0, 0.9),
    "metrics": _metrics,
    "top_k": _number(1, whole=True),
}
