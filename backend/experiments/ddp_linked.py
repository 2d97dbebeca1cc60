"""One rank of a multi-process run started by the designer (see `backend.experiments.ddp_link`).

Every rank trains with a `SyncedControl`, so the designer's Stop and Pause (which reach rank 0)
take effect on all ranks at the same step. Rank 0 runs the loop through
`backend.training.subprocess_run.drive`, exactly as a one-process training child does, and
sends the batches, the best weights, the final weights and the RunFinished to the designer;
the speed it reports is that of all processes together. Live probes that would run the model
outside the loop's own steps (feature maps, generated samples, teaching probes) are left out
while the processes train: a forward pass on rank 0 alone would put it out of step with the
others. Once training has ended and the process group is gone, rank 0 answers the designer's
feature-map questions from the trained model until it closes the run.
"""

from __future__ import annotations

import threading
from pathlib import Path


def train_linked(spec: dict, rank: int, world: int, local: int) -> int:
    import torch
    import torch.distributed as dist

    from backend.experiments.ddp_link import Link, SyncedControl

    link = Link.connect(spec["link"]) if rank == 0 else None
    cuda = spec["training"].get("device") == "cuda"
    control = SyncedControl(rank, torch.device("cuda", local) if cuda else None)
    done = threading.Event()
    if link is not None:
        link.forward_commands(control, done)
    try:
        trainer, finished = _run(spec, rank, world, local, control, link)
    except Exception as exc:  # anything unexpected: a sentence for the designer, then exit
        from backend.training.subprocess_run import error_finish

        trainer, finished = None, error_finish(exc)
    done.set()
    if link is None and finished is not None and finished.reason == "error":
        _leave_message(spec, rank, finished.message)  # rank 0 may never get to say it
    dist.destroy_process_group()
    if link is None:
        return 0 if finished is not None and finished.reason != "error" else 1
    from backend.training.events import RunFinished

    link.send(("finished", finished or RunFinished("error", "the run ended without a result")))
    if trainer is not None and finished is not None and finished.reason != "error":
        link.serve(trainer, control.take_feature_node()[1])
    return 0 if finished is not None and finished.reason != "error" else 1


def _leave_message(spec: dict, rank: int, message: str) -> None:
    """Why this rank stopped, beside the designer's socket (its output goes nowhere)."""
    try:
        (Path(spec["link"]).parent / f"rank{rank}.txt").write_text(message)
    except OSError:
        pass


def _probes(spec: dict, rank: int):
    """Rank 0: the designer's probes without those that run the model on their own."""
    from backend.training.events import Probes

    if rank != 0:
        return Probes()
    wanted = dict(spec.get("probes") or {})
    wanted.update(feature_node=None, samples_every_s=0.0, latent_points=0, teaching=False)
    return Probes(**wanted)


def _run(spec: dict, rank: int, world: int, local: int, control, link):
    """(trainer or None, RunFinished) of this rank."""
    from backend.data.files import data_folder
    from backend.experiments.ddp_worker import all_processes
    from backend.experiments.distributed import distribute
    from backend.project.project import design_from_data
    from backend.training import Trainer, TrainingConfig
    from backend.training.events import RunFinished, RunStarted
    from backend.training.subprocess_run import drive, state_to_numpy

    doc = design_from_data(spec["design"], "the design")
    probes = _probes(spec, rank)

    def on_best(state: dict, epoch: int) -> None:
        link.send(("best", state_to_numpy(state), int(epoch)))

    trainer = Trainer(doc, config=TrainingConfig.from_section(spec["training"]), probes=probes,
                      on_best=on_best if link is not None else None, control=control)
    try:
        with data_folder(Path(spec["data_dir"]) if spec.get("data_dir") else None):
            trainer.prepare()
    except ValueError as exc:
        return None, RunFinished("error", " ".join(str(exc).split()))
    distribute(trainer, rank, world, local)
    if link is None:
        return trainer, trainer.run()
    send = all_processes(lambda event: None, world)

    def relay(batch: list) -> None:
        for event in batch:
            send(event)  # the speed of all processes together
            if isinstance(event, RunStarted):
                event.device = f"{event.device} with {world} processes"
        link.send(("events", batch))

    finished = drive(trainer, probes, relay)
    trainer.setup.model = trainer.setup.model.module  # the plain model, as one process has it
    if finished is not None and finished.weights_kept:  # a failed run: its best epoch's
        for entry in finished.history:
            if isinstance(entry.get("samples_per_s"), int | float):
                entry["samples_per_s"] *= world
        link.send(("weights", state_to_numpy(trainer.setup.model.state_dict())))
    return trainer, finished
