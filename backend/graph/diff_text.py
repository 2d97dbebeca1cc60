"""Model diffs in words: a short phrase for a run's label, and lines for a panel or a terminal.

`short_text(diff)` says the biggest differences in a few words ("ReLU ×8 instead of Sigmoid,
+Dropout"); `diff_lines(diff)` lists every change, one `DiffLine` each (kind, text, depth),
which the designer shows as a tree and `netwright diff` prints; `value_text` writes a
parameter value the way the inspector shows it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from backend.graph.diff import MISSING, Change, DesignDiff, NodeChange

MINUS = "−"


@dataclass(frozen=True)
class DiffLine:
    kind: str  # added | removed | type | params | rewired | renamed | settings | heading
    text: str
    depth: int = 0


def value_text(value: Any) -> str:
    if value is MISSING:
        return "—"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{…}"
    return str(value)


def change_text(change: Change) -> str:
    return f"{change.label or change.name} {value_text(change.old)} → {value_text(change.new)}"


def _times(n: int) -> str:
    return f" ×{n}" if n > 1 else ""


def _phrases(diff: DesignDiff) -> list[str]:
    """The differences as short phrases, most telling first."""
    out = []
    swaps = Counter((c.old_type, c.new_type) for c in diff.changed if c.type_changed)
    out += [f"{new}{_times(n)} instead of {old}" for (old, new), n in swaps.items()]
    out += [f"+{kind}{_times(n)}" for kind, n in Counter(c.type for c in diff.added).items()]
    out += [f"{MINUS}{kind}{_times(n)}"
            for kind, n in Counter(c.type for c in diff.removed).items()]
    out += _param_phrases([c for c in diff.changed if not c.type_changed and c.params])
    for name, inner in diff.nested.items():
        what = short_text(inner, 1) or "changed"
        out.append(f"{name.split(' › ')[-1]}: {what}")
    for change in diff.changed:
        for inner in change.nested.values():
            out.append(f"{change.title}: {short_text(inner, 1)}")
    if not out:
        rewired = sum(1 for c in diff.changed if c.rewired)
        if rewired:
            out.append(f"{rewired} layer{'s' if rewired > 1 else ''} rewired")
    return out


def _param_phrases(changes: list[NodeChange]) -> list[str]:
    groups: dict[tuple, list[str]] = {}
    for node in changes:
        for c in node.params:
            key = (c.label or c.name, value_text(c.old), value_text(c.new))
            groups.setdefault(key, []).append(node.title)
    out = []
    for (label, old, new), titles in groups.items():
        who = titles[0] + " " if len(titles) == 1 else ""
        out.append(f"{who}{label} {old}→{new}{_times(len(titles))}")
    return out


def short_text(diff: DesignDiff, limit: int = 2) -> str:
    """A few words for the biggest differences in the model ("" when the models match)."""
    phrases = _phrases(diff)
    if not phrases:
        return ""
    text = ", ".join(phrases[:limit])
    return text if len(phrases) <= limit else f"{text} +{len(phrases) - limit} more"


def diff_lines(diff: DesignDiff, depth: int = 0, settings: bool = True) -> list[DiffLine]:
    """Every change, grouped: added, removed, changed layers, then settings."""
    lines: list[DiffLine] = []
    for c in diff.added:
        lines.append(DiffLine("added", f"+ {c.title} ({c.type}) added", depth))
    for c in diff.removed:
        lines.append(DiffLine("removed", f"{MINUS} {c.title} ({c.type}) removed", depth))
    lines.extend(_changed_lines(diff.changed, depth))
    for name, inner in diff.nested.items():
        lines.append(DiffLine("heading", f"{name}:", depth))
        lines.extend(diff_lines(inner, depth + 1, settings))
    if settings:
        lines.extend(DiffLine("settings", change_text(c), depth) for c in diff.settings)
    return lines


GROUP = 3  # this many layers swapped for the same type (nothing else changed) share a line


def _changed_lines(changed: list[NodeChange], depth: int) -> list[DiffLine]:
    """Changed layers in order; plain type swaps of one kind are one line when many."""
    swaps: dict[tuple, list[NodeChange]] = {}
    for c in changed:
        if c.type_changed and not (c.params or c.rewired or c.nested):
            swaps.setdefault((c.old_type, c.new_type), []).append(c)
    grouped = {id(c) for group in swaps.values() if len(group) >= GROUP for c in group}
    lines, done = [], set()
    for c in changed:
        if id(c) not in grouped:
            lines.extend(_node_lines(c, depth))
            continue
        key = (c.old_type, c.new_type)
        if key not in done:
            done.add(key)
            group = swaps[key]
            titles = [g.title for g in group]
            names = ", ".join(titles) if len(titles) <= 4 else \
                f"{titles[0]}, {titles[1]}, … {titles[-1]}"
            lines.append(DiffLine("type", f"~ {len(group)} layers {key[0]} → {key[1]}: "
                                  f"{names}", depth))
    return lines


def _node_lines(c: NodeChange, depth: int) -> list[DiffLine]:
    name = c.new_title if c.old_title == c.new_title else f"{c.old_title} → {c.new_title}"
    lines = []
    if c.type_changed:
        lines.append(DiffLine("type", f"~ {name}: {c.old_type} → {c.new_type}", depth))
    elif c.params or c.rewired or c.nested:
        lines.append(DiffLine("params", f"~ {name} ({c.new_type})", depth))
    elif c.renamed:
        lines.append(DiffLine("renamed", f"~ {name} ({c.new_type}) renamed", depth))
    lines.extend(DiffLine("params", change_text(p), depth + 1) for p in c.params)
    if c.rewired:
        lines.append(DiffLine("rewired", f"inputs {_names(c.old_inputs)} → "
                              f"{_names(c.new_inputs)}", depth + 1))
    for key, inner in c.nested.items():
        lines.append(DiffLine("heading", f"{key}:", depth + 1))
        lines.extend(diff_lines(inner, depth + 2))
    return lines


def _names(titles: list[str] | None) -> str:
    return ", ".join(titles) if titles else "none"


def counts_text(diff: DesignDiff, unchanged: bool = True) -> str:
    """"layers: 2 added, 1 removed, 8 changed, 5 unchanged" (the parts that are not zero)."""
    parts = [(len(diff.added), "added"), (len(diff.removed), "removed"),
             (len(diff.changed), "changed"), (diff.unchanged if unchanged else 0, "unchanged")]
    text = ", ".join(f"{n} {what}" for n, what in parts if n)
    return f"layers: {text}" if text else "no layers"
