"""Probes return what they promise: feature maps, gradient flow, weight histograms and the
validation confusion matrix, named by design node id."""

import numpy as np

from backend.templates import make_template
from backend.training import (
    ConfusionMatrix,
    FeatureMaps,
    GradientFlow,
    Probes,
    Trainer,
    WeightHistograms,
)


def lenet_run(probes: Probes, epochs: int = 1):
    doc = make_template("lenet5")
    doc.sections["dataset"] = {"name": "digits", "resize": 32}
    doc.sections["training"] = {"epochs": epochs, "batch_size": 64, "val_fraction": 0.1,
                                "test_fraction": 0.0}
    trainer = Trainer(doc, probes=probes)
    return trainer, list(trainer.events())


def test_no_probe_runs_unless_asked():
    _, events = lenet_run(Probes())
    assert not [e for e in events if isinstance(e, FeatureMaps | GradientFlow |
                                                 WeightHistograms | ConfusionMatrix)]


def test_probes_return_the_shapes_they_promise():
    probes = Probes(feature_node="c1_1", max_channels=4, max_size=16, gradient_every=5,
                    weights_every_epoch=True, histogram_bins=12, confusion=True)
    trainer, events = lenet_run(probes)
    maps = [e for e in events if isinstance(e, FeatureMaps)]
    assert maps and maps[0].node == "c1_1"
    assert maps[0].maps.shape == (4, 16, 16) and maps[0].shape == (6, 28, 28)
    assert maps[0].sample.shape == (1, 32, 32) and maps[0].maps.dtype == np.float32

    flows = [e for e in events if isinstance(e, GradientFlow)]
    steps = trainer.setup.train.__len__()
    assert [f.step for f in flows] == list(range(5, steps + 1, 5))
    layers = ["c1_1", "c3_1", "c5_1", "f6_1", "output_1"]
    assert flows[0].nodes == layers
    for arr in (flows[0].mean_abs, flows[0].max_abs, flows[0].update_ratio):
        assert arr.shape == (5,) and np.all(arr > 0)
    assert np.all(flows[0].max_abs >= flows[0].mean_abs)

    (hist,) = [e for e in events if isinstance(e, WeightHistograms)]
    assert hist.nodes == layers
    assert all(c.shape == (12,) and e.shape == (13,) for c, e in zip(hist.counts, hist.edges,
                                                                     strict=True))
    assert hist.counts[0].sum() == 6 * 25 + 6

    (conf,) = [e for e in events if isinstance(e, ConfusionMatrix)]
    assert conf.matrix.shape == (10, 10)
    assert conf.matrix.sum() == len(trainer.setup.splits.val)
    assert conf.class_names == tuple(str(i) for i in range(10))


def test_the_watched_node_can_change_during_the_run():
    doc = make_template("lenet5")
    doc.sections["dataset"] = {"name": "digits", "resize": 32}
    doc.sections["training"] = {"epochs": 1, "val_fraction": 0.5}
    trainer = Trainer(doc, metrics_interval=0)
    seen = []

    def on_event(event):
        if isinstance(event, FeatureMaps):
            seen.append((event.node, event.maps.shape))
        elif type(event).__name__ == "StepMetrics" and event.step == 2:
            trainer.control.watch_node("flatten_1")

    trainer.run(on_event)
    assert seen and seen[0] == ("flatten_1", (1, 1, 400))
