"""Validation rules for training settings, shared by `TrainingConfig` and the task recipes.

A rule is `rule(key, value) -> normalised value` and raises `ConfigError` with one sentence
naming the setting and what is allowed. Nothing here imports torch.
"""

from __future__ import annotations

import math
from typing import Any

OPTIMIZERS = ("sgd", "sgd_momentum", "nesterov", "adagrad", "adadelta", "rmsprop", "adam",
              "adamw", "nadam")


class ConfigError(ValueError):
    """A training setting is invalid; the message names it and the allowed values."""


def choice(options: tuple[str, ...], what: str):
    def rule(key: str, value: Any) -> str:
        norm = value.strip().lower().replace("-", "_").replace("+", "_") \
            if isinstance(value, str) else value
        if isinstance(value, bool) and set(options) == {"auto", "on", "off"}:
            return "on" if value else "off"
        if norm not in options:
            raise ConfigError(f"unknown {what} {value!r}: choose one of {', '.join(options)}")
        return norm
    return rule


def number(lo: float, hi: float = math.inf, whole: bool = False, lo_open: bool = False,
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


def flag(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"training setting '{key}' must be true or false, not {value!r}")
    return value


def node_id(key: str, value: Any) -> str | None:
    """A design node's id, or None (checked against the design by the recipe)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ConfigError(f"training setting '{key}' must name a node by its id (text), "
                          f"not {value!r}")
    return value


def betas(key: str, value: Any) -> list[float]:
    ok = (isinstance(value, list | tuple) and len(value) == 2
          and all(isinstance(b, int | float) and not isinstance(b, bool) and 0 <= b < 1
                  for b in value))
    if not ok:
        raise ConfigError(f"training setting '{key}' must be two numbers in [0, 1), like "
                          f"[0.9, 0.999], not {value!r}")
    return [float(b) for b in value]
