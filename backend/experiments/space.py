"""What a sweep searches: parameters with ranges or choices, parsed, checked and applied.

A parameter is a training setting (`lr`, `batch_size`, `optimizer`, `weight_decay`, ...) or a
layer parameter written `LAYER.PARAM` (`fc1.units`, `drop.p`; LAYER is the node's id or its
title). Its values are a range or choices:

    lr=1e-4..1e-1:log        a float range searched on a log scale
    fc1.units=16..128:int    whole numbers (add :log for a log scale: 8..512:int:log)
    weight_decay=0..0.01     a float range
    optimizer=adam,sgd       choices (numbers where they parse as numbers)

The same parameters can live in the design's `sweep` section: {"params": {"lr": {"low": 1e-4,
"high": 0.1, "log": true}, "fc1.units": {"low": 16, "high": 128, "int": true},
"optimizer": {"choices": ["adam", "sgd"]}}}. `parse_param` and `space_from_section` refuse
bad input with one sentence (an empty or inverted range, a log range through 0, a layer or
setting that does not exist), and `check_space` tries both ends of every range on the design
so a range the design cannot train with is refused before any trial runs.
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass
from typing import Any

from backend.graph.document import GraphDocument


class SpaceError(ValueError):
    """A sweep parameter is invalid; the message names it and says how to fix it."""


@dataclass(frozen=True)
class Param:
    name: str  # "lr" or "fc1.units"
    low: float | None = None
    high: float | None = None
    log: bool = False
    integer: bool = False
    choices: tuple | None = None

    @property
    def text(self) -> str:
        if self.choices is not None:
            return f"{self.name}={','.join(str(c) for c in self.choices)}"
        tags = (":int" if self.integer else "") + (":log" if self.log else "")
        return f"{self.name}={_num(self.low)}..{_num(self.high)}{tags}"

    def to_section(self) -> dict:
        if self.choices is not None:
            return {"choices": list(self.choices)}
        return {"low": self.low, "high": self.high, "log": self.log, "int": self.integer}

    def distribution(self):
        import optuna

        if self.choices is not None:
            return optuna.distributions.CategoricalDistribution(list(self.choices))
        if self.integer:
            return optuna.distributions.IntDistribution(int(self.low), int(self.high),
                                                        log=self.log)
        return optuna.distributions.FloatDistribution(self.low, self.high, log=self.log)

    def ends(self) -> list:
        return list(self.choices) if self.choices is not None else [self.low, self.high]


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _number(text: str, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise SpaceError(f"sweep parameter {name}: '{text}' is not a number (write a range "
                         f"like {name}=1e-4..1e-1:log or choices like {name}=a,b)") from None
    if not math.isfinite(value):
        raise SpaceError(f"sweep parameter {name}: the range must have finite ends")
    return value


def _choice(text: str):
    text = text.strip()
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return {"true": True, "false": False}.get(text.lower(), text)


def parse_param(spec: str) -> Param:
    """`NAME=LOW..HIGH[:int][:log]` or `NAME=A,B,C`."""
    name, sep, values = spec.partition("=")
    name = name.strip()
    if not sep or not name or not values.strip():
        raise SpaceError(f"sweep parameter '{spec}' needs a name and values, like "
                         f"lr=1e-4..1e-1:log, fc1.units=16..128:int or optimizer=adam,sgd")
    body, *tags = [t.strip() for t in values.split(":")]
    unknown = [t for t in tags if t not in ("int", "log")]
    if unknown:
        raise SpaceError(f"sweep parameter {name}: unknown tag ':{unknown[0]}' (use :int, "
                         f":log or both)")
    if ".." not in body:
        if tags:
            raise SpaceError(f"sweep parameter {name}: :int and :log belong to a range "
                             f"LOW..HIGH, not to choices")
        return make_param(name, choices=[_choice(c) for c in body.split(",") if c.strip()])
    low, _, high = body.partition("..")
    return make_param(name, _number(low, name), _number(high, name), "log" in tags,
                      "int" in tags)


def make_param(name: str, low: float | None = None, high: float | None = None,
               log: bool = False, integer: bool = False, choices=None) -> Param:
    """A checked Param: a range must be non-empty, ordered, whole for :int, positive for :log."""
    if choices is not None:
        values = tuple(dict.fromkeys(choices))
        if not values:
            raise SpaceError(f"sweep parameter {name} has no choices: list at least one")
        return Param(name, choices=values)
    if low is None or high is None:
        raise SpaceError(f"sweep parameter {name} needs a low and a high end")
    if high < low:
        raise SpaceError(f"sweep parameter {name}: the range {low:g}..{high:g} is inverted: "
                         f"write it as {high:g}..{low:g}")
    if high == low:
        raise SpaceError(f"sweep parameter {name}: the range {low:g}..{high:g} is empty: give "
                         f"two different ends, or set the value in the design instead")
    if integer and not (float(low).is_integer() and float(high).is_integer()):
        raise SpaceError(f"sweep parameter {name}: an :int range needs whole ends, not "
                         f"{low:g}..{high:g}")
    if log and low <= 0:
        raise SpaceError(f"sweep parameter {name}: a :log range must stay above 0, not start "
                         f"at {low:g} (try {name}=1e-5..{high:g}:log)")
    if integer:
        low, high = int(low), int(high)
    return Param(name, float(low) if not integer else low, float(high) if not integer
                 else high, log, integer)


def space_from_section(section: Any) -> list[Param]:
    """The parameters of a design's `sweep` section (see the module docstring)."""
    params = section.get("params") if isinstance(section, dict) else None
    if not isinstance(params, dict):
        return []
    out = []
    for name, spec in params.items():
        if not isinstance(spec, dict):
            raise SpaceError(f"sweep parameter {name} must be an object like "
                             f"{{\"low\": 1e-4, \"high\": 0.1, \"log\": true}}")
        if "choices" in spec:
            choices = spec["choices"]
            out.append(make_param(name, choices=choices if isinstance(choices, list) else []))
        else:
            out.append(make_param(name, spec.get("low"), spec.get("high"),
                                  bool(spec.get("log")), bool(spec.get("int"))))
    return out


# -- applying values to a design ---------------------------------------------------------------
def _node_id(doc: GraphDocument, layer: str) -> str | None:
    if layer in doc.nodes:
        return layer
    found = [n.id for n in doc.nodes.values() if n.title == layer]
    return found[0] if len(found) == 1 else None


def target(doc: GraphDocument, name: str) -> tuple[str, str]:
    """("training", key) or (node id, param) for a parameter name; one sentence if neither."""
    from backend.training.config import TrainingConfig

    settings = TrainingConfig().to_section()
    if name in settings:
        return "training", name
    layer, dot, param = name.rpartition(".")
    node = _node_id(doc, layer) if dot else None
    if node is None:
        layers = ", ".join(sorted(n.title or n.id for n in doc.nodes.values())[:6])
        raise SpaceError(f"sweep parameter {name} is neither a training setting (like lr, "
                         f"batch_size, optimizer) nor LAYER.PARAM of a layer in the design "
                         f"({layers}{', ...' if len(doc.nodes) > 6 else ''})")
    from backend.layers import registry

    spec = registry.get_spec(doc.nodes[node].type)
    known = {p.name for p in spec.params} if spec is not None else set(doc.nodes[node].params)
    if known and param not in known:
        raise SpaceError(f"layer {layer} ({doc.nodes[node].type}) has no parameter '{param}': "
                         f"use one of {', '.join(sorted(known))}")
    return node, param


def apply_values(doc: GraphDocument, values: dict[str, Any]) -> GraphDocument:
    """A copy of `doc` with the parameters set to `values`."""
    out = doc.copy()
    for name, value in values.items():
        where, key = target(out, name)
        if where == "training":
            training = dict(out.sections.get("training") or {})
            training[key] = value
            out.sections["training"] = training
        else:
            out.nodes[where].params = {**copy.deepcopy(out.nodes[where].params), key: value}
    return out


def check_space(doc: GraphDocument, space: list[Param]) -> None:
    """Refuse (one sentence) a parameter whose values the design cannot train with."""
    from backend.training.config import ConfigError, TrainingConfig
    from backend.training.preflight import preflight

    if not space:
        raise SpaceError("the sweep has no parameters: add some, like --param "
                         "lr=1e-4..1e-1:log --param fc1.units=16..128:int")
    names = [p.name for p in space]
    if len(set(names)) != len(names):
        raise SpaceError("a sweep parameter is listed twice: keep one range per parameter")
    for param in space:
        target(doc, param.name)
        for value in param.ends():
            trial = apply_values(doc, {param.name: value})
            try:
                TrainingConfig.from_section(trial.sections.get("training"))
            except ConfigError as exc:
                raise SpaceError(f"sweep parameter {param.name} = {value}: {exc}") from None
            errors, _ = preflight(trial)
            if errors:
                raise SpaceError(f"sweep parameter {param.name} = {value} breaks the design: "
                                 f"{errors[0]}")


# -- what the designer offers ------------------------------------------------------------------
SETTING_SUGGESTIONS = {
    "lr": "1e-4..1e-1:log", "batch_size": "16..256:int:log", "weight_decay": "1e-6..1e-2:log",
    "momentum": "0.5..0.99", "optimizer": "adam,adamw,sgd_momentum", "epochs": "2..20:int",
}


def candidates(doc: GraphDocument) -> list[tuple[str, str]]:
    """(parameter name, suggested values) a sweep could search: the main training settings,
    then every whole-number or fraction parameter of the design's layers (`hidden.units`)."""
    from backend.layers import registry

    out = list(SETTING_SUGGESTIONS.items())
    for node in doc.nodes.values():
        spec = registry.get_spec(node.type)
        if spec is None or node.type == "Input":
            continue
        layer = node.title if node.title and _node_id(doc, node.title) == node.id else node.id
        for p in spec.params:
            value = node.params.get(p.name, p.default)
            suggestion = _suggest(p, value)
            if suggestion:
                out.append((f"{layer}.{p.name}", suggestion))
    return out


def _suggest(p, value) -> str:
    if p.kind == "int" and isinstance(value, int) and not isinstance(value, bool) and value > 1:
        return f"{max(1, value // 2)}..{value * 2}:int"
    if p.kind == "float" and isinstance(value, int | float) and p.max is not None \
            and p.max <= 1 and p.min is not None and p.min >= 0:
        return f"{p.min:g}..{min(p.max, 0.5):g}"
    if p.kind == "choice" and p.choices:
        return ",".join(p.choices[:3])
    return ""
