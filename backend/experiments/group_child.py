"""A seed group trained in a "spawn" child process, for the designer (no Qt, no torch in the GUI).

`group_main(design, n, group_id, data_dir, out_q, stop)` trains the design (a plain dict,
`doc_to_dict` of the snapshot) once per seed and puts on `out_q`:
("started", seed, index, n) when a seed's run starts, ("epoch", seed, epoch, epochs) after each
epoch, ("run", record, weights) when a seed's run finished (the parent adds it to its project),
("failed", seed, message) when one could not train, then ("done",). `stop` (an Event) ends the
group after the run in progress and cuts that run short. A design whose `processes` setting
is above 1 trains each seed with that many processes (`backend.experiments.group_ddp`).
"""

from __future__ import annotations

from pathlib import Path


def group_main(design: dict, n: int, group_id: str, data_dir: str | None, out_q, stop) -> None:
    try:
        _train(design, n, group_id, data_dir, out_q, stop)
    except Exception as exc:  # a sentence for the parent, never a silent death
        text = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        out_q.put(("failed", None, text))
    finally:
        out_q.put(("done",))


def _train(design: dict, n: int, group_id: str, data_dir, out_q, stop) -> None:
    from backend.experiments.seeds import train_seed_group
    from backend.project.project import design_from_data

    doc = design_from_data(design, "the design")
    from backend.experiments.ddp_session import processes_of

    if processes_of(doc) > 1:  # each seed trained by several processes
        from backend.experiments.group_ddp import train_group_distributed

        train_group_distributed(doc, n, group_id, data_dir, out_q, stop)
        return
    index = [0]

    def on_event(seed: int, event) -> None:
        kind = type(event).__name__
        if kind == "RunStarted":
            index[0] += 1
            out_q.put(("started", seed, index[0], n))
        elif kind == "EpochEnd":
            out_q.put(("epoch", seed, event.epoch, event.epochs))
            if stop.is_set():
                raise _Stop
        elif kind == "RunFinished" and event.reason == "error":
            out_q.put(("failed", seed, event.message))

    def keep(record: dict, weights: bytes) -> str:
        out_q.put(("run", record, weights))
        return ""

    try:
        train_seed_group(doc, n, keep, group_id, on_event=on_event,
                         data_dir=Path(data_dir) if data_dir else None,
                         should_stop=stop.is_set)
    except _Stop:
        return


class _Stop(Exception):
    """The user stopped the group: end after the epoch in progress, keeping finished runs."""
