"""`netwright train FILE --nproc-per-node N`: one run trained by N processes.

The design, settings and output are those of `netwright train` (`--epochs`, `--device`,
`--out`, `--force`, `--json`); N processes train it with DistributedDataParallel (gloo on the
CPU, NCCL on GPUs, see `backend.experiments.distributed`) and rank 0 prints the progress and
writes the weights or the run. Without `--nproc-per-node` the design's `processes` setting
decides. Asking for more processes than CPU cores (or GPUs) is one sentence. One process is
a plain run.

With `--seeds S` each seed of the group is one such run (the seeds train one after another,
each with N processes) and joins the project tagged with its group, as `--seeds` alone does.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from backend.cli import CliError


def train_distributed(args, n: int) -> int:
    from backend.experiments.distributed import check_processes, resolve_device
    from backend.project import open_any
    from backend.training import TrainingConfig

    doc = open_any(args.file).doc
    section = dict(doc.sections.get("training") or {})
    if args.epochs is not None:
        if args.epochs < 1:
            raise CliError(f"--epochs must be at least 1, not {args.epochs}")
        section["epochs"] = args.epochs
    device = resolve_device(args.device or section.get("device", "auto"))
    try:
        check_processes(n, device)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    if n == 1:
        return _plain(args)
    section.update(device=device, processes=n)
    config = TrainingConfig.from_section(section)  # bad settings: one sentence, no process
    if getattr(args, "seeds", None) is not None:
        return _seeds(args, doc, section, config.seed, n)
    output = _out(args, doc)
    return _launch(args, doc, section, n, {"out": str(output.path.resolve()),
                                           "replaces": output.replaces})


def _launch(args, doc, section: dict, n: int, where: dict) -> int:
    """Train one run with n processes; 0, or 1 with the sentence when a process failed."""
    from backend.experiments.distributed import launch
    from backend.project.design import doc_to_dict

    with tempfile.TemporaryDirectory(prefix="netwright-ddp-") as tmp:
        spec = Path(tmp) / "spec.json"
        spec.write_text(json.dumps({
            "design": doc_to_dict(doc), "training": section, **where,
            "data_dir": str(Path(args.file).resolve().parent), "json": bool(args.json)}))
        try:
            launch(str(spec), n)
        except RuntimeError as exc:
            return _failed(exc)
    return 0


def _seeds(args, doc, section: dict, base: int, n: int) -> int:
    """A seed group whose every run is trained by n processes."""
    from backend.cli.seeds_cmd import _SeedPrinter, project_out
    from backend.experiments.groups import group_tag, next_group_id
    from backend.experiments.seeds import GroupOutcome, existing_runs, seed_values

    try:
        seeds = seed_values(base, args.seeds)
    except ValueError as exc:
        raise CliError(f"--seeds: {exc}") from None
    out = project_out(args, doc, args.seeds)
    outcome = GroupOutcome(next_group_id(existing_runs(out)))
    for index, seed in enumerate(seeds):
        if not args.json:
            print(f"seed {seed} ({index + 1}/{len(seeds)}): training with {n} processes",
                  file=sys.stderr, flush=True)
        before = {r.get("id") for r in existing_runs(out)}
        code = _launch(args, doc, {**section, "seed": seed}, n, {
            "out": str(out.resolve()), "group": group_tag(outcome.group_id, seed, len(seeds)),
            "backup": not outcome.run_ids})
        added = [r["id"] for r in existing_runs(out) if r.get("id") not in before]
        outcome.run_ids += added
        if code != 0 or not added:
            outcome.failed.append((seed, "its processes stopped (see above)"))
    return _SeedPrinter(len(seeds), args.json).done(outcome, out)


def _failed(exc: RuntimeError) -> int:
    print(f"netwright: {exc}; see the message above", file=sys.stderr)
    return 1


def _plain(args) -> int:
    from backend.cli.train_cmd import cmd_train

    args.nproc_per_node, args.one_process = None, True
    return cmd_train(args)


def _out(args, doc):
    """The output `netwright train` would choose, checked the same way (before training)."""
    from backend.cli.train_output import choose_output

    return choose_output(args, doc)
