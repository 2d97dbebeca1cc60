"""VAE and GAN recipes: their losses and curves, warm-up, warnings, views, and every bad
design named before training starts."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from backend.graph import Edge
from backend.shapes import analyse
from backend.templates import make_template
from backend.templates.builder import DesignBuilder
from backend.training import Probes, Trainer, preflight
from backend.training.events import Advice, EpochEnd, LatentCodes, Reconstructions, SampleGrid


def small_vae(latent=2, epochs=2, **training):
    b = DesignBuilder("VAE")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    b.add("Flatten", "flatten")
    b.add("Dense", "hidden", units=32)
    features = b.add("ReLU", "relu")
    mu = b.add("Dense", "mu", after=features, units=latent)
    log_var = b.add("Dense", "log_var", after=features, units=latent)
    z = b.add("Sampling", "z", after=None)
    b.connect(mu, z, "mu")
    b.connect(log_var, z, "log_var")
    b.add("Dense", "decode", units=64)
    b.add("Sigmoid", "pixels")
    b.add("Reshape", "image", shape=[1, 8, 8])
    b.section("dataset", {"name": "digits", "normalise": "minmax"})
    b.section("training", {"epochs": epochs, "batch_size": 64, "lr": 0.003, **training})
    return b.doc


def small_gan(epochs=1, g_out=64, d_units=1, **training):
    b = DesignBuilder("GAN")
    b.add("Input", "noise", after=None, shape=[8])
    b.add("Dense", "g_hidden", units=32)
    b.add("ReLU", "g_relu")
    b.add("Dense", "g_pixels", units=g_out)
    last = b.add("Sigmoid", "g_sigmoid")
    if g_out == 64:
        b.add("Reshape", "fake", shape=[1, 8, 8])
    b.add("Input", "image", after=None, row=2, col=0, shape=[1, 8, 8])
    b.add("Flatten", "d_flatten", row=2)
    b.add("Dense", "d_hidden", units=32, row=2)
    b.add("LeakyReLU", "d_act", row=2)
    b.add("Dense", "score", units=d_units, row=2)
    b.section("dataset", {"name": "digits", "normalise": "minmax"})
    b.section("training", {"epochs": epochs, "batch_size": 64, "lr": 0.001,
                           "d_lr": 0.001, **training})
    _ = last
    return b.doc


# -- VAE -------------------------------------------------------------------------------------
def test_vae_reports_reconstruction_and_positive_kl_as_separate_curves():
    events = list(Trainer(small_vae(epochs=3)).events())
    started, finished = events[0], events[-1]
    assert started.task == "vae" and started.recipe == "vae"  # task auto: a Sampling layer
    assert started.loss == "bce" and started.terms == ["reconstruction", "kl"]
    assert finished.reason == "completed", finished.message
    ends = [e for e in events if isinstance(e, EpochEnd)]
    for e in ends:
        assert e.val_terms["kl"] > 0 and e.terms["kl"] > 0
        assert e.val_loss == pytest.approx(e.val_terms["reconstruction"] + e.val_terms["kl"],
                                           rel=1e-5)
    assert ends[-1].val_terms["reconstruction"] < ends[0].val_terms["reconstruction"]


def test_kl_warm_up_raises_beta_linearly_over_its_epochs():
    trainer = Trainer(small_vae(epochs=1, beta=2.0, kl_warmup_epochs=2.0))
    trainer.run()
    runner = trainer.runner
    assert runner.steps == len(trainer.setup.train)
    assert runner.beta_now() == pytest.approx(1.0)  # half-way through a 2-epoch warm-up
    runner.steps *= 3
    assert runner.beta_now() == 2.0


def test_posterior_collapse_names_the_dimensions_without_information():
    events = list(Trainer(small_vae(latent=4, epochs=3, beta=60.0)).events())
    advice = [e for e in events if isinstance(e, Advice) and e.kind == "posterior-collapse"]
    assert advice and advice[-1].active
    dims = advice[-1].detail["dimensions"]
    assert dims and all(0 <= d < 4 for d in dims)
    assert "posterior collapse" in advice[-1].message and "lower β" in advice[-1].message
    for d in dims:
        assert advice[-1].detail["kl_per_dim"][d] < 0.01


def test_vae_views_reconstruct_scatter_and_traverse():
    probes = Probes(samples_every_s=1e-9, latent_points=100)
    events = list(Trainer(small_vae(epochs=1), probes=probes).events())
    recon = [e for e in events if isinstance(e, Reconstructions)][-1]
    assert recon.inputs.shape == recon.outputs.shape == (8, 1, 8, 8) and recon.noisy is None
    latent = [e for e in events if isinstance(e, LatentCodes)][-1]
    assert latent.points.shape == (100, 2) and latent.width == 2
    assert latent.labels is not None and set(latent.labels) <= set(range(10))
    grid = [e for e in events if isinstance(e, SampleGrid)][-1]
    assert grid.kind == "traversal" and grid.images.shape == (8, 8, 1, 8, 8)
    assert not np.allclose(grid.images[0, 0], grid.images[-1, -1])  # it changes across z


def test_a_vae_without_sampling_layer_is_named_before_training():
    doc = make_template("autoencoder")
    doc.sections["training"]["task"] = "vae"
    errors, _ = preflight(doc)
    assert errors and "no Sampling layer" in errors[0] and "ReLU 'code_relu'" in errors[0]


def test_sampling_inputs_of_different_shapes_are_a_problem_on_the_node():
    doc = small_vae()
    doc.nodes["log_var_1"].params["units"] = 3
    problems = [p for p in analyse(doc).problems if p.severity == "error"]
    assert problems[0].node == "z_1"
    assert "Sampling 'z'" in problems[0].message and "same number of units" in problems[0].message
    assert preflight(doc)[0] == [problems[0].message]


def test_sampling_gives_mu_at_evaluation_and_samples_while_training():
    from backend.layers.modules import Sampling

    layer = Sampling()
    mu, log_var = torch.zeros(500, 3), torch.zeros(500, 3)
    assert torch.equal(layer.eval()(mu, log_var), mu)
    z = layer.train()(mu, log_var)
    assert abs(float(z.std()) - 1.0) < 0.1
    assert float(layer.kl) == pytest.approx(0.0)
    layer(mu + 1.0, log_var)
    assert float(layer.kl) == pytest.approx(1.5)  # ½ Σ μ² over 3 dimensions


# -- GAN -------------------------------------------------------------------------------------
def test_gan_trains_two_networks_and_reports_both_losses_and_d_probabilities():
    trainer = Trainer(small_gan(epochs=2), probes=Probes(gradient_every=5,
                                                         samples_every_s=1e-9))
    events = list(trainer.events())
    started, finished = events[0], events[-1]
    assert finished.reason == "completed", finished.message
    assert started.task == "gan" and started.loss == "non_saturating"
    assert set(started.networks) == {"generator", "discriminator"}
    assert started.terms == ["d_loss", "g_loss", "d_real", "d_fake"]
    end = [e for e in events if isinstance(e, EpochEnd)][-1]
    assert 0 < end.terms["d_real"] < 1 and 0 < end.terms["d_fake"] < 1
    assert end.val_loss is None and finished.best_epoch is None  # no best epoch for a GAN
    grids = [e for e in events if isinstance(e, SampleGrid)]
    assert grids[-1].images.shape == (8, 8, 1, 8, 8) and grids[-1].diversity > 0
    flows = [e for e in events if type(e).__name__ == "GradientFlow"]
    nodes = set(flows[-1].nodes)
    assert {"g_hidden_1", "score_1"} <= nodes  # both networks' gradients


def test_k_discriminator_steps_per_generator_step():
    trainer = Trainer(small_gan(d_steps=3))
    trainer.run()
    steps = trainer.step
    g_steps = trainer.runner.g_slot.opt.state[trainer.runner.g_slot.params[0]]["step"]
    d_steps = trainer.runner.d_slot.opt.state[trainer.runner.d_slot.params[0]]["step"]
    assert int(d_steps) == steps and int(g_steps) == steps // 3


@pytest.mark.parametrize("loss", ["minimax", "wasserstein_gp"])
def test_other_gan_losses_train(loss):
    result = Trainer(small_gan(loss=loss, d_steps=2 if loss == "wasserstein_gp" else 1)).run()
    assert result.reason == "completed", result.message
    assert all(np.isfinite(list(result.history[-1]["terms"].values())))


def test_discriminator_has_its_own_optimiser_settings():
    trainer = Trainer(small_gan(optimizer="adam", lr=0.001, d_optimizer="sgd", d_lr=0.05))
    trainer.prepare()
    g, d = trainer.runner.g_slot.opt, trainer.runner.d_slot.opt
    assert type(g).__name__ == "Adam" and g.param_groups[0]["lr"] == 0.001
    assert type(d).__name__ == "SGD" and d.param_groups[0]["lr"] == 0.05


def test_a_discriminator_that_wins_outright_is_said():
    doc = small_gan(epochs=3, lr=1e-7, d_lr=0.01)
    events = list(Trainer(doc).events())
    advice = [e for e in events if isinstance(e, Advice) and e.kind == "discriminator-wins"]
    assert advice and advice[0].active and "lower the discriminator's learning rate" in \
        advice[0].message


def test_mode_collapse_is_said_when_samples_look_alike():
    trainer = Trainer(small_gan(epochs=5, lr=1e-9))
    trainer.prepare()
    with torch.no_grad():  # a generator that ignores its noise: one sample for every z
        trainer.setup.networks["generator"].g_pixels.weight.zero_()
    events = list(trainer.events())
    advice = [e for e in events if isinstance(e, Advice) and e.kind == "mode-collapse"]
    assert advice and advice[0].active and advice[0].detail["diversity"] < 0.05
    assert "mode collapse" in advice[0].message


def test_gan_roles_can_be_declared_and_feature_maps_probe_the_generator():
    doc = small_gan()
    doc.sections["networks"] = {"generator": "noise_1"}
    trainer = Trainer(doc, probes=Probes(feature_node="g_hidden_1"))
    events = list(trainer.events())
    maps = [e for e in events if type(e).__name__ == "FeatureMaps"]
    assert maps and maps[-1].node == "g_hidden_1" and maps[-1].sample.shape == (8,)


def test_generator_output_that_does_not_fit_the_discriminator_is_named():
    doc = small_gan(g_out=64)
    doc.nodes["fake_1"].params["shape"] = [64]
    doc.sections["training"]["task"] = "gan"
    errors, _ = preflight(doc)
    assert errors and "the generator's output Reshape 'fake' gives (B, 64)" in errors[0]
    assert "Input 'image' takes (B, 1, 8, 8)" in errors[0]
    assert "Reshape to [1, 8, 8]" in errors[0]


def test_gan_design_mistakes_are_one_sentence_each():
    doc = small_gan(d_units=3)
    doc.sections["networks"] = {"generator": "noise_1"}
    doc.sections["training"]["task"] = "gan"
    assert "end it with Dense(1)" in preflight(doc)[0][0]
    one = make_template("mlp")
    one.sections["training"]["task"] = "gan"
    assert "two separate networks" in preflight(one)[0][0]
    doc = small_gan()
    b_score = doc.nodes["score_1"]
    doc.nodes["d_sig"] = type(b_score)("d_sig", "Sigmoid", {}, "d_sig", (2000.0, 300.0))
    doc.edges.append(Edge("score_1", "d_sig"))
    assert "remove it" in preflight(doc)[0][0] and "Sigmoid 'd_sig'" in preflight(doc)[0][0]


@pytest.mark.parametrize("name", ["gan", "dcgan", "vae", "conv-vae", "sparse-autoencoder",
                                  "conv-autoencoder"])
def test_generative_templates_pass_the_pre_run_check_and_train_a_step(name):
    doc = make_template(name)
    assert preflight(doc) == ([], [])
    # a small epoch on one thread (two threads crawl when other processes load the CPU)
    doc.sections["training"].update(epochs=1, val_fraction=0.45, test_fraction=0.4,
                                    cpu_threads=1)
    result = Trainer(doc).run()
    assert result.reason == "completed", result.message
