"""A seed group whose every run is trained by several processes, from the designer's Seeds tab.

`train_group_distributed(doc, n, group_id, data_dir, out_q, stop)` is what
`backend.experiments.group_child` runs when the design's `processes` setting is above 1: one
seed after another, each a `LinkedLaunch` (torchrun's launcher, rank 0 reporting back), with
the same messages on `out_q` as a one-process group: ("started", seed, index, n),
("epoch", seed, epoch, epochs), ("run", record, weights) tagged with the group and the number
of processes, ("failed", seed, message). `stop` (an Event) stops the run in progress on every
rank at once; a run cut short that way is not kept, as in a one-process group. When the
first run cannot start at all (more processes than the machine has), the group ends with
that one sentence instead of repeating it for every seed.
"""

from __future__ import annotations

import threading


def train_group_distributed(doc, n: int, group_id: str, data_dir, out_q, stop) -> None:
    from backend.experiments.seeds import seed_values
    from backend.training import TrainingConfig

    base = dict(doc.sections.get("training") or {})
    seeds = seed_values(TrainingConfig.from_section(base).seed, n)
    for index, seed in enumerate(seeds, 1):
        if stop.is_set():
            return
        started = _one_seed(doc, {**base, "seed": seed}, (seed, index, n), group_id,
                            data_dir, out_q, stop)
        if not started:
            return


def _one_seed(doc, section: dict, where: tuple, group_id: str, data_dir, out_q, stop) -> bool:
    """Train one seed; False when its processes never started training."""
    from backend.experiments.ddp_session import LinkedLaunch
    from backend.project.design import doc_to_dict

    seed, index, n = where
    launch = LinkedLaunch(doc_to_dict(doc), section, str(data_dir) if data_dir else None)
    seen = {"started": False, "weights": None}

    def handle(kind: str, payload: list) -> None:
        if kind == "weights":
            seen["weights"] = payload[0]
        elif kind == "events":
            for event in payload[0]:
                name = type(event).__name__
                if name == "RunStarted":
                    seen["started"] = True
                    out_q.put(("started", seed, index, n))
                elif name == "EpochEnd":
                    out_q.put(("epoch", seed, event.epoch, event.epochs))

    done = threading.Event()
    threading.Thread(target=_pass_stop, args=(stop, done, launch), daemon=True).start()
    try:
        finished = launch.run(handle)
    finally:
        done.set()
        launch.command("close")
        launch.end()
    if finished.reason == "error":
        out_q.put(("failed", seed, finished.message))
    elif not stop.is_set() and seen["weights"] is not None:
        out_q.put(("run", *_record(doc, section, finished, seen["weights"], group_id, where)))
    return seen["started"]


def _pass_stop(stop, done: threading.Event, launch) -> None:
    while not done.is_set():
        if stop.wait(0.2):
            launch.command("stop")
            return


def _record(doc, section: dict, finished, state: dict, group_id: str, where: tuple):
    """(run record, safetensors weights) of one seed's finished run."""
    from backend.experiments.groups import group_tag
    from backend.project.runs import run_record
    from backend.training import TrainingConfig
    from backend.training.subprocess_run import encode_state

    seed, _index, n = where
    record = run_record(doc, finished, training=TrainingConfig.from_section(section).to_section())
    record["processes"] = section.get("processes", 1)
    record["group"] = group_tag(group_id, seed, n)
    meta = {"design": doc.name, "epochs": str(finished.epochs_done),
            "best_epoch": str(finished.best_epoch)}
    return record, encode_state(state, meta)
