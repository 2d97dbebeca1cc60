"""Qt-free training: settings, events, and the loop that the GUI worker, CLI and tests drive.

Importing this package does not import torch (the designer loads it at start-up); `Trainer`
is imported on first use.

    from backend.training import Trainer, Probes
    trainer = Trainer(doc, probes=Probes(gradient_every=50, confusion=True))
    result = trainer.run(callback)   # or: for event in trainer.events(): ...
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
