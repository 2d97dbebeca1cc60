"""Qt-free training: settings, events, and the loop that the GUI worker, CLI and tests drive.

Importing this package does not import torch (the designer loads it at start-up); `Trainer`
is imported on first use.

    from backend.training import Trainer, Probes, preflight
    errors, warnings = preflight(doc)          # before Start: no torch, no training
    trainer = Trainer(doc, probes=Probes(gradient_every=50, confusion=True))
    result = trainer.run(callback)             # or: for event in trainer.events(): ...

What one step does depends on the task: each task is trained by a recipe
(`backend.training.recipes`: supervised, autoencoding, ...; see docs/recipes.md), while the
loop around it is shared.

A GUI worker runs `trainer.events()` on its thread and forwards the events (plain numbers and
numpy arrays): RunStarted, StepMetrics (≤ ~10/s), EpochEnd, FeatureMaps / GradientFlow /
WeightHistograms / ConfusionMatrix, Paused / Resumed, and always one RunFinished last
(reason completed | stopped | early-stopped | error, with a message). The GUI thread steers
through `trainer.control` (or a `Control` passed in): stop(), pause(), resume(),
watch_node(node_id) for feature maps. The Trainer copies the design, so edits during a run
never reach it; `trainer.best_state` and `on_best(state_dict, epoch)` give the best weights.
"""

from backend.training.config import (
    LOSSES,
    OPTIMIZERS,
    SCHEDULES,
    ConfigError,
    TrainingConfig,
)
from backend.training.events import (
    ConfusionMatrix,
    Control,
    EpochEnd,
    FeatureMaps,
    GradientFlow,
    Paused,
    ProbeResult,
    Probes,
    Resumed,
    RunFinished,
    RunStarted,
    StepMetrics,
    WeightHistograms,
)
from backend.training.preflight import preflight

__all__ = [
    "LOSSES", "OPTIMIZERS", "SCHEDULES", "ConfigError", "TrainingConfig", "ConfusionMatrix",
    "Control", "EpochEnd", "FeatureMaps", "GradientFlow", "Paused", "ProbeResult", "Probes",
    "Resumed", "RunFinished", "RunStarted", "StepMetrics", "WeightHistograms", "Trainer",
    "preflight",
]


def __getattr__(name: str):
    if name == "Trainer":
        from backend.training.trainer import Trainer

        return Trainer
    raise AttributeError(name)
