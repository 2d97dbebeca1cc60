"""After (and during) a run, the Explore pages show the run's own numbers: the learned kernels
on the probe sample, the output's softmax numbers, the recurrent layer's gates."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from backend.templates import make_template
from backend.training import Trainer
from backend.training.events import Probes

sys.path.insert(0, str(Path(__file__).parents[1] / "backend"))
from test_teaching_probes import mlp, small_cnn  # noqa: E402


def trained(window, doc) -> list:
    """Open `doc`, train it (a tiny run) and hand the events to Explore as the dock does."""
    window.editor.replace_document(doc, "")
    events = list(Trainer(window.editor.doc, probes=Probes(teaching=True,
                                                           feature_every_s=0.0)).events())
    window.explore.receive(events)
    return events


def test_conv_explorer_shows_the_learned_filters_on_the_probe_sample(window, qtbot):
    events = trained(window, small_cnn())
    probe = window.explore.data.kernels["c1_1"]
    page = window.explore.open("convolution", "c1_1")
    assert page.run_row.isVisible()
    assert np.allclose(page.input_grid.values(), np.round(probe.input[0], 3))
    assert np.allclose(page.kernel_grid.values(), np.round(probe.kernels[0, 0], 3))
    assert page.bias.value() == pytest.approx(float(probe.bias[0]), abs=0.01)
    assert "learned filter 0" in page.source_label.text()
    page.filter_spin.setFocus()
    qtbot.keyClick(page.filter_spin, Qt.Key.Key_Up)
    assert np.allclose(page.kernel_grid.values(), np.round(probe.kernels[1, 0], 3))
    assert page.output_grid.values().shape == (6, 6)
    assert events


def test_softmax_page_uses_the_probe_sample(window, qtbot):
    trained(window, mlp("ReLU"))
    numbers = window.explore.data.outputs
    page = window.explore.open("softmax", "out_1")
    assert page.probe_button.isEnabled()
    assert np.allclose(page.logits.values().ravel(), numbers.logits, atol=1e-3)
    assert page.target.currentIndex() == numbers.target
    assert "Dense 'out', probe sample after epoch 1" in page.source.text()
    assert "nats" in page.loss.text()


def test_recurrent_page_unrolls_the_trained_layer(window):
    doc = make_template("lstm-sine")
    doc.sections["dataset"] = {**doc.sections["dataset"], "samples": 200}
    doc.sections["training"] = {**doc.sections.get("training", {}), "epochs": 1}
    trained(window, doc)
    lstm = next(n for n in window.editor.doc.nodes.values() if n.type == "LSTM")
    page = window.explore.open("recurrent", lstm.id)
    probe = window.explore.data.recurrent[lstm.id]
    assert page.using_probe and page.result.steps == len(probe.sequence)
    assert "learned weights" in page.source.text()
    assert not page.bias.isEnabled()


def test_a_new_run_forgets_the_old_numbers(window):
    trained(window, mlp("ReLU"))
    page = window.explore.open("softmax")
    window.explore.forget_run()
    assert not page.probe_button.isEnabled()


def test_sequence_to_sequence_shows_output_target_and_loss_per_step(window, qtbot):
    from test_sequence_steps import seq2seq

    trained(window, seq2seq())
    page = window.explore.open("recurrent", "gru_1")
    assert page.result.kind == "GRU" and page.result.steps == 12
    assert page._heat_names[-1] == "loss per step"
    assert page._heat_names[0].startswith("output ŷ_t")
    probe = window.explore.data.recurrent["gru_1"]
    page.slider.setFocus()
    page.slider.setValue(0)
    qtbot.keyClick(page.slider, Qt.Key.Key_Right)
    text = page.step_text.text()
    assert text.startswith("step 2:")
    assert f"target y = {probe.step_targets[1]:+.3f}" in text
    assert f"loss = {probe.step_losses[1]:.4f}" in text


def test_the_output_layer_shows_the_probe_numbers_in_the_inspector(window, qtbot):
    from designer.explore.output_section import OutputSection

    window.editor.replace_document(mlp("ReLU"), "")
    window.editor.set_selection(["out_1"])
    (section,) = window.inspector.findChildren(OutputSection)
    assert not section.isVisibleTo(window.inspector)  # nothing to show before a run
    trained(window, window.editor.doc.copy())
    window.editor.set_selection(["out_1"])
    (section,) = [s for s in window.inspector.findChildren(OutputSection)
                  if s.isVisibleTo(window.inspector)]
    text = section.numbers.text()
    assert "← true" in text and "nats" in text and "bits" in text
    qtbot.mouseClick(section.open_button, Qt.MouseButton.LeftButton)
    assert window.explore.explore_window.current_key() == "softmax"
