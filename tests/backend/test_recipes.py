"""Task recipes: the registry, recipe settings in the training section, a new recipe is an
addition, and the autoencoding recipe (denoising noisy -> clean, BCE, sparsity)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from backend.templates.builder import DesignBuilder
from backend.training import ConfigError, EpochEnd, Trainer, TrainingConfig, preflight, recipes
from backend.training.recipes import Recipe, Setting, Term
from backend.training.recipes.run import RecipeRun


def autoencoder(code=16, **training):
    b = DesignBuilder("AE")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    b.add("Flatten", "flatten")
    b.add("Dense", "code", units=code)
    b.add("ReLU", "code_relu")
    b.add("Dense", "decode", units=64)
    b.add("Sigmoid", "pixels")
    b.add("Reshape", "image", shape=[1, 8, 8])
    b.section("dataset", {"name": "digits", "normalise": "minmax"})
    b.section("training", {"task": "autoencoding", "epochs": 1, "batch_size": 64,
                           "lr": 0.003, **training})
    return b.doc


def test_every_task_has_exactly_one_recipe_and_setting_names_are_unique():
    tasks = recipes.task_names()
    assert len(tasks) == len(set(tasks))
    assert {"classification", "regression", "sequence", "autoencoding"} <= set(tasks)
    settings = {id(s): s for r in recipes.RECIPES for s in r.settings}  # a shared one once
    names = [s.name for s in settings.values()]
    assert len(names) == len(set(names))
    shared = {f for f in TrainingConfig.__dataclass_fields__}
    assert not shared & set(names)  # a recipe setting never shadows a shared one


def test_recipe_settings_live_in_the_training_section_and_are_validated():
    config = TrainingConfig.from_section({"task": "autoencoding", "sparsity_weight": 0.01})
    assert config.extra == {"sparsity_weight": 0.01}
    section = config.to_section()
    assert section["sparsity_weight"] == 0.01 and section["sparsity_node"] is None
    assert TrainingConfig.from_section(section).to_section() == section
    with pytest.raises(ConfigError, match="sparsity_weight.*at least 0"):
        TrainingConfig.from_section({"sparsity_weight": -1})
    with pytest.raises(ConfigError, match="unknown training setting 'sparsity'.*sparsity_weight"):
        TrainingConfig.from_section({"sparsity": 1})


class _MeanRecipe(Recipe):
    """A recipe made up for this test: predict the mean of each target, MSE."""

    name, title, tasks, losses = "mean", "Mean", ("mean_regression",), ("mse",)
    settings = (Setting("mean_scale", "float", 1.0, "Scales the loss.", min=0.0),)
    terms = (Term("scaled", "scaled loss"),)
    runtime = f"{__name__}:_MeanRun"

    def default_loss(self, task, doc, analysis):
        return "mse"


class _MeanRun(RecipeRun):
    def __init__(self, setup, config, recipe):
        super().__init__(setup, config, recipe)
        self.scale = recipe.setting(config, "mean_scale")
        self.slot = self.make_slot("model", setup.model)

    def step(self, xb, yb):
        out = self.forward(self.setup.model, xb)
        loss = ((out - yb) ** 2).mean()
        self.update(loss, self.slot)
        return loss.detach(), ((loss * self.scale).detach(),), None

    def evaluate(self, x, y, confusion=False):
        with torch.no_grad():
            loss = float(((self.setup.model(x) - y) ** 2).mean()) if len(x) else 0.0
        return {"loss": loss, "terms": {"scaled": loss * self.scale}}


def test_a_new_recipe_is_one_declaration_and_one_runtime_class(monkeypatch):
    monkeypatch.setattr(recipes, "RECIPES", (*recipes.RECIPES, _MeanRecipe()))
    b = DesignBuilder("mean")
    b.add("Input", "x", after=None, shape=[12, 1])
    b.add("Flatten", "flat")
    b.add("Dense", "out", units=1)
    b.section("dataset", {"name": "sine", "samples": 300, "window": 12})
    b.section("training", {"task": "mean-regression", "mean_scale": 2.0, "epochs": 2})
    events = list(Trainer(b.doc).events())
    ends = [e for e in events if isinstance(e, EpochEnd)]
    assert events[-1].reason == "completed", events[-1].message
    assert events[0].recipe == "mean" and events[0].terms == ["scaled"]
    assert ends[-1].terms["scaled"] == pytest.approx(2 * ends[-1].train_loss, rel=1e-5)
    assert ends[-1].val_terms["scaled"] == pytest.approx(2 * ends[-1].val_loss, rel=1e-5)


def test_denoising_validation_is_noisy_to_clean():
    """A network that copies its input is charged the noise it lets through."""
    b = DesignBuilder("copy")
    b.add("Input", "digits", after=None, shape=[1, 8, 8])
    b.add("Flatten", "flatten")
    b.add("Dense", "copy", units=64)
    b.add("Reshape", "image", shape=[1, 8, 8])
    b.section("dataset", {"name": "digits", "normalise": "minmax", "corruption": "gaussian",
                          "corruption_level": 0.5})
    b.section("training", {"task": "autoencoding"})
    trainer = Trainer(b.doc)
    setup = trainer.prepare()
    noisy, clean = setup.val
    with torch.no_grad():
        setup.model.copy.weight.copy_(torch.eye(64))
        setup.model.copy.bias.zero_()
    assert trainer.runner.evaluate(clean, clean)["mae"] < 1e-6
    # E|N(0, 0.5²)| = 0.5·sqrt(2/π): the validation error is the noise's, not zero
    assert trainer.runner.evaluate(noisy, clean)["mae"] == pytest.approx(0.399, abs=0.02)
    assert trainer.runner.evaluate(*setup.val) == trainer.runner.evaluate(noisy, clean)


def test_training_batches_get_fresh_noise_and_clean_targets():
    doc = autoencoder()
    doc.sections["dataset"].update(corruption="masking", corruption_level=0.5)
    setup = Trainer(doc).prepare()
    (x1, y1), = [next(iter(setup.train.epoch()))]
    zeros = (x1 == 0) & (y1 != 0)
    assert 0.3 < zeros.float().sum() / (y1 != 0).float().sum() < 0.7
    assert not torch.equal(x1, y1)


@pytest.mark.parametrize("loss", ["bce", "bce_with_logits"])
def test_binary_cross_entropy_trains_an_autoencoder(loss):
    doc = autoencoder(loss=loss, epochs=3)
    if loss == "bce_with_logits":
        del doc.nodes["pixels_1"]
        doc.edges = [e for e in doc.edges if "pixels_1" not in (e.src, e.dst)]
        from backend.graph import Edge

        doc.edges.append(Edge("decode_1", "image_1"))
    result = Trainer(doc).run()
    assert result.reason == "completed", result.message
    history = [h["train_loss"] for h in result.history]
    assert history[-1] < history[0]


def test_bce_mistakes_are_named_before_training():
    doc = autoencoder(loss="bce")
    doc.sections["dataset"]["normalise"] = "standard"
    errors, _ = preflight(doc)
    assert errors and "set the dataset's normalise to minmax" in errors[0]
    doc = autoencoder(loss="bce")
    doc.nodes["pixels_1"].type = "ReLU"
    errors, _ = preflight(doc)
    assert errors and "ReLU 'pixels'" in errors[0] and "Sigmoid" in errors[0]


def test_sparsity_penalty_is_a_separate_term_and_makes_the_code_sparser():
    def code_activity(weight):
        doc = autoencoder(code=32, epochs=4, sparsity_weight=weight,
                          sparsity_node="code_relu_1")
        trainer = Trainer(doc)
        result = trainer.run()
        assert result.reason == "completed", result.message
        x = trainer.setup.val[0]
        acts = {}
        relu = trainer.model.code_relu
        hook = relu.register_forward_hook(lambda m, i, o: acts.setdefault("a", o))
        with torch.no_grad():
            trainer.model.eval()(x)
        hook.remove()
        return result, float(acts["a"].abs().sum(dim=1).mean())

    dense, plain = code_activity(0.0)
    sparse, penalised = code_activity(0.05)
    assert dense.history[-1]["terms"] == {}
    terms = sparse.history[-1]["terms"]
    assert set(terms) == {"reconstruction", "sparsity"}
    assert sparse.history[-1]["train_loss"] == pytest.approx(
        terms["reconstruction"] + terms["sparsity"], rel=1e-4)
    assert penalised < 0.5 * plain


def test_sparsity_on_a_node_that_is_not_in_the_design_is_one_sentence():
    errors, _ = preflight(autoencoder(sparsity_weight=0.1, sparsity_node="nope"))
    assert errors and "'nope'" in errors[0] and "not in the design" in errors[0]


def test_corruption_settings_are_checked():
    from backend.data import DataConfig, DatasetError

    with pytest.raises(DatasetError, match="unknown corruption 'blur'"):
        DataConfig.from_section({"name": "digits", "corruption": "blur"})
    with pytest.raises(DatasetError, match="from 0 to 1"):
        DataConfig.from_section({"name": "digits", "corruption": "masking",
                                 "corruption_level": 1.5})
    assert np.isfinite(DataConfig.from_section({"name": "digits"}).options["corruption_level"])
