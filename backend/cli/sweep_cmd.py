"""`netwright sweep FILE`: search training settings and layer parameters with Optuna.

    netwright sweep lab.nwproj --param lr=1e-4..1e-1:log --param hidden.units=16..128:int \\
        --trials 20 --parallel 2 [--epochs 5] [--storage URL --study NAME] [--json]

Parameters come from `--param` (see `backend.experiments.space`) or the design's `sweep`
section. Every trial is a run in the project (FILE if it is a `.nwproj`, else `--out` or
FILE.nwproj). Prints a line per trial (or one JSON object per trial with --json) and then the
best trial, the parameter importances and how to open the best design. Exit 0 when at least
one trial completed, 1 when none did, 2 on bad input.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from backend.cli import CliError


def add_parser(sub) -> None:
    p = sub.add_parser("sweep", help="search settings and layer parameters (Optuna, TPE)")
    p.add_argument("file", help="design (.json) or project (.nwproj)")
    p.add_argument("--param", action="append", default=[], metavar="SPEC",
                   help="NAME=LOW..HIGH[:int][:log] or NAME=A,B,C; NAME is a training "
                        "setting (lr) or LAYER.PARAM (fc1.units); repeat for several")
    p.add_argument("--trials", type=int, default=20, help="number of trials (default 20)")
    p.add_argument("--parallel", type=int, default=1, help="trials at once, each in its "
                   "own process (default 1)")
    p.add_argument("--epochs", type=int, help="epochs per trial (overrides the design)")
    p.add_argument("--storage", help="Optuna storage URL (default: a SQLite file beside the "
                   "project); share one URL between machines to share the sweep")
    p.add_argument("--study", help="study name (default: '<design name> sweep'); the same "
                   "name continues a sweep")
    p.add_argument("--out", help="project to keep the runs in (default: FILE, or FILE.nwproj)")
    p.add_argument("--force", action="store_true", help="add the runs to an existing --out "
                   "project other than FILE (the old file is then kept as NAME.bak)")
    p.add_argument("--json", action="store_true", help="one JSON object per trial, then a "
                   "summary object, on stdout")
    p.set_defaults(run=cmd_sweep)


def _space(args, doc) -> list:
    from backend.experiments.space import parse_param, space_from_section

    if args.param:
        return [parse_param(spec) for spec in args.param]
    return space_from_section(doc.sections.get("sweep"))


def cmd_sweep(args) -> int:
    from backend.cli.seeds_cmd import project_out
    from backend.experiments.sweep import Sweep
    from backend.project import open_any

    doc = open_any(args.file).doc
    if args.epochs is not None:
        if args.epochs < 1:
            raise CliError(f"--epochs must be at least 1, not {args.epochs}")
        doc.sections["training"] = {**(doc.sections.get("training") or {}),
                                    "epochs": args.epochs}
    out = project_out(args, doc, args.trials)
    sweep = Sweep(doc, _space(args, doc), out, args.trials, args.parallel, args.storage,
                  args.study, Path(args.file).resolve().parent)
    printer = _Printer(args.json, sweep)
    try:
        summary = sweep.run(printer.trial, on_start=printer.start)
    except KeyboardInterrupt:
        print("netwright: sweep interrupted; the trials that ended are kept", file=sys.stderr)
        return 130
    printer.done(summary, out)
    return 0 if summary.best is not None else 1


def params_text(params: dict) -> str:
    return " · ".join(f"{k} {v:.3g}" if isinstance(v, float) else f"{k} {v}"
                      for k, v in params.items())


def value_text(metric: str, value) -> str:
    if value is None:
        return "no result"
    return f"val acc {value:.1%}" if metric == "val_accuracy" else f"val loss {value:.4g}"


class _Printer:
    def __init__(self, json_lines: bool, sweep) -> None:
        self.json_lines, self.sweep = json_lines, sweep

    def _err(self, text: str) -> None:
        if not self.json_lines:
            print(text, file=sys.stderr, flush=True)

    def start(self, number: int, params: dict, pid: int) -> None:
        self._err(f"trial {number}: {params_text(params)} (worker pid {pid})")

    def trial(self, o) -> None:
        from backend.project.runs import default_name

        if self.json_lines:
            print(json.dumps({"trial": o.number, "state": o.state, "params": o.params,
                              "value": o.value, "metric": self.sweep.metric,
                              "epochs": o.epochs, "run": o.run_id, "message": o.message}),
                  flush=True)
            return
        run = f" as {default_name(o.run_id)}" if o.run_id else ""
        why = f" ({o.message})" if o.message else ""
        print(f"trial {o.number} {o.state}{run}: {params_text(o.params)} -> "
              f"{value_text(self.sweep.metric, o.value)}{why}", flush=True)

    def done(self, summary, out: Path) -> None:
        from backend.project.runs import default_name

        counts = {s: sum(o.state == s for o in summary.outcomes)
                  for s in ("complete", "pruned", "failed")}
        if self.json_lines:
            best = summary.best
            print(json.dumps({"summary": True, "study": summary.study,
                              "storage": summary.storage, "metric": summary.metric,
                              "direction": summary.direction, **counts,
                              "best": None if best is None else {
                                  "trial": best.number, "params": best.params,
                                  "value": best.value, "run": best.run_id},
                              "importance": summary.importance}), flush=True)
            return
        print(f"{counts['complete']} complete, {counts['pruned']} pruned, {counts['failed']} "
              f"failed; study '{summary.study}' in {summary.storage}")
        if summary.best is None:
            print("no trial completed, so there is no best one")
            return
        b = summary.best
        print(f"best: trial {b.number}, {params_text(b.params)} -> "
              f"{value_text(summary.metric, b.value)}"
              + (f", kept in {out} as {default_name(b.run_id)}" if b.run_id else ""))
        if summary.importance:
            print("importance: " + ", ".join(f"{k} {v:.0%}"
                                              for k, v in summary.importance.items()))
        if b.run_id:
            number = default_name(b.run_id).split()[-1]
            print(f"open it: netwright {out}, then Runs > {default_name(b.run_id)} > Open "
                  f"design; or export it: netwright export {out} --python best.py --run "
                  f"{number}")
