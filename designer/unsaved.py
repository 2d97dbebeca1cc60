"""What closing without saving would lose, in words for the unsaved-changes prompt.

`SavedState.of(doc, project)` remembers the design (as its file's content) and each run's name and
note as they are in the file; `lost_parts(saved, doc, project)` compares the open design and
project with it: "edits to the design", "3 unsaved runs with their trained weights", "the new
name of run 3", "the note on run 1", "the deletion of run 2" (a few runs are named, more are
counted). Plain Python; the file controller shows the sentence.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from backend.project import doc_to_dict
from backend.project.runs import run_name

NAMED = 3  # up to this many runs are named, more are counted


@dataclass(frozen=True)
class SavedState:
    design: str | None  # None: nothing of the design is in a file (recovered work)
    runs: dict[str, dict] = field(default_factory=dict)  # id -> {"name", "note"} as saved

    @classmethod
    def of(cls, doc, project) -> SavedState:
        runs = project.runs if project is not None else []
        return cls(design_text(doc), {r.get("id"): _text(r) for r in runs})


def design_text(doc) -> str:
    """The design as its file holds it, compact (no indentation: Python's JSON encoder is then
    several times faster for designs of thousands of layers); any value at all is written,
    so a design the file cannot hold still compares."""
    return json.dumps(doc_to_dict(doc), sort_keys=True, default=repr)


def _text(run: dict) -> dict:
    return {"id": run.get("id"), "name": run.get("name"), "note": run.get("note")}


def _listed(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _runs(what: str, names: list[str]) -> str:
    return f"{what} {_listed(names) if len(names) <= NAMED else f'{len(names)} runs'}"


def lost_parts(saved: SavedState | None, doc, project) -> list[str]:
    """The parts of the open work that are not in the file, in words."""
    saved = saved or SavedState(None)
    parts = ["edits to the design"] if saved.design != design_text(doc) else []
    current = project.runs if project is not None else []
    new = [r for r in current if r.get("id") not in saved.runs]
    if new:
        many = len(new) > 1
        parts.append(f"{len(new)} unsaved run{'s' if many else ''} with "
                     f"{'their' if many else 'its'} trained weights")
    kept = [(saved.runs[r.get("id")], r) for r in current if r.get("id") in saved.runs]
    renamed = [run_name(old) for old, r in kept if old["name"] != r.get("name")]
    noted = [run_name(old) for old, r in kept if old["note"] != r.get("note")]
    gone = [run_name(old) for rid, old in saved.runs.items()
            if rid not in {r.get("id") for r in current}]
    if renamed:
        parts.append(_runs("the new name of", renamed))
    if noted:
        parts.append(_runs("the note on", noted))
    if gone:
        parts.append(_runs("the deletion of", gone))
    return parts


def lost_text(parts: list[str]) -> str:
    if not parts:
        return "Your changes are lost if you don't save them."
    return f"If you don't save, you lose {_listed(parts)}."
