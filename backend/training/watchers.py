"""Live views of a run: what the trainer looks at between steps, as events.

A watcher has two hooks the shared loop calls: `live(trainer, now, force)` at every log point
(about 10 times a second; throttle yourself, e.g. every `Probes.feature_every_s`) and
`epoch_end(trainer, val)` after each epoch's validation (`val` is the recipe's evaluation
dict). Both yield events (dataclasses of plain numbers and numpy arrays). Watchers read the
run through `trainer.setup` (data, networks), `trainer.runner` (the recipe's runtime) and
`trainer.control`; they never change the model. The default ones are feature maps, weight
histograms and the confusion matrix; recipes add theirs (`RecipeRun.watchers`), and other
probes join with `Trainer.add_watcher`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator

from backend.training import events as ev
from backend.training.probes import feature_maps, weight_histograms


class Watcher:
    """Base class: both hooks yield nothing."""

    def live(self, trainer, now: float, force: bool) -> Iterator[object]:
        return iter(())

    def epoch_end(self, trainer, val: dict) -> Iterator[object]:
        return iter(())


class FeatureMaps(Watcher):
    """The selected node's activations for the probe sample, every `feature_every_s`."""

    def __init__(self, probes: ev.Probes) -> None:
        self.probes = probes
        self.node: str | None = None
        self.t_last = -math.inf

    def live(self, trainer, now: float, force: bool) -> Iterator[object]:
        changed, node = trainer.control.take_feature_node()
        if changed:
            self.node = node
        due = now - self.t_last >= self.probes.feature_every_s
        if self.node is None or not (changed or due or force):
            return
        self.t_last = now
        target = trainer.runner.probe_target(self.node)
        if target is None:
            return
        module, sample = target
        p = self.probes
        result = feature_maps(module, self.node, sample, p.max_channels, p.max_size)
        if result is not None:
            maps, shape = result
            yield ev.FeatureMaps(trainer.step, trainer.epoch, self.node, maps,
                                 sample[0].float().cpu().numpy(), shape)

    def epoch_end(self, trainer, val: dict) -> Iterator[object]:
        yield from self.live(trainer, time.monotonic(), force=True)


class WeightHistograms(Watcher):
    def __init__(self, probes: ev.Probes) -> None:
        self.bins = probes.histogram_bins

    def epoch_end(self, trainer, val: dict) -> Iterator[object]:
        nodes, counts, edges = weight_histograms(trainer.setup.model, self.bins)
        yield ev.WeightHistograms(trainer.step, trainer.epoch, nodes, counts, edges)


class Confusion(Watcher):
    def epoch_end(self, trainer, val: dict) -> Iterator[object]:
        if "confusion" in val:
            yield ev.ConfusionMatrix(trainer.step, trainer.epoch, val["confusion"],
                                     trainer.class_names())


def default_watchers(probes: ev.Probes) -> list[Watcher]:
    """The views every recipe gets, in the order their events come at an epoch's end."""
    watchers: list[Watcher] = [Confusion()]
    if probes.weights_every_epoch:
        watchers.append(WeightHistograms(probes))
    watchers.append(FeatureMaps(probes))
    if probes.teaching:
        from backend.training.teaching_probes import teaching_watchers

        watchers += teaching_watchers(probes)
    return watchers
