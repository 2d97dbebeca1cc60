"""What sets runs apart: labels made of the settings that differ and a short design difference.

`run_labels(runs)` gives each run a phrase naming only what differs among the runs given
("sgd lr 0.1" vs "adam lr 0.001", "seed 3", "ReLU ×8 instead of Sigmoid"); a run identical to
an earlier one says "same as run 2". Settings are compared with their defaults filled in, so a
run that wrote `lr: 0.001` down and one that left it out are the same. Designs are grouped by
model (positions, titles and settings aside, through the model diff); the largest group is the
reference and every other design is described against it (with exactly two designs, each is
described against the other). `settings_changes(a, b)` lists the settings from one run to
another for the comparison panel.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from backend.graph.diff import Change, diff_designs
from backend.graph.diff_text import short_text, value_text
from backend.project.runs import filled_training, run_name

FIRST = ("optimizer", "lr", "loss", "task", "batch_size", "epochs", "schedule", "momentum",
         "weight_decay", "seed")
WORDS = {"batch_size": "batch", "weight_decay": "weight decay", "early_stopping":
         "early stopping", "data:seed": "data seed", "data:name": ""}


def comparable_settings(run: dict) -> dict[str, Any]:
    """A run's training settings (defaults filled) and dataset options as one flat dict."""
    training = run.get("training") if isinstance(run.get("training"), dict) else {}
    dataset = run.get("dataset") if isinstance(run.get("dataset"), dict) else {}
    return dict(_settings(_key([training, dataset])))


@lru_cache(maxsize=256)
def _settings(sections: str) -> dict[str, Any]:
    """comparable_settings by the JSON text of the two sections (runs never change them)."""
    training, dataset = json.loads(sections)
    out = dict(filled_training(training))
    for key, value in _filled_dataset(dataset).items():
        out[f"data:{key}"] = value
    return out


def _filled_dataset(section: dict) -> dict:
    try:
        from backend.data.sources import DataConfig

        return DataConfig.from_section(section).to_section()
    except Exception:  # an unknown source or a bad option: compare what is written
        return {"name": "digits", **section}


def _key(value: Any) -> str:
    if isinstance(value, str | int | float | bool) or value is None:
        return f"{type(value).__name__}:{value!r}"
    return json.dumps(value, sort_keys=True, default=str)


def _ordered(keys: set[str]) -> list[str]:
    first = [k for k in FIRST if k in keys]
    data = sorted(k for k in keys if k.startswith("data:"))
    rest = sorted(k for k in keys if k not in first and k not in data)
    return first + ["data:name"] * ("data:name" in data) + \
        [k for k in data if k != "data:name"] + rest


def setting_phrase(key: str, value: Any) -> str:
    """"sgd", "lr 0.1", "batch 64", "10 epochs", "on moons", "noise 0.2"."""
    text = value_text(value)
    if key == "optimizer":
        return text
    if key == "epochs":
        return f"{text} epochs"
    if key == "schedule":
        return "no schedule" if value == "none" else f"{text} schedule"
    if key == "data:name":
        return f"on {text}"
    word = WORDS.get(key, key.removeprefix("data:").replace("_", " "))
    return f"{word} {text}"


def differing_settings(runs: list[dict],
                       settings: list[dict[str, Any]] | None = None) -> list[str]:
    """The setting keys whose values are not the same in all of `runs`, in reading order
    (`settings`: their comparable_settings, when already at hand)."""
    settings = [comparable_settings(r) for r in runs] if settings is None else settings
    keys = set().union(*settings) if settings else set()
    return [k for k in _ordered(keys) if len({_key(s.get(k)) for s in settings}) > 1]


def settings_text(values: dict[str, Any], keys: list[str]) -> str:
    """"sgd lr 0.1, 4 epochs": the optimizer and its rate go together, the rest by commas."""
    phrases = [setting_phrase(k, values.get(k)) for k in keys]
    if len(keys) > 1 and keys[:2] == ["optimizer", "lr"]:
        phrases[:2] = [" ".join(phrases[:2])]
    return ", ".join(phrases)


def run_labels(runs: list[dict]) -> dict[str, str]:
    """run id -> what sets the run apart from the others given (oldest first)."""
    settings = {r["id"]: comparable_settings(r) for r in runs}
    keys = differing_settings(runs, list(settings.values()))
    designs = design_differences(runs)
    labels, seen = {}, {}
    for run in runs:
        rid = run["id"]
        parts = [settings_text(settings[rid], keys), designs.get(rid, "")]
        label = " · ".join(p for p in parts if p)
        whole = _key([settings[rid], _model_key(run)])
        if whole in seen:
            label = " · ".join(p for p in (label, f"same as {seen[whole]}") if p)
        else:
            seen[whole] = run_name(run)
        if not label:
            label = settings_text(settings[rid], ["optimizer", "lr"])
        labels[rid] = label
    return labels


def _model_key(run: dict) -> str:
    """The design without positions, titles, comments or settings (the model itself)."""
    design = run.get("design") if isinstance(run.get("design"), dict) else {}
    raw = design.get("nodes") if isinstance(design.get("nodes"), list) else []
    nodes = [{k: v for k, v in n.items() if k in ("id", "type", "params")}
             for n in raw if isinstance(n, dict)]
    return _key([nodes, design.get("edges"), {k: v for k, v in design.items() if k not in (
        "nodes", "edges", "comments", "name", "training", "dataset", "format", "version")}])


def design_differences(runs: list[dict]) -> dict[str, str]:
    """run id -> a short design difference ("ReLU ×8 instead of Sigmoid"), for runs whose
    model differs from the others'."""
    groups: list[tuple[dict, list[str]]] = []  # (a design, the runs that trained it)
    keys: dict[str, int] = {}
    for run in runs:
        design = run.get("design")
        if not isinstance(design, dict):
            continue
        key = _model_key(run)
        if key not in keys:
            keys[key] = next((i for i, (d, _) in enumerate(groups)
                              if not diff_designs(d, design).model_changed), len(groups))
            if keys[key] == len(groups):
                groups.append((design, []))
        groups[keys[key]][1].append(run["id"])
    if len(groups) < 2:
        return {}
    ref = max(range(len(groups)), key=lambda i: len(groups[i][1]))  # earliest on ties
    out = {}
    for i, (design, ids) in enumerate(groups):
        if i != ref:
            text = short_text(diff_designs(groups[ref][0], design))
        elif len(groups) == 2:
            text = short_text(diff_designs(groups[1 - ref][0], design))
        else:
            text = ""
        out.update(dict.fromkeys(ids, text))
    return out


def settings_changes(old: dict, new: dict) -> list[Change]:
    """The settings that differ from run `old` to run `new` (defaults filled in)."""
    a, b = comparable_settings(old), comparable_settings(new)
    changes = []
    for key in _ordered(set(a) | set(b)):
        if _key(a.get(key)) != _key(b.get(key)):
            label = "dataset" if key == "data:name" else \
                WORDS.get(key) or key.removeprefix("data:").replace("_", " ")
            changes.append(Change(key, a.get(key), b.get(key), label))
    return changes
