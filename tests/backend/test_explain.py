"""The output-size arithmetic shown on hover: the course formula with the actual numbers."""

from __future__ import annotations

import random
import re

import pytest
from layer_cases import random_case
from test_layers_contract import layer_doc

from backend.explain import explain_shape
from backend.layers import get_spec
from backend.shapes import analyse
from backend.templates import make_template
from backend.templates.builder import DesignBuilder


def by_title(doc, title: str) -> str:
    return next(nid for nid, n in doc.nodes.items() if n.title == title)


def lenet_explanations() -> dict[str, str | None]:
    doc = make_template("lenet5")
    analysis = analyse(doc)
    return {n.title: explain_shape(doc, analysis, nid) for nid, n in doc.nodes.items()}


def test_lenet_conv_pool_dense_flatten_lines():
    text = lenet_explanations()
    assert "height: ⌊(32 + 2·0 − 5) / 1⌋ + 1 = 28" in text["c1"]
    assert "width: ⌊(32 + 2·0 − 5) / 1⌋ + 1 = 28" in text["c1"]
    assert "parameters: 5·5·1·6 weights + 6 biases = 156" in text["c1"]
    assert "height: ⌊(28 + 2·0 − 2) / 2⌋ + 1 = 14" in text["s2"]
    assert "stride = window size" in text["s2"]
    assert text["flatten"] == "Flatten: 16·5·5 = 400 values per sample"
    assert text["c5"] == "Dense: 400 inputs · 120 units = 48,000 weights + 120 biases " \
                         "= 48,120 parameters"
    assert text["tanh1"] is None and text["image"] is None


def test_impossible_kernel_still_shows_the_arithmetic():
    doc = layer_doc("Conv2d", {"kernel_size": 7, "filters": 2}, [(1, 5, 9)])
    analysis = analyse(doc)
    assert not analysis.ok
    text = explain_shape(doc, analysis, "layer")
    assert "height: ⌊(5 + 2·0 − 7) / 1⌋ + 1 = −1" in text and "too small" in text
    assert "width: ⌊(9 + 2·0 − 7) / 1⌋ + 1 = 3" in text


def test_dilation_same_padding_transpose_and_concatenate():
    b = DesignBuilder("misc")
    x = b.add("Input", "x", after=None, shape=[4, 10, 10])
    dil = b.add("Conv2d", "dil", filters=3, kernel_size=3, dilation=2)
    same = b.add("Conv2d", "same", after=x, filters=5, kernel_size=3, padding="same")
    up = b.add("ConvTranspose2d", "up", after=x, filters=2, kernel_size=3, stride=2, padding=1)
    cat = b.add("Concatenate", "cat", after=[same, x])
    analysis = analyse(b.doc)
    assert analysis.ok, analysis.problems
    text = {nid: explain_shape(b.doc, analysis, nid) for nid in (dil, same, up, cat)}
    assert "⌊(10 + 2·0 − 5) / 1⌋ + 1 = 6" in text[dil] and "2·(3 − 1) + 1 = 5" in text[dil]
    assert "'same' padding keeps 10" in text[same]
    assert "height: (10 − 1)·2 − 2·1 + 3 + 0 = 19" in text[up]
    assert text[cat] == "Concatenate channels: 5 + 4 = 9"


def test_unknown_node_or_unknown_inputs_give_none():
    doc = make_template("lenet5")
    analysis = analyse(doc)
    assert explain_shape(doc, analysis, "no-such-node") is None
    doc.nodes[by_title(doc, "c1")].params["filters"] = "many"
    analysis = analyse(doc)
    assert explain_shape(doc, analysis, by_title(doc, "c3")) is None


WINDOWED = ["Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d",
            "AvgPool2d"]


@pytest.mark.parametrize("kind", WINDOWED)
def test_explained_sizes_equal_inferred_shapes(kind):
    """Whatever the params, the number after '=' on each axis line is the inferred size."""
    spec = get_spec(kind)
    rng = random.Random(kind)
    checked = 0
    for _ in range(150):
        params, shapes = random_case(spec, rng)
        doc = layer_doc(kind, params, shapes)
        analysis = analyse(doc)
        if not analysis.ok:
            continue
        text = explain_shape(doc, analysis, "layer")
        sizes = [int(m) for m in re.findall(r"^(?:height|width|length): .*?(?:= |keeps )(\d+)",
                                            text, flags=re.M)]
        assert tuple(sizes) == analysis.shapes["layer"][1:], text
        checked += 1
    assert checked > 50


def test_ceil_mode_pooling_rounds_up_and_adaptive_pooling_names_its_sizes():
    doc = layer_doc("MaxPool2d", {"kernel_size": 3, "stride": 2, "ceil_mode": True},
                    [(96, 54, 55)])
    analysis = analyse(doc)
    text = explain_shape(doc, analysis, "layer")
    assert "height: ⌈(54 + 2·0 − 3) / 2⌉ + 1 = 27" in text  # floor would give 26
    assert "width: ⌈(55 + 2·0 − 3) / 2⌉ + 1 = 27" in text
    doc = layer_doc("MaxPool1d", {"kernel_size": 2, "stride": 2, "padding": 1,
                                  "ceil_mode": True}, [(1, 5)])
    text = explain_shape(doc, analyse(doc), "layer")
    assert "− 1 (the last window would start in the padding) = 3" in text
    doc = layer_doc("AdaptiveAvgPool2d", {"output_size": [6, 6]}, [(256, 13, 13)])
    text = explain_shape(doc, analyse(doc), "layer")
    assert "height 13 → 6, width 13 → 6" in text and "any input size" in text
