"""Run records: what a finished training run stores in a project (settings, curves, metrics).

`run_record(doc, finished)` turns the trainer's RunFinished into plain JSON data (non-finite
numbers become null, arrays lists) including the design that was trained, so a run's weights
can always be reopened with their graph; `store_run(path, run, weights)` adds it with its
weights to a `.nwproj` project on disk, atomically and keeping the previous version as `.bak`.
"""

from __future__ import annotations

import copy
import math
import time
from pathlib import Path

from backend.graph.document import GraphDocument
from backend.project.design import doc_to_dict
from backend.project.project import PROJECT_SUFFIX, Project, open_any, save_project
from backend.project.safe import ProjectFileError

_FINAL = ("reason", "message", "epochs_done", "steps", "best_epoch", "best_val_loss",
          "test_loss", "test_accuracy")


def jsonable(value, depth: int = 0):
    """Plain JSON data from trainer values (numpy numbers and arrays, tuples, NaN)."""
    if depth > 32:
        return None
    if isinstance(value, dict):
        return {str(k): jsonable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v, depth + 1) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars, torch tensors
        return jsonable(value.tolist(), depth + 1)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def run_record(doc: GraphDocument, finished, started_at: float | None = None) -> dict:
    """The record of a finished run: its settings, per-epoch history and final metrics."""
    return {
        "design_name": doc.name,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "started_at": None if started_at is None else
        time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started_at)),
        "training": jsonable(copy.deepcopy(doc.sections.get("training", {}))),
        "dataset": jsonable(copy.deepcopy(doc.sections.get("dataset", {}))),
        "design": jsonable(doc_to_dict(doc)),  # the graph version these weights belong to
        "history": jsonable(getattr(finished, "history", [])),
        "final": {key: jsonable(getattr(finished, key, None)) for key in _FINAL},
    }


def store_run(path: str | Path, run: dict, weights: bytes | None = None,
              doc: GraphDocument | None = None) -> str:
    """Add a run (and its weights) to the project at `path`; returns the run's id.

    `doc` (the design that was trained) becomes the project's design; if `path` does not
    exist yet, a new project is made from it.
    """
    path = Path(path)
    if path.suffix.lower() != PROJECT_SUFFIX:
        raise ProjectFileError(f"{path.name} is a plain design, which cannot hold runs or "
                               f"weights: save it as {PROJECT_SUFFIX} first")
    if not path.exists() and doc is not None:
        project = Project(doc)
    else:
        project = open_any(path)
        project.doc = doc if doc is not None else project.doc
    run_id = project.add_run(jsonable(run), weights)
    save_project(path, project)
    return run_id
