"""One process of a multi-process run: `backend.experiments.distributed.launch` starts these.

SPEC (JSON) holds the design, the training settings, the folder its dataset paths start from,
where to write the result (`out`: a project or a weights file) and whether to print JSON
lines. Rank 0 prints the progress exactly as `netwright train` does and writes the run; the
other ranks print nothing. A run started by the designer has `link` (a local socket) instead
of `out`: rank 0 sends the events, the best and final weights and the RunFinished there, stop
and pause reach every rank (`backend.experiments.ddp_link`), and after the run rank 0 answers
feature-map questions until the designer closes the run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def _silence() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)


def main(spec_path: str) -> int:
    rank, world = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
    local = int(os.environ.get("LOCAL_RANK", rank))
    if rank != 0:
        _silence()
    spec = json.loads(Path(spec_path).read_text())
    import torch
    import torch.distributed as dist

    cuda = spec["training"].get("device") == "cuda"
    if cuda:
        torch.cuda.set_device(local)
    linked = bool(spec.get("link"))
    from datetime import timedelta

    # a paused designer run keeps the other ranks waiting in a collective: allow a long pause
    dist.init_process_group("nccl" if cuda else "gloo",
                            timeout=timedelta(days=7) if linked else None)
    if linked:
        from backend.experiments.ddp_linked import train_linked

        return train_linked(spec, rank, world, local)
    try:
        return _train(spec, rank, world, local)
    finally:
        dist.destroy_process_group()


def _train(spec: dict, rank: int, world: int, local: int) -> int:
    from backend.cli.train_cmd import Progress, summary_line
    from backend.data.files import data_folder
    from backend.experiments.distributed import distribute
    from backend.project.project import design_from_data
    from backend.training import Trainer, TrainingConfig

    doc = design_from_data(spec["design"], "the design")
    trainer = Trainer(doc, config=TrainingConfig.from_section(spec["training"]))
    try:
        with data_folder(Path(spec["data_dir"])):
            trainer.prepare()
    except ValueError as exc:
        if rank == 0:
            print("netwright: error: " + " ".join(str(exc).split()), file=sys.stderr)
        return 2
    distribute(trainer, rank, world, local)
    progress = Progress(json_lines=spec.get("json", False)) if rank == 0 else None
    finished = trainer.run(all_processes(progress.on_event, world) if progress else None)
    if rank != 0:
        return 0 if finished.reason != "error" else 1
    progress.close()
    trainer.setup.model = trainer.setup.model.module  # the plain model, as one process has it
    if finished.reason == "error":
        kept = _kept(spec, doc, trainer, finished)
        print(f"netwright: training failed: {finished.message}{kept}", file=sys.stderr)
        return 1
    for entry in finished.history:  # the speed of all processes together, as reported
        if isinstance(entry.get("samples_per_s"), int | float):
            entry["samples_per_s"] *= world
    where = _write(spec, doc, trainer, finished, world)
    if not spec.get("json"):
        print(summary_line(finished, where) + f" (trained by {world} processes)")
    return 0


def _kept(spec: dict, doc, trainer, finished) -> str:
    """A failed run keeps what it had, as `netwright train` keeps it (not a seed of a group:
    a group keeps the seeds that finished)."""
    if spec.get("group"):
        return ""
    from backend.cli.train_cmd import _keep_failed
    from backend.cli.train_output import Output

    out = Path(spec["out"])
    output = Output(out, out.suffix.lower() == ".nwproj", bool(spec.get("replaces")))
    return "; " + _keep_failed(output, doc, trainer, finished)


def all_processes(report, world: int):
    """Rank 0's progress with the speed of all processes (they step in lockstep)."""
    def on_event(event) -> None:
        if isinstance(getattr(event, "samples_per_s", None), int | float):
            event.samples_per_s *= world
        report(event)
    return on_event


def _write(spec: dict, doc, trainer, finished, world: int) -> str:
    from backend.experiments.seeds import trained_record
    from backend.project.runs import default_name, store_run

    out = Path(spec["out"])
    record, weights = trained_record(doc, trainer, finished)
    if out.suffix.lower() == ".nwproj":
        record["processes"] = world
        if spec.get("group"):  # one seed of a group (`train --seeds N --nproc-per-node M`)
            record["group"] = spec["group"]
        run_id = store_run(out, record, weights, doc, backup=spec.get("backup", True))
        return f"{out} as {default_name(run_id)}"
    from backend.export.weights import write_weights

    write_weights(out, weights, backup=bool(spec.get("replaces")))
    return str(out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
