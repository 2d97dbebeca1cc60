"""Bundled datasets: shapes, seeded splits, normalisation, and the design/dataset fit check."""

import subprocess
import sys

import numpy as np
import pytest

from backend.data import (
    DataConfig,
    DatasetError,
    fit_problems,
    fit_report,
    load_dataset,
    make_splits,
    one_hot,
    source_names,
)
from backend.templates import TEMPLATES, make_template
from backend.templates.builder import DesignBuilder
from backend.templates.defaults import infer_sections


def test_the_dataset_list_keeps_its_order_whatever_was_imported_first():
    listed = "from backend.data import source_names; print(','.join(source_names()))"
    first_files = "import backend.data.graphs, backend.data.images, backend.data.files; " + listed
    orders = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.strip() for code in (listed, first_files)}
    assert len(orders) == 1, orders
    names = orders.pop().split(",")
    assert names[0] == "digits" and names.index("csv") > names.index("sine")


@pytest.mark.parametrize("name", ["digits", "iris", "wine", "breast_cancer", "diabetes",
                                  "moons", "circles", "spirals", "xor", "sine"])
def test_every_bundled_dataset_matches_its_description(name):
    data = load_dataset({"name": name})
    assert name in source_names()
    assert data.x.dtype == np.float32
    assert data.x.shape[1:] == data.info.input_shape
    if data.info.task == "classification":
        assert data.y.dtype == np.int64
        assert set(np.unique(data.y)) == set(range(data.info.num_classes))
        assert len(data.info.class_names) == data.info.num_classes
    else:
        assert data.y.shape[1:] == data.info.target_shape


def test_digits_resize_channels_and_flatten_give_the_shapes_cnns_need():
    assert load_dataset({"name": "digits", "resize": 32}).x.shape == (1797, 1, 32, 32)
    assert load_dataset({"name": "digits", "resize": 28, "channels": 3}).x.shape == (
        1797, 3, 28, 28)
    assert load_dataset({"name": "digits", "flatten": True}).info.input_shape == (64,)


def test_noise_setting_changes_the_2d_sets_and_the_seed_repeats_them():
    calm = load_dataset({"name": "moons", "noise": 0.0, "samples": 200})
    noisy = load_dataset({"name": "moons", "noise": 0.3, "samples": 200})
    again = load_dataset({"name": "moons", "noise": 0.3, "samples": 200})
    assert not np.allclose(calm.x, noisy.x)
    assert np.array_equal(noisy.x, again.x)


def test_splits_are_seeded_disjoint_and_normalised_on_the_training_split():
    data = load_dataset({"name": "wine"})
    a = make_splits(data, 0.2, 0.1, seed=3)
    b = make_splits(data, 0.2, 0.1, seed=3)
    c = make_splits(data, 0.2, 0.1, seed=4)
    assert np.array_equal(a.val.x, b.val.x) and not np.array_equal(a.val.x, c.val.x)
    assert len(a.train) + len(a.val) + len(a.test) == len(data)
    assert len(a.val) == round(0.2 * len(data)) and len(a.test) == round(0.1 * len(data))
    rows = {r.tobytes() for r in a.train.x}
    assert not any(r.tobytes() in rows for r in a.val.x)
    assert np.allclose(a.train.x.mean(axis=0), 0, atol=1e-5)
    assert np.allclose(a.train.x.std(axis=0), 1, atol=1e-3)
    mm = make_splits(data, 0.2, 0.1, seed=3, normalise="minmax")
    assert mm.train.x.min() == 0 and mm.train.x.max() == pytest.approx(1)


def test_one_hot_labels():
    assert one_hot(np.array([2, 0]), 3).tolist() == [[0, 0, 1], [1, 0, 0]]


@pytest.mark.parametrize("section, words", [
    ({"name": "mnist-ish"}, ["unknown dataset", "digits", "moons"]),
    ({"name": "digits", "size": 32}, ["no setting 'size'", "resize"]),
    ({"name": "moons", "noise": "lots"}, ["'noise'", "float"]),
    ({"name": "digits", "normalise": "zscore"}, ["standard", "minmax"]),
    ({"name": "digits", "labels": "ordinal"}, ["index", "onehot"]),
])
def test_bad_dataset_settings_are_one_sentence_naming_what_is_allowed(section, words):
    with pytest.raises(DatasetError) as err:
        DataConfig.from_section(section).load()
    assert "\n" not in str(err.value)
    for word in words:
        assert word in str(err.value)


def test_an_input_shape_mismatch_says_how_to_fix_it():
    doc = make_template("lenet5")
    config = DataConfig.from_section({"name": "digits"})
    problems = fit_problems(doc, config, config.load().info, "classification", "cross_entropy")
    assert problems == ["Input 'image' has shape (1, 32, 32) but dataset 'digits' gives "
                        "(1, 8, 8): set the Input shape to [1, 8, 8] or set the dataset's "
                        "resize to 32"]


def _iris_net(units):
    b = DesignBuilder("iris")
    b.add("Input", "x", after=None, shape=[4])
    b.add("Dense", "out", units=units)
    return b.doc


def test_too_few_output_units_name_the_output_layer_and_the_units():
    config = DataConfig.from_section({"name": "iris"})
    (problem,) = fit_problems(_iris_net(2), config, config.load().info, "classification",
                              "cross_entropy")
    assert "'out' gives (2,)" in problem and "3 classes" in problem
    assert problem.endswith("set its units to 3")


def test_spare_output_units_train_but_are_reported():
    config = DataConfig.from_section({"name": "iris"})
    errors, warnings = fit_report(_iris_net(5), config, config.load().info, "classification",
                                  "cross_entropy")
    assert errors == [] and "set its units to 3" in warnings[0]


@pytest.mark.parametrize("name", list(TEMPLATES))
def test_every_template_comes_with_settings_that_fit_its_dataset(name):
    from backend.training import preflight  # the task's recipe checks the design

    assert preflight(make_template(name))[0] == []


def _chain(shape, *layers):
    b = DesignBuilder("x")
    b.add("Input", "x", after=None, shape=shape)
    for kind, params in layers:
        b.add(kind, kind.lower(), **params)
    return b.doc


@pytest.mark.parametrize("doc, dataset, task", [
    (_chain([2], ("Dense", {"units": 8}), ("Dense", {"units": 4})), "spirals", "classification"),
    (_chain([2], ("Dense", {"units": 1})), "moons", "classification"),
    (_chain([13], ("Dense", {"units": 3})), "wine", "classification"),
    (_chain([10], ("Dense", {"units": 1})), "diabetes", "regression"),
    (_chain([16, 1], ("LSTM", {"units": 4}), ("Dense", {"units": 1})), "sine", "sequence"),
    (_chain([3, 32, 32], ("Conv2d", {"filters": 4, "kernel_size": 3}),
            ("GlobalAvgPool", {}), ("Dense", {"units": 10})), "digits", "classification"),
    (_chain([1, 8, 8], ("Flatten", {}), ("Dense", {"units": 64}), ("Sigmoid", {}),
            ("Reshape", {"shape": [1, 8, 8]})), "digits", "autoencoding"),
])
def test_templates_without_explicit_defaults_get_settings_inferred_from_their_shapes(
        doc, dataset, task):
    section, training = infer_sections(doc)
    assert section["name"] == dataset and training["task"] == task
    config = DataConfig.from_section(section)
    splits = make_splits(config.load()).with_task(task)
    assert fit_problems(doc, config, splits.info, task, training["loss"]) == []


def test_loss_and_output_mistakes_are_named():
    config = DataConfig.from_section({"name": "iris"})
    info = config.info()
    doc = _chain([4], ("Dense", {"units": 3}), ("Softmax", {}))
    errors, warnings = fit_report(doc, config, info, "classification", "cross_entropy")
    assert errors == [] and "remove the Softmax layer" in warnings[0]
    errors, warnings = fit_report(_iris_net(3), config, info, "classification",
                                  "bce_with_logits")
    assert "use cross_entropy" in warnings[0]
    sine = DataConfig.from_section({"name": "sine", "window": 8})
    errors, _ = fit_report(_chain([8, 1], ("Flatten", {}), ("Dense", {"units": 1})), sine,
                           sine.info(), "sequence", "cross_entropy")
    assert errors == ["the loss 'cross_entropy' needs class labels but the task is sequence: "
                      "choose mse, mae or huber"]
