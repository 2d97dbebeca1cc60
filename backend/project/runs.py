"""Run records: what a finished training run stores in a project, and how a run is named.

`run_record(doc, finished)` turns the trainer's RunFinished into plain JSON data (non-finite
numbers become null, arrays lists): the settings the run really used (defaults filled in), its
per-epoch history, final metrics and the design that was trained, so a run's weights can
always be reopened with their graph. `store_run(path, run, weights)` adds it with its weights
to a `.nwproj` on disk, atomically and keeping the previous version as `.bak`.

A run's id (`run_4`) is its file entry (`runs/run_4.json`, `weights/run_4.safetensors`) and
never changes; numbers continue after the highest ever stored (`Project.add_run`). Its name
is the user's (`run["name"]`) or "run 4"; `run_name`, `find_run` (by id, number or name),
`run_score` (the validation metric of the weights it kept) and `best_run` are what the Runs
list, the export dialog and the CLI all use, so they agree.
"""

from __future__ import annotations

import calendar
import copy
import math
import re
import time
from dataclasses import dataclass
from pathlib import Path

from backend.graph.document import GraphDocument
from backend.project.design import doc_to_dict
from backend.project.project import PROJECT_SUFFIX, Project, open_any, save_project
from backend.project.safe import ProjectFileError

_FINAL = ("reason", "message", "epochs_done", "steps", "best_epoch", "best_val_loss",
          "test_loss", "test_accuracy", "node")
_NUMBER = re.compile(r"run[ _-]?(\d{1,9})", re.IGNORECASE)


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


def filled_training(section: dict | None) -> dict:
    """The training settings with every default written out (as given if they are invalid)."""
    from backend.training.config import ConfigError, TrainingConfig

    try:
        return TrainingConfig.from_section(section).to_section()
    except (ConfigError, TypeError):
        return dict(section or {})


def run_record(doc: GraphDocument, finished, started_at: float | None = None,
               training: dict | None = None) -> dict:
    """The record of a finished run: its settings, per-epoch history and final metrics.

    `training` is the settings the run used when they differ from the design's section (the
    CLI's --epochs and --device)."""
    section = training if training is not None else doc.sections.get("training", {})
    return {
        "design_name": doc.name,
        "finished_at": _iso(time.time()),
        "started_at": None if started_at is None else _iso(started_at),
        "training": jsonable(filled_training(copy.deepcopy(section))),
        "dataset": jsonable(copy.deepcopy(doc.sections.get("dataset", {}))),
        "design": jsonable(doc_to_dict(doc)),  # the graph version these weights belong to
        "history": jsonable(getattr(finished, "history", [])),
        "final": {key: jsonable(getattr(finished, key, None)) for key in _FINAL},
    }


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def store_run(path: str | Path, run: dict, weights: bytes | None = None,
              doc: GraphDocument | None = None, backup: bool = True) -> str:
    """Add a run (and its weights) to the project at `path`; returns the run's id.

    `doc` (the design that was trained) becomes the project's design; if `path` does not
    exist yet, a new project is made from it. The previous file is kept as NAME.bak unless
    `backup` is False (the later runs of a group keep the backup of the file before it).
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
    save_project(path, project, backup=backup)
    return run_id


# -- names ---------------------------------------------------------------------------------------
def run_number(run_id: object) -> int | None:
    """4 for "run_4"; None for ids that are not numbered runs."""
    match = _NUMBER.fullmatch(run_id) if isinstance(run_id, str) else None
    return int(match.group(1)) if match else None


def readable_run(run: dict) -> dict:
    """A run record as read from a file, with the fields the app writes itself in the form it
    writes them: a name or note that is not text, a history that is not a list of epochs, a
    design that is not an object are left out (a damaged or hand-edited file), the rest kept."""
    out = dict(run)
    for key in ("name", "note", "finished_at", "started_at"):
        if key in out and not isinstance(out[key], str):
            del out[key]
    if "history" in out:
        history = out["history"]
        out["history"] = [e for e in history if isinstance(e, dict)] \
            if isinstance(history, list) else []
    for key in ("design", "training", "dataset"):
        if key in out and not isinstance(out[key], dict):
            del out[key]
    return out


def default_name(run_id: str) -> str:
    number = run_number(run_id)
    return f"run {number}" if number is not None else run_id


def run_name(run: dict) -> str:
    """What every place calls a run: the name the user gave it, else "run 4"."""
    name = run.get("name")
    if isinstance(name, str) and name.strip():
        return name.strip()
    return default_name(str(run.get("id", "run")))


def find_run(runs: list[dict], key: str) -> dict:
    """The run called `key` (its id "run_4", "run 4", "4", or its name); one sentence if none."""
    wanted = key.strip()
    number = int(wanted) if wanted.isdigit() else run_number(wanted)
    for run in runs:
        if run.get("id") == wanted or run_name(run).casefold() == wanted.casefold():
            return run
    for run in runs:
        if number is not None and run_number(run.get("id")) == number:
            return run
    names = ", ".join(f"'{run_name(r)}'" for r in runs) or "none"
    raise ValueError(f"there is no run called '{wanted}' (runs: {names})")


def sorted_runs(runs: list[dict]) -> list[dict]:
    """Oldest first: numbered runs by number, others after them in stored order."""
    indexed = list(enumerate(runs))
    indexed.sort(key=lambda t: (run_number(t[1].get("id")) is None,
                                run_number(t[1].get("id")) or 0, t[0]))
    return [run for _, run in indexed]


def finished_text(run: dict, short: bool = False) -> str:
    """When the run finished, in local time: "2024-05-01 14:03"; `short` gives "14:03" for
    today and "1 May 14:03" for this year."""
    stamp = run.get("finished_at")
    try:
        seconds = calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ"))
        when = time.localtime(seconds)
    except (TypeError, ValueError, OverflowError):
        return ""
    now = time.localtime()
    if short and when[:3] == now[:3]:
        return time.strftime("today %H:%M", when)
    if short and when.tm_year == now.tm_year:
        return f"{when.tm_mday} {time.strftime('%b %H:%M', when)}"
    return time.strftime("%Y-%m-%d %H:%M", when)


# -- scores and curves ---------------------------------------------------------------------------
@dataclass(frozen=True)
class RunScore:
    """The validation figure of the weights a run kept (its best epoch, or its last)."""

    metric: str  # "val_accuracy" | "val_loss"
    value: float
    epoch: int

    @property
    def higher_is_better(self) -> bool:
        return self.metric == "val_accuracy"

    @property
    def text(self) -> str:
        if self.metric == "val_accuracy":
            return f"val acc {self.value:.1%}"
        return f"val loss {self.value:.4g}"


def _history(run: dict) -> list[dict]:
    history = run.get("history")
    return [h for h in history if isinstance(h, dict)] if isinstance(history, list) else []


def kept_epoch(run: dict) -> dict | None:
    """The history entry of the weights the run kept: the best epoch when it kept the best."""
    history = _history(run)
    if not history:
        return None
    final = run.get("final") if isinstance(run.get("final"), dict) else {}
    training = run.get("training") if isinstance(run.get("training"), dict) else {}
    best = final.get("best_epoch")
    if training.get("keep_best", True) and best is not None:
        for entry in history:
            if entry.get("epoch") == best:
                return entry
    return history[-1]


def run_score(run: dict) -> RunScore | None:
    entry = kept_epoch(run)
    if entry is None:
        return None
    epoch = entry.get("epoch") if isinstance(entry.get("epoch"), int) else 0
    for metric in ("val_accuracy", "val_loss"):
        value = entry.get(metric)
        if isinstance(value, int | float) and not isinstance(value, bool) \
                and math.isfinite(value):
            return RunScore(metric, float(value), epoch)
    return None


def best_run(runs: list[dict], among: set[str] | None = None) -> dict | None:
    """The run with the best validation metric (accuracy when runs have one, else loss);
    `among` limits the choice to these ids (e.g. the runs that kept weights). On a tie the
    latest run wins."""
    pool = [r for r in reversed(runs) if among is None or r.get("id") in among]
    scored = [(run_score(r), r) for r in pool]
    acc = [(s.value, r) for s, r in scored if s and s.metric == "val_accuracy"]
    if acc:
        return max(acc, key=lambda t: t[0])[1]
    loss = [(s.value, r) for s, r in scored if s]
    if loss:
        return min(loss, key=lambda t: t[0])[1]
    return None


def run_curves(run: dict) -> dict[str, tuple[list[float], list[float]]]:
    """Per-epoch curves from a run's history, keyed as the live curves are."""
    keys = {"train_loss": "train_loss", "val_loss": "val_loss", "lr": "lr",
            "train_metric": "train_accuracy", "val_metric": "val_accuracy"}
    curves: dict[str, tuple[list[float], list[float]]] = {}
    for entry in _history(run):
        epoch = entry.get("epoch")
        extra = entry.get("val_metrics") if isinstance(entry.get("val_metrics"), dict) else {}
        for key, field_name in keys.items():
            value = entry.get(field_name)
            if key == "val_metric" and value is None:
                value = extra.get("mae")
            if isinstance(epoch, int | float) and isinstance(value, int | float) \
                    and not isinstance(value, bool):
                xs, ys = curves.setdefault(key, ([], []))
                xs.append(float(epoch))
                ys.append(float(value))
    return curves
