""""Repeat with N seeds": the seeds of a group and training them one after another, headless.

`seed_values(base, n)` gives the seeds (base, base + 1, ...). `train_seed_group(doc, n, keep,
group_id)` trains the design once per seed with every other setting unchanged (the data split
keeps the dataset's own seed, so only the initial weights and the batch order change) and
hands each run, tagged with its group, to `keep` as soon as it finishes (`keep_in_project`
writes it into a project file), so a group cut short keeps the runs it finished. The CLI
(`netwright train FILE --seeds 5`) and the designer's child process both use it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from backend.experiments.groups import group_tag
from backend.graph.document import GraphDocument

MAX_SEEDS = 100


def seed_values(base: int, n: int) -> list[int]:
    """The seeds of a group of `n` runs starting at the design's seed `base`."""
    if isinstance(n, bool) or not isinstance(n, int) or not 2 <= n <= MAX_SEEDS:
        raise ValueError(f"the number of seeds must be a whole number from 2 to {MAX_SEEDS} "
                         f"(one seed is a plain run), not {n!r}")
    return [int(base) + i for i in range(n)]


@dataclass
class GroupOutcome:
    group_id: str
    run_ids: list[str] = field(default_factory=list)
    finished: list = field(default_factory=list)  # RunFinished per seed, in seed order
    failed: list[tuple[int, str]] = field(default_factory=list)  # (seed, message)


def existing_runs(path: str | Path) -> list[dict]:
    from backend.project import open_any

    return list(open_any(path).runs) if Path(path).exists() else []


def train_seed_group(doc: GraphDocument, n: int, keep: Callable[[dict, bytes], str],
                     group_id: str, section: dict | None = None,
                     on_event: Callable[[int, object], None] | None = None,
                     data_dir: str | Path | None = None, should_stop=None) -> GroupOutcome:
    """Train `doc` with `n` seeds; `keep(record, weights)` stores each finished run.

    `section` overrides the design's training settings (the CLI's --epochs); `on_event(seed,
    event)` sees every trainer event; `should_stop()` ends the group between runs."""
    from backend.training import TrainingConfig

    base = dict(section if section is not None else doc.sections.get("training") or {})
    config = TrainingConfig.from_section(base)  # bad settings: one sentence before any run
    seeds = seed_values(config.seed, n)
    outcome = GroupOutcome(group_id)
    for seed in seeds:
        if should_stop is not None and should_stop():
            break
        trainer, finished = train_one(doc, {**base, "seed": seed}, data_dir,
                                      lambda e, s=seed: on_event and on_event(s, e))
        if finished.reason == "error":
            outcome.failed.append((seed, finished.message))
            continue
        outcome.finished.append(finished)
        record, weights = trained_record(doc, trainer, finished)
        record["group"] = group_tag(group_id, seed, n)
        outcome.run_ids.append(keep(record, weights))
    return outcome


def keep_in_project(path: str | Path, doc: GraphDocument) -> Callable[[dict, bytes], str]:
    """A `keep` that adds each run to the project file at `path` (made from `doc` if new).
    The file as it was before the first run is kept as NAME.bak (as one `netwright train`
    keeps it), not the file as it was before the last run."""
    from backend.project.runs import store_run

    stored = [0]

    def keep(record: dict, weights: bytes | None) -> str:
        run_id = store_run(path, record, weights, doc, backup=stored[0] == 0)
        stored[0] += 1
        return run_id

    return keep


def train_one(doc: GraphDocument, section: dict, data_dir, on_event=None):
    """(trainer, RunFinished) of one run of `doc` with these settings."""
    from backend.data.files import data_folder
    from backend.training import Trainer, TrainingConfig

    trainer = Trainer(doc, config=TrainingConfig.from_section(section))
    with data_folder(Path(data_dir or ".").resolve()):
        trainer.prepare()  # bad data: ValueError with the fix, before the run starts
    return trainer, trainer.run(on_event)


def trained_record(doc: GraphDocument, trainer, finished) -> tuple[dict, bytes]:
    """(run record, safetensors weights) of a finished run."""
    from backend.export.weights import model_weights
    from backend.project.runs import run_record

    record = run_record(doc, finished, training=trainer.config.to_section())
    meta = {"design": doc.name, "epochs": str(finished.epochs_done),
            "best_epoch": str(finished.best_epoch)}
    return record, model_weights(trainer.model, meta)
