"""Sequence to sequence: a Dense applied at every time step of a recurrent layer's output,
trained on the sine set's every-step targets; the recurrent probe reports the output, the
target and the loss at each step."""

from __future__ import annotations

import numpy as np

from backend.data import DataConfig
from backend.shapes import analyse
from backend.templates.builder import DesignBuilder
from backend.training import Trainer
from backend.training.events import Probes
from backend.training.teaching_events import RecurrentStates


def seq2seq(window: int = 12):
    b = DesignBuilder("every step")
    b.add("Input", "wave", after=None, shape=[window, 1])
    b.add("GRU", "gru", units=8, return_sequences=True)
    b.add("Dense", "next", units=1, per_step=True)
    b.section("dataset", {"name": "sine", "window": window, "samples": 200, "per_step": True})
    b.section("training", {"epochs": 3, "batch_size": 32, "lr": 0.01})
    return b.doc


def test_every_step_targets_and_a_per_step_dense():
    data = DataConfig.from_section({"name": "sine", "window": 6, "samples": 4,
                                    "per_step": True}).load()
    assert data.y.shape == (4, 6, 1)
    assert np.allclose(data.x[:, 1:, 0], data.y[:, :-1, 0])  # the target is the next value
    analysis = analyse(seq2seq())
    assert analysis.ok and analysis.shapes["next_1"] == (12, 1)
    assert analysis.counts["next_1"] == 8 + 1  # one weight per hidden unit, shared by steps


def test_training_reports_the_loss_at_each_step():
    events = list(Trainer(seq2seq(), probes=Probes(teaching=True, feature_every_s=0.0)).events())
    assert events[-1].reason == "completed", events[-1].message
    states = [e for e in events if isinstance(e, RecurrentStates)][-1]
    assert states.step_losses is not None and states.step_losses.shape == (12,)
    assert np.isfinite(states.step_losses).all()
    out, target = states.step_outputs, states.step_targets
    assert out.shape == target.shape == (12,)
    assert np.allclose(states.step_losses, (out - target) ** 2, rtol=1e-4, atol=1e-6)  # MSE
    assert np.allclose(target[:-1], states.sequence[1:, 0])  # each step's target: the next value
