"""Teaching probes during training: activation shares and warnings, the output's numbers,
recurrent weights and sequences, convolution inputs and kernels."""

from __future__ import annotations

import numpy as np
import pytest

from backend.teaching.recurrent import unroll
from backend.templates import make_template
from backend.templates.builder import DesignBuilder
from backend.training import Trainer
from backend.training.events import Probes, RunFinished
from backend.training.teaching_events import (
    ActivationStats,
    KernelProbe,
    OutputNumbers,
    RecurrentStates,
    activation_warnings,
)

PROBES = Probes(teaching=True, feature_every_s=0.0)


def run_events(doc, **training):
    doc.sections["training"] = {**doc.sections.get("training", {}), **training}
    events = list(Trainer(doc, probes=PROBES).events())
    assert isinstance(events[-1], RunFinished) and events[-1].reason == "completed", \
        events[-1].message
    return events


def mlp(activation: str, init: str = "default", **training):
    b = DesignBuilder("mlp")
    b.add("Input", "x", after=None, shape=[2])
    b.add("Dense", "fc1", units=16, init=init)
    b.add(activation, "act")
    b.add("Dense", "out", units=2)
    b.section("dataset", {"name": "moons", "samples": 200})
    b.section("training", {"epochs": 1, "batch_size": 50, **training})
    return b.doc


def test_activation_shares_match_a_direct_count():
    events = run_events(mlp("ReLU"))
    stats = [e for e in events if isinstance(e, ActivationStats)]
    assert stats, "no activation statistics were sent"
    last = stats[-1]
    assert last.nodes == ["act_1"] and last.kinds == ["ReLU"]
    assert np.isnan(last.saturated[0]) and 0.0 <= last.dead[0] <= 1.0
    assert last.counts[0].sum() == last.samples * 16
    assert np.all(np.diff(last.quantiles[0]) >= 0)


def test_a_huge_learning_rate_kills_relus_and_says_what_to_change():
    doc = mlp("ReLU", optimizer="sgd", lr=10.0, epochs=2)
    stats = [e for e in run_events(doc) if isinstance(e, ActivationStats)][-1]
    assert stats.dead[0] >= 0.5
    assert any("dead ReLUs" in w and "lower the learning rate" in w for w in stats.warnings)


def test_saturated_sigmoids_are_counted_and_warned():
    labels, kinds = ["Sigmoid 's'"], ["Sigmoid"]
    warnings = activation_warnings(labels, kinds, np.array([0.8]), np.array([np.nan]))
    assert warnings[0].startswith("Sigmoid 's': 80% of its outputs sit near 0 or 1")
    assert activation_warnings(labels, kinds, np.array([0.1]), np.array([np.nan])) == []
    stats = [e for e in run_events(mlp("Sigmoid")) if isinstance(e, ActivationStats)][-1]
    assert 0.0 <= stats.saturated[0] <= 1.0 and np.isnan(stats.dead[0])


@pytest.mark.parametrize("kind, measured", [("ReLU6", "dead"), ("Hardsigmoid", "saturated"),
                                             ("Mish", None)])
def test_newer_activations_are_measured_as_what_they_are(kind, measured):
    stats = [e for e in run_events(mlp(kind)) if isinstance(e, ActivationStats)][-1]
    assert stats.kinds == [kind]
    for name in ("dead", "saturated"):
        share = getattr(stats, name)[0]
        assert (0.0 <= share <= 1.0) if name == measured else np.isnan(share)


def test_output_numbers_for_the_probe_sample():
    events = run_events(mlp("Tanh"))
    numbers = [e for e in events if isinstance(e, OutputNumbers)][-1]
    assert numbers.kind == "softmax" and numbers.logits.shape == (2,)
    assert numbers.target in (0, 1) and numbers.node == "out_1"
    assert numbers.node_label == "Dense 'out'"


def test_recurrent_probe_unrolls_to_the_model_own_states():
    doc = make_template("lstm-sine")
    events = run_events(doc, epochs=1)
    states = [e for e in events if isinstance(e, RecurrentStates)][-1]
    assert states.kind == "LSTM" and states.sequence.ndim == 2
    unrolled = unroll("LSTM", states.weights, states.sequence)
    assert unrolled.h.shape[1] == states.weights["weight_hh_l0"].shape[1]
    assert set(unrolled.gates) == {"input gate i", "forget gate f", "candidate g",
                                   "output gate o"}


def small_cnn():
    b = DesignBuilder("small cnn")
    b.add("Input", "digit", after=None, shape=[1, 8, 8])
    b.add("Conv2d", "c1", filters=4, kernel_size=3)
    b.add("ReLU", "r1")
    b.add("AvgPool2d", "s2", kernel_size=2)
    b.add("Flatten", "flat")
    b.add("Dense", "out", units=10)
    b.section("dataset", {"name": "digits"})
    b.section("training", {"epochs": 1, "batch_size": 128})
    return b.doc


def test_kernel_probe_gives_the_conv_input_and_filters():
    events = run_events(small_cnn())
    kernels = {e.node: e for e in events if isinstance(e, KernelProbe)}
    c1 = kernels["c1_1"]
    assert c1.mode == "conv" and c1.kernels.shape == (4, 1, 3, 3) and c1.bias.shape == (4,)
    assert c1.input.shape == (1, 8, 8)
    assert kernels["s2_1"].mode == "avg" and kernels["s2_1"].kernels is None
    assert kernels["s2_1"].input.shape == (4, 6, 6)


def test_probes_cost_nothing_when_off():
    events = list(Trainer(mlp("ReLU"), probes=Probes()).events())
    assert not any(isinstance(e, (ActivationStats, OutputNumbers)) for e in events)


@pytest.mark.parametrize("kind", ["softmax"])
def test_numbers_are_picklable_for_the_training_process(kind):
    import pickle

    events = run_events(mlp("ReLU"))
    for e in events:
        if isinstance(e, (ActivationStats, OutputNumbers)):
            assert pickle.loads(pickle.dumps(e)).step == e.step


@pytest.mark.parametrize("template", ["gan", "vae"])
def test_probes_follow_each_network_of_a_generative_design(template):
    doc = make_template(template)
    doc.sections["training"] = {**doc.sections.get("training", {}), "epochs": 1}
    events = list(Trainer(doc, probes=PROBES).events())
    assert events[-1].reason == "completed", events[-1].message
    stats = [e for e in events if isinstance(e, ActivationStats)]
    assert stats and len(stats[-1].nodes) >= 2
