"""The builder: branching designs, several inputs and outputs, and refusal of broken designs."""

from __future__ import annotations

import pytest
import torch

from backend.build import BuildError, build_model
from backend.graph import Connect, Edge, Rename
from backend.graph.naming import attribute_names
from backend.shapes import analyse
from backend.templates.builder import DesignBuilder


def residual() -> DesignBuilder:
    b = DesignBuilder("residual")
    x = b.add("Input", "x", after=None, shape=[3, 16, 16])
    stem = b.add("Conv2d", "stem", filters=8, kernel_size=3, padding="same")
    main = b.add("Conv2d", "conv_a", filters=16, kernel_size=3, stride=2, padding=1)
    main = b.add("BatchNorm2d", "bn_a")
    main = b.add("ReLU", "relu_a")
    main = b.add("Conv2d", "conv_b", filters=16, kernel_size=3, padding="same")
    short = b.add("Conv2d", "project", after=stem, row=1, filters=16, kernel_size=1, stride=2)
    b.add("Add", "add", after=[main, short])
    b.add("ReLU", "relu_out")
    b.add("GlobalAvgPool", "gap")
    b.add("Dense", "classes", units=5)
    assert x
    return b


def inception() -> DesignBuilder:
    b = DesignBuilder("inception")
    x = b.add("Input", "x", after=None, shape=[4, 12, 12])
    one = b.add("Conv2d", "b1x1", after=x, filters=3, kernel_size=1)
    three = b.add("Conv2d", "b3x3_reduce", after=x, row=1, filters=2, kernel_size=1)
    three = b.add("Conv2d", "b3x3", filters=5, kernel_size=3, padding=1)
    five = b.add("Conv2d", "b5x5", after=x, row=2, filters=2, kernel_size=5, padding="same")
    pool = b.add("MaxPool2d", "pool", after=x, row=3, kernel_size=3, stride=1, padding=1)
    pool = b.add("Conv2d", "pool_proj", filters=1, kernel_size=1)
    b.add("Concatenate", "concat", after=[one, three, five, pool])
    return b


def run(doc, *shapes):
    analysis = analyse(doc)
    assert analysis.ok, analysis.problems
    model = build_model(doc, analysis).eval()
    with torch.no_grad():
        out = model(*(torch.randn(2, *s) for s in shapes))
    return analysis, model, out


def test_residual_block_output_and_params_match_inference():
    b = residual()
    analysis, model, out = run(b.doc, (3, 16, 16))
    assert out.shape == (2, *analysis.shapes[b.last]) == (2, 5)
    assert analysis.total_params == sum(p.numel() for p in model.parameters())


def test_inception_concatenates_channels_in_wire_order():
    b = inception()
    analysis, model, out = run(b.doc, (4, 12, 12))
    assert analysis.shapes[b.last] == (3 + 5 + 2 + 1, 12, 12)
    assert out.shape == (2, 11, 12, 12)
    x = torch.randn(1, 4, 12, 12)
    first = model.b1x1(x)
    torch.testing.assert_close(model(x)[:, :3], first)


def test_several_inputs_and_outputs_in_document_order():
    b = DesignBuilder("two heads")
    img = b.add("Input", "image", after=None, shape=[1, 8, 8])
    flat = b.add("Flatten", "flat")
    meta = b.add("Input", "meta", after=None, row=1, shape=[3])
    joined = b.add("Concatenate", "join", after=[flat, meta])
    b.add("Dense", "label", after=joined, units=4)
    b.add("Dense", "score", after=joined, row=1, units=1)
    analysis, model, out = run(b.doc, (1, 8, 8), (3,))
    assert analysis.shapes[joined] == (67,)
    assert isinstance(out, tuple) and [o.shape for o in out] == [(2, 4), (2, 1)]
    assert model.input_ids == [img, meta]
    with pytest.raises(TypeError, match="2 inputs"):
        model(torch.zeros(2, 1, 8, 8))


def test_submodules_are_named_from_titles_and_safe():
    b = residual()
    b.doc.apply(Rename(list(b.doc.nodes)[1], "import os; stem!"))
    model = build_model(b.doc)
    names = attribute_names(b.doc)
    assert names[list(b.doc.nodes)[1]] == "import_os_stem"
    assert set(dict(model.named_children())) <= set(names.values())
    assert any(k.startswith("import_os_stem.") for k in model.state_dict())


def test_identity_and_input_only_paths_pass_values_through():
    b = DesignBuilder("skip")
    b.add("Input", "x", after=None, shape=[4])
    b.add("Identity", "same")
    _, model, out = run(b.doc, (4,))
    x = torch.randn(2, 4)
    torch.testing.assert_close(model(x), x)


def test_design_with_problems_raises_build_error_naming_the_fix():
    b = DesignBuilder("broken")
    b.add("Input", "x", after=None, shape=[1, 28, 28])
    b.add("Conv2d", "conv", filters=2, kernel_size=3)
    b.add("Dense", "fc1", units=3)
    with pytest.raises(BuildError, match="'fc1'.*Flatten"):
        build_model(b.doc)


def test_cycle_is_refused():
    b = residual()
    ids = list(b.doc.nodes)
    b.doc.apply(Connect(Edge(ids[-1], ids[2])))
    with pytest.raises(BuildError, match="cycle"):
        build_model(b.doc)


def test_empty_design_is_refused():
    b = DesignBuilder("empty")
    with pytest.raises(BuildError):
        build_model(b.doc)


def test_titles_that_collide_with_module_attributes_still_build():
    """A layer titled like an nn.Module attribute ('Parameters', 'input ids') gets a safe name."""
    from torch import nn

    clashing = sorted({n for n in dir(nn.Module) if not n.startswith("_") and n.islower()}
                      | {"input_ids", "output_ids", "node_attrs", "forward"})
    b = DesignBuilder("clashing titles")
    b.add("Input", "x", after=None, shape=[3])
    for name in clashing:
        b.add("Dense", name, units=3)
    model = build_model(b.doc)
    assert model(torch.zeros(2, 3)).shape == (2, 3)
    assert len(list(model.children())) == len(clashing)
