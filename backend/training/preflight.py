"""Can this design train as it stands? The checks a Train button runs before starting.

`preflight(doc)` validates the `training` and `dataset` sections and checks the design
against the dataset's description without loading samples where the source can describe
itself (the digits can), and without importing torch. It returns (errors, warnings) as
user sentences; an empty error list means a run will start.
"""

from __future__ import annotations

from backend.data import DataConfig, fit_report
from backend.graph.document import GraphDocument
from backend.training.config import TrainingConfig

DEFAULT_LOSS = {"classification": "cross_entropy", "regression": "mse",
                "autoencoding": "mse", "sequence": "mse"}


def preflight(doc: GraphDocument) -> tuple[list[str], list[str]]:
    try:
        config = TrainingConfig.from_section(doc.sections.get("training"))
        data = DataConfig.from_section(doc.sections.get("dataset"))
        info = data.info()
    except ValueError as exc:
        return [str(exc)], []
    from backend.shapes import analyse

    analysis = analyse(doc)
    errors = [p.message for p in analysis.problems if p.severity == "error"]
    if errors:
        return errors[:1], []
    from backend.memory import NotEnoughMemory, check_training

    try:  # this machine's memory; a GPU's is checked when the run starts on it
        check_training(doc, config.batch_size, config.optimizer, analysis=analysis)
    except NotEnoughMemory as exc:
        return [str(exc)], []
    task = info.task if config.task == "auto" else config.task
    loss = DEFAULT_LOSS[task] if config.loss == "auto" else config.loss
    return fit_report(doc, data, info, task, loss, analysis)
