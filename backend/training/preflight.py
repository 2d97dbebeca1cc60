"""Can this design train as it stands? The checks a Train button runs before starting.

`preflight(doc)` validates the `training` and `dataset` sections and lets the task's recipe
check the design against the dataset's description without loading samples where the source
can describe itself (the digits can), and without importing torch. It returns
(errors, warnings) as user sentences; an empty error list means a run will start.
"""

from __future__ import annotations

from backend.data import DataConfig
from backend.graph.document import GraphDocument
from backend.training.config import TrainingConfig
from backend.training.recipes.checks import design_report
from backend.training.recipes.supervised import DEFAULT_LOSS as _SUPERVISED

DEFAULT_LOSS = {**_SUPERVISED, "autoencoding": "mse"}  # kept for older callers


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
    report = design_report(doc, config, data, info, analysis)
    return report.errors, report.warnings
