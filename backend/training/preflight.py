"""Can this design train as it stands? The checks a Train button runs before starting.

`run_problems(doc, analysis, info)` validates the `training` and `dataset` sections setting by
setting and lets the task's recipe check the design against the dataset's description
(backend/training/recipes/checks.py), without loading samples
where the source can describe itself (the digits can) and without importing torch. It
returns `Problem`s for the Problems list, each with a one-click `Fix` where one is mechanical
(reset a refused setting to its default, set the dataset's resize, set the output's units).
`preflight(doc)` gives the same as (errors, warnings) sentences; no errors means a run starts.
The data layer (and numpy with it) is imported by the checks that use it, not with this module:
the designer's window imports the training settings before it first paints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from backend.graph.document import GraphDocument
from backend.graph.ops import SetSection
from backend.graph.problems import Fix, Problem
from backend.training.config import ConfigError, TrainingConfig
from backend.training.recipes.checks import design_report

if TYPE_CHECKING:
    from backend.data import DatasetInfo

DEFAULT_LOSS = {"classification": "cross_entropy", "regression": "mse",
                "autoencoding": "mse", "sequence": "mse"}
WHERE = "Training ▸ Settings"
LR_USUAL = (1e-6, 10.0)  # learning rates outside this train badly or not at all


def preflight(doc: GraphDocument) -> tuple[list[str], list[str]]:
    from backend.shapes import analyse

    analysis = analyse(doc)
    found = run_problems(doc, analysis)
    errors = [p.message for p in found if p.severity == "error"]
    if not errors:
        errors = [p.message for p in analysis.problems if p.severity == "error"][:1]
    warnings = [p.message for p in found if p.severity != "error"] if not errors else []
    return errors, warnings


def memory_problems(doc: GraphDocument, config: TrainingConfig, analysis) -> list[Problem]:
    """An error when training would not fit in this machine's memory (a GPU's is checked when
    the run starts on it): the sentence names the largest layer and the figures."""
    if not analysis.ok:
        return []
    from backend.memory import NotEnoughMemory, check_training

    try:
        check_training(doc, config.batch_size, config.optimizer, analysis=analysis)
    except NotEnoughMemory as exc:
        return [Problem(None, str(exc))]
    return []


def run_problems(doc: GraphDocument, analysis=None, info: DatasetInfo | None = None,
                 data_error: str = "", fit: bool = True) -> list[Problem]:
    """Problems of the settings, the data and the design's fit to it (see the docstring)."""
    settings, data = run_problems_by_kind(doc, analysis, info, data_error, fit)
    return settings + data


def run_problems_by_kind(doc: GraphDocument, analysis=None, info: DatasetInfo | None = None,
                         data_error: str = "", fit: bool = True
                         ) -> tuple[list[Problem], list[Problem]]:
    """(training-settings problems, dataset and design/data fit problems).

    `info` is the dataset's description when the caller already has it; `data_error` the
    sentence its loading failed with; `fit=False` checks the settings only (the description
    is still being loaded). The design's own problems (in `analysis`) are not repeated: while
    it has errors, its fit to the data is not checked.
    """
    settings, data = setting_problems(doc), dataset_problems(doc)
    try:
        config = TrainingConfig.from_section(doc.sections.get("training"))
    except ConfigError as exc:
        return settings or [Problem(None, str(exc))], data
    from backend.shapes import analyse

    analysis = analysis or analyse(doc)
    settings = setting_warnings(config) + memory_problems(doc, config, analysis)
    if data or not fit:
        return settings, data
    from backend.data import DataConfig, DatasetError

    try:
        source = DataConfig.from_section(doc.sections.get("dataset"))
        if info is None and not data_error:
            info = source.info()
    except (DatasetError, ValueError, OSError) as exc:
        data_error = str(exc)
    if data_error:
        return settings, [Problem(None, data_error)]
    if not analysis.ok:
        return settings, []
    return settings, design_report(doc, config, source, info, analysis).problems


def setting_warnings(config: TrainingConfig) -> list[Problem]:
    """Settings the engine accepts but that almost surely spoil the run."""
    return [Problem(None, w, "warning", fix=Fix("Set the learning rate to 0.001",
                                                _set("training", "lr", 1e-3)))
            for w in [lr_warning(config.lr)] if w]


def lr_warning(lr: float) -> str:
    """A sentence when the learning rate is far outside what trains ("" otherwise)."""
    lo, hi = LR_USUAL
    if lo <= lr <= hi:
        return ""
    what = "diverge (NaN loss)" if lr > hi else "barely move"
    return (f"the learning rate {lr:g} is far {'above' if lr > hi else 'below'} the usual "
            f"{lo:g} to {hi:g}: the loss will {what} — try 0.001")


def setting_problems(doc: GraphDocument) -> list[Problem]:
    """One problem per refused training setting, with a fix that resets it to the default."""
    section = dict(doc.sections.get("training") or {})
    defaults = TrainingConfig().to_section()
    out = []
    for key, value in section.items():
        try:
            TrainingConfig.from_section({key: value})
        except ConfigError as exc:
            out.append(_reset_problem("training", key, key in defaults, defaults.get(key),
                                      str(exc)))
    return out


def dataset_problems(doc: GraphDocument) -> list[Problem]:
    """One problem per refused dataset setting (unknown source: one for the name)."""
    from backend.data import DatasetError
    from backend.data.sources import COMMON, get_source

    section = dict(doc.sections.get("dataset") or {})
    name = section.pop("name", "digits")
    try:
        source = get_source(name)
    except (DatasetError, TypeError) as exc:
        return [Problem(None, str(exc) if isinstance(exc, DatasetError) else
                        "the dataset's name must be text, e.g. \"digits\"")]
    defaults = {**COMMON, **source.options}
    out = []
    for key, value in section.items():
        message = dataset_option_error(name, key, value)
        if message:
            out.append(_reset_problem("dataset", key, key in defaults, defaults.get(key),
                                      message))
    return out


def dataset_option_error(name: str, key: str, value) -> str:
    """The sentence refusing `value` for the dataset option `key` ("" when it is accepted)."""
    from backend.data import DataConfig, DatasetError
    from backend.data.sources import get_source

    try:
        config = DataConfig.from_section({"name": name, key: value})
        source = get_source(name)
        if source.describe is not None:
            source.describe(config.options)
    except (DatasetError, ValueError, TypeError) as exc:
        return str(exc)
    return ""


def _reset_problem(section: str, key: str, known: bool, default, message: str) -> Problem:
    """A refused setting: the engine's sentence, where to change it, and a reset fix."""
    where = WHERE if section == "training" else "Training ▸ Data"
    if not known:
        return Problem(None, f"{message} — remove it in the design file",
                       fix=Fix(f"Remove the setting '{key}'", _without(section, key)))
    shown = {True: "true", False: "false", None: "none"}.get(default, str(default)) \
        if isinstance(default, bool | None) else str(default)
    return Problem(None, f"{message} — change it in {where} or reset it to {shown}",
                   fix=Fix(f"Reset {key.replace('_', ' ')} to {shown}", _without(section, key)))


def _set(section: str, key: str, value):
    def make(doc: GraphDocument) -> SetSection:
        return SetSection(section, {**(doc.sections.get(section) or {}), key: value})
    return make


def _without(section: str, key: str):
    def make(doc: GraphDocument) -> SetSection:
        values = dict(doc.sections.get(section) or {})
        values.pop(key, None)
        return SetSection(section, values)
    return make
