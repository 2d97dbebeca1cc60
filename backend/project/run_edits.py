"""Invertible edits of a project's runs: rename, annotate, delete (and restore), and putting
back the design a run trained (`ReplaceDesign`, an op on the GraphDocument).

Runs are project state, not part of the design graph, so these ops apply to a `Project`
rather than a `GraphDocument`; like the graph's ops each `apply(project)` changes it and
returns the op that undoes it exactly (a deleted run comes back at its place in the list,
with its weights). A refused edit raises `RunEditError` with one sentence and changes nothing.
The designer pushes them on the same undo stack as design edits (designer/training/run_commands).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from backend.graph.document import GraphDocument
from backend.project.project import Project
from backend.project.runs import default_name, run_name, run_number

MAX_NAME = 80
MAX_NOTE = 4000


class RunEditError(ValueError):
    """A run edit that cannot be applied; the message says why and what to do."""


def _run(project: Project, run_id: str) -> dict:
    for run in project.runs:
        if run.get("id") == run_id:
            return run
    raise RunEditError(f"there is no run '{run_id}' in this project any more")


def check_name(project: Project, run_id: str, name: str) -> str:
    """The cleaned name (an empty one goes back to "run N"), or RunEditError."""
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise RunEditError(f"a run's name can have at most {MAX_NAME} characters: shorten it "
                           "and put the rest in its note")
    if not name or name.casefold() == default_name(run_id).casefold():
        return ""
    number = int(name) if name.isdigit() else run_number(name)
    if number is not None and number != run_number(run_id):
        raise RunEditError(f"'{name}' is how another run is numbered: choose a name that is "
                           "not a run number")
    for other in project.runs:
        if other.get("id") != run_id and (run_name(other).casefold() == name.casefold()
                                          or other.get("id") == name):
            raise RunEditError(f"another run is already called '{name}': choose another name")
    return name


@dataclass(frozen=True)
class SetRunText:
    """Set a run's `name` or `note` ("" removes it); the inverse sets the old text back.

    An inverse restores a state that existed, so it is not checked again (`check=False`)."""

    run_id: str
    key: str  # "name" | "note"
    text: str
    check: bool = True

    def apply(self, project: Project) -> SetRunText:
        if self.key not in ("name", "note"):
            raise RunEditError(f"a run has no '{self.key}' to edit")
        run = _run(project, self.run_id)
        if not self.check:
            text = self.text
        elif self.key == "name":
            text = check_name(project, self.run_id, self.text)
        else:
            text = self.text.strip()
            if len(text) > MAX_NOTE:
                raise RunEditError(f"a run's note can have at most {MAX_NOTE:,} characters")
        old = run.get(self.key, "")
        if text:
            run[self.key] = text
        else:
            run.pop(self.key, None)
        return SetRunText(self.run_id, self.key, old if isinstance(old, str) else "", False)


@dataclass(frozen=True)
class DeleteRun:
    run_id: str

    def apply(self, project: Project) -> RestoreRun:
        run = _run(project, self.run_id)
        index = project.runs.index(run)
        weights = project.weights.pop(self.run_id, None)
        project.runs.pop(index)
        return RestoreRun(copy.deepcopy(run), weights, index)


@dataclass(frozen=True)
class RestoreRun:
    """Put a deleted run (and its weights) back at its place in the list."""

    run: dict
    weights: bytes | None
    index: int

    def apply(self, project: Project) -> DeleteRun:
        run_id = self.run.get("id")
        if any(r.get("id") == run_id for r in project.runs):
            raise RunEditError(f"the project already has a run '{run_id}'")
        project.runs.insert(min(self.index, len(project.runs)), copy.deepcopy(self.run))
        if self.weights is not None:
            project.weights[run_id] = self.weights
        return DeleteRun(run_id)


@dataclass(frozen=True)
class ReplaceDesign:
    """Replace the whole design (e.g. with the one a run trained); the inverse puts the
    previous design back. Applies to a GraphDocument like the graph's own ops and emits
    its `reset` event."""

    design: GraphDocument

    def apply(self, doc: GraphDocument) -> ReplaceDesign:
        previous = doc.copy()
        doc.replace_content(self.design.copy())
        return ReplaceDesign(previous)
