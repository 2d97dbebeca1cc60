"""Runs on the command line: the runs table of `netwright summary`, and `netwright diff`.

`netwright diff A B [--json]` compares two designs: files of any kind `open_any` reads, or a
run's design inside a project, written `PROJECT:RUN` (`lenet.nwproj:run_2`, `lenet.nwproj:2`
or the run's name). It prints the layers added, removed and changed (type, parameters from ->
to, inputs) and the settings that differ. Exit 0 when the models are the same, 1 when they
differ (as `diff` does), 2 on bad input.
"""

from __future__ import annotations

import json
from pathlib import Path

from backend.cli import CliError


def add_parser(sub) -> None:
    p = sub.add_parser("diff", help="what differs between two designs (or two runs' designs)")
    p.add_argument("old", help="design, project, or PROJECT:RUN for a run's design")
    p.add_argument("new", help="design, project, or PROJECT:RUN for a run's design")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=cmd_diff)


# -- runs in `netwright summary` -----------------------------------------------------------------
def runs_json(project) -> list[dict]:
    """Each run as the summary's --json lists it (oldest first)."""
    from backend.project.run_labels import run_labels
    from backend.project.runs import run_name, run_score, sorted_runs

    runs = sorted_runs(project.runs)
    labels = run_labels(runs) if runs else {}
    best = project.default_weights()
    out = []
    for run in runs:
        score = run_score(run)
        out.append({"id": run["id"], "name": run_name(run), "label": labels.get(run["id"], ""),
                    "note": run.get("note", ""), "finished_at": run.get("finished_at"),
                    "metric": score.metric if score else None,
                    "value": score.value if score else None,
                    "epochs": len(run.get("history") or []),
                    "weights": run["id"] in project.weights, "default": run["id"] == best})
    return out


def runs_text(project) -> list[str]:
    """Lines listing a project's runs under the summary (none for a plain design)."""
    from backend.project.runs import find_run, finished_text, run_score

    rows = runs_json(project)
    if not rows:
        return []
    header = [("Run", "What differs", "Validation", "Finished", "Note")]
    body = []
    for row in rows:
        run = find_run(project.runs, row["id"])
        score = run_score(run)
        note = (row["note"].splitlines() or [""])[0]
        body.append((row["name"] + (" *" if row["default"] else ""), row["label"],
                     score.text if score else "—", finished_text(run), note[:40]))
    widths = [max(len(r[i]) for r in header + body) for i in range(5)]
    lines = ["", f"Runs ({len(rows)}; * = the weights exported by default):"]
    for r in header + body:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return lines


# -- netwright diff --------------------------------------------------------------------------------
def load_side(spec: str) -> tuple[dict, str]:
    """A design in file form and what to call it, from FILE or PROJECT:RUN."""
    from backend.project import doc_to_dict, open_any
    from backend.project.runs import find_run, run_name

    path = Path(spec)
    if path.exists() or ":" not in spec:
        return doc_to_dict(open_any(path).doc), path.name
    file, _, key = spec.rpartition(":")
    project = open_any(Path(file))
    if not project.runs:
        raise CliError(f"{Path(file).name} holds no runs: train it first or compare files")
    try:
        run = find_run(project.runs, key)
    except ValueError as exc:
        raise CliError(f"{Path(file).name}: {exc}") from None
    if not isinstance(run.get("design"), dict):
        raise CliError(f"{run_name(run)} in {Path(file).name} does not record its design")
    design = dict(run["design"])
    if isinstance(run.get("training"), dict):  # the settings it ran with, defaults filled in
        design["training"] = run["training"]
    return design, f"{Path(file).name}:{run_name(run)}"


def cmd_diff(args) -> int:
    from backend.graph.diff import diff_designs
    from backend.graph.diff_text import counts_text, diff_lines

    old, old_name = load_side(args.old)
    new, new_name = load_side(args.new)
    diff = diff_designs(old, new)
    if args.json:
        print(json.dumps({"from": old_name, "to": new_name, "same_model": not diff.model_changed,
                          **diff.to_json()}, indent=2, default=str))
        return 1 if diff.model_changed else 0
    print(f"{old_name} → {new_name}: {counts_text(diff)}")
    lines = diff_lines(diff)
    if not lines:
        print("the designs are the same (positions and comments aside)")
    for line in lines:
        print("  " * (line.depth + 1) + line.text)
    return 1 if diff.model_changed else 0
