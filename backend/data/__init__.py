"""Datasets: built-in sets and (later) user files, split, normalised and checked against a design.

Public API: `DataConfig` (a validated `dataset` section), `load_dataset(section)`,
`make_splits(dataset, ...)`, `fit_problems(doc, ...)`, `register_source` for new sources.
"""

from backend.data.base import (
    TASKS,
    Dataset,
    DatasetError,
    DatasetInfo,
    Split,
    Splits,
    class_counts,
    make_splits,
    one_hot,
)
from backend.data.check import expected_output, fit_problems, fit_report, shape_text
from backend.data.sources import (
    DataConfig,
    DataSource,
    get_source,
    load_dataset,
    register_source,
    source_names,
)

__all__ = [
    "TASKS", "Dataset", "DatasetError", "DatasetInfo", "Split", "Splits", "class_counts",
    "make_splits", "one_hot", "expected_output", "fit_problems", "fit_report", "shape_text",
    "DataConfig", "DataSource", "get_source", "load_dataset", "register_source", "source_names",
]
