"""Seeds on the command line: `netwright train FILE --seeds N` and `netwright groups PROJECT`.

`--seeds N` trains the design N times (seeds s, s+1, ... from the design's seed) and keeps
every run in a project: FILE itself when it is a `.nwproj`, else `--out PROJECT.nwproj` or
FILE with `.nwproj`. It prints a line per seed and the group's mean ± standard deviation.
`netwright groups PROJECT` lists the seed groups; with two groups named (`netwright groups
lab.nwproj 1 2`) it says whether their final validation figures differ by more than the seed
spread, with the test used (Welch's t-test). Several processes (`--nproc-per-node N`, or the
design's `processes` setting) go to `backend.cli.distributed_cmd`: one run trained by N
processes, or with `--seeds` a group whose every run is.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from backend.cli import CliError


def add_train_options(p) -> None:
    p.add_argument("--seeds", type=int, metavar="N",
                   help="repeat the run with N seeds and keep them as a group in the project")
    p.add_argument("--nproc-per-node", type=int, metavar="N", dest="nproc_per_node",
                   help="train one run with N processes (torchrun: gloo on CPU, NCCL on GPUs)")


def add_parser(sub) -> None:
    p = sub.add_parser("groups", help="seed groups of a project and whether two differ")
    p.add_argument("file", help="project (.nwproj)")
    p.add_argument("groups", nargs="*", metavar="GROUP", help="two groups to compare "
                   "(number, 'group 2' or group_2); default: the last two")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(run=cmd_groups)


def experiment_train(args) -> int | None:
    """Handle `train --seeds` and several processes (`--nproc-per-node`, else the design's
    `processes` setting); None for a plain one-process run."""
    if getattr(args, "one_process", False):
        return None
    seeds, nproc = getattr(args, "seeds", None), getattr(args, "nproc_per_node", None)
    if nproc is None:
        nproc = _design_processes(args.file)
    if nproc is not None and nproc != 1:
        from backend.cli.distributed_cmd import train_distributed

        return train_distributed(args, nproc)
    if seeds is None:
        return None
    return train_seeds(args)


def _design_processes(file: str) -> int | None:
    """The design's `processes` setting when it asks for several (checked later)."""
    from backend.project import open_any

    value = (open_any(file).doc.sections.get("training") or {}).get("processes", 1)
    whole = isinstance(value, int) and not isinstance(value, bool)
    return value if whole and value != 1 else None  # a bad value: the settings check says so


def training_section(args, doc) -> dict:
    """The design's training section with --epochs and --device applied (checked)."""
    section = dict(doc.sections.get("training") or {})
    if args.epochs is not None:
        if args.epochs < 1:
            raise CliError(f"--epochs must be at least 1, not {args.epochs}")
        section["epochs"] = args.epochs
    if args.device:
        section["device"] = args.device
    return section


def project_out(args, doc, runs: int = 1) -> Path:
    """Where the runs go: FILE if it is a project, else --out or FILE.nwproj. The project
    being trained gets these runs added; any other existing file is refused without --force,
    as `netwright train` refuses it (with --force the runs are added to that project, its
    design becomes the one trained and the file as it was is kept as NAME.bak)."""
    file = Path(args.file)
    out = Path(args.out) if args.out else file if file.suffix.lower() == ".nwproj" \
        else file.with_suffix(".nwproj")
    if out.suffix.lower() != ".nwproj":
        raise CliError(f"runs of several seeds are kept in a project: give --out a .nwproj "
                       f"file, not {out.name}")
    if not out.parent.exists():
        raise CliError(f"folder {out.parent} does not exist: create it or choose another --out")
    from backend.cli.train_output import checked_project

    return checked_project(args, doc, out, runs)


def train_seeds(args) -> int:
    from backend.experiments.groups import next_group_id
    from backend.experiments.seeds import (
        existing_runs,
        keep_in_project,
        seed_values,
        train_seed_group,
    )
    from backend.project import open_any

    try:
        seed_values(0, args.seeds)
    except ValueError as exc:
        raise CliError(f"--seeds: {exc}") from None
    doc = open_any(args.file).doc
    out, section = project_out(args, doc, args.seeds), training_section(args, doc)
    printer = _SeedPrinter(args.seeds, args.json)
    outcome = train_seed_group(doc, args.seeds, keep_in_project(out, doc),
                               next_group_id(existing_runs(out)), section, printer.on_event,
                               Path(args.file).resolve().parent)
    return printer.done(outcome, out)


class _SeedPrinter:
    def __init__(self, n: int, json_lines: bool) -> None:
        self.n, self.json_lines, self.index = n, json_lines, 0

    def on_event(self, seed: int, event) -> None:
        kind = type(event).__name__
        if kind == "RunStarted":
            self.index += 1
            self._say(f"seed {seed} ({self.index}/{self.n}): training on {event.device}, "
                      f"{event.epochs} epochs")
        elif kind == "RunFinished":
            if self.json_lines:
                print(json.dumps({"seed": seed, "reason": event.reason,
                                  "message": event.message, "history": event.history},
                                 default=str), flush=True)
            self._say(f"seed {seed}: {event.reason}{': ' + event.message if event.message else ''}")

    def _say(self, text: str) -> None:
        if not self.json_lines:
            print(text, file=sys.stderr, flush=True)

    def done(self, outcome, out: Path) -> int:
        from backend.experiments.groups import find_group, seed_groups
        from backend.project import open_any

        for seed, message in outcome.failed:
            print(f"netwright: seed {seed} failed: {message}", file=sys.stderr)
        if not outcome.run_ids:
            return 1
        group = find_group(seed_groups(open_any(out).runs), outcome.group_id)
        if not self.json_lines:
            print(f"{group_line(group)}; wrote {out} (runs {_span(outcome.run_ids)})")
        return 1 if outcome.failed else 0


def _span(run_ids: list[str]) -> str:
    from backend.project.runs import run_number

    numbers = [run_number(r) for r in run_ids]
    return f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else str(numbers[0])


def group_line(group, label: str = "") -> str:
    from backend.experiments.groups import figure

    metric, values = group.scores()
    s = group.summary()
    what = "val acc" if metric == "val_accuracy" else "val loss"
    spread = f" ± {figure(metric, s.std, True)}" if s.n > 1 else ""
    value = figure(metric, s.mean) if values else "no validation figure"
    name = f"{group.name} ({label})" if label else group.name
    return f"{name}: {what} {value}{spread} over {s.n} seeds {group.seeds}"


def cmd_groups(args) -> int:
    from backend.experiments.groups import compare_groups, find_group, group_labels, seed_groups
    from backend.project import open_any

    groups = seed_groups(open_any(args.file).runs)
    if len(args.groups) not in (0, 2):
        raise CliError("name two groups to compare (e.g. netwright groups lab.nwproj 1 2), "
                       "or none to compare the last two")
    pair = [find_group(groups, g) for g in args.groups] or groups[-2:]
    verdict = compare_groups(*pair) if len(pair) == 2 else None
    labels = group_labels(groups)
    if args.json:
        print(json.dumps({"groups": [_group_json(g, labels.get(g.id, "")) for g in groups],
                          "verdict": None if verdict is None else _verdict_json(verdict)}))
        return 0
    if not groups:
        print(f"{args.file} has no seed groups: train with --seeds N to make one")
        return 0
    for group in groups:
        print(group_line(group, labels.get(group.id, "")))
    if verdict is not None:
        print(verdict.text)
    return 0


def _group_json(group, label: str) -> dict:
    metric, values = group.scores()
    s = group.summary()
    return {"id": group.id, "name": group.name, "label": label,
            "runs": [r["id"] for r in group.runs],
            "seeds": group.seeds, "metric": metric, "values": values,
            "mean": s.mean if values else None, "std": s.std if s.n > 1 else None}


def _verdict_json(v) -> dict:
    r = v.result
    from backend.project.runs import jsonable

    return jsonable({"text": v.text, "significant": v.significant, "metric": v.metric,
                     "test": "welch_t", "t": None if r is None else r.t,
                     "df": None if r is None else r.df, "p": None if r is None else r.p})
