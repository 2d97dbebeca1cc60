"""Teaching warnings on the design: Dense layers stacked without an activation collapse."""

from __future__ import annotations

import pytest

from backend.shapes import analyse
from backend.templates import TEMPLATES, make_template
from backend.templates.builder import DesignBuilder


def chain(*kinds):
    b = DesignBuilder("chain")
    b.add("Input", "x", after=None, shape=[8])
    for i, kind in enumerate(kinds):
        b.add(kind, f"{kind.lower()}{i}", **({"units": 4} if kind == "Dense" else {}))
    return b.doc


def warnings(doc):
    return [p for p in analyse(doc).problems if p.severity == "warning"]


def test_stacked_dense_layers_are_a_warning_naming_both():
    doc = chain("Dense", "Dense")
    found = warnings(doc)
    assert len(found) == 1 and found[0].node == "dense1_1"
    assert found[0].message.startswith("Dense 'dense1' follows Dense 'dense0' with no "
                                       "activation between them: two linear layers collapse")
    assert "Insert an activation (e.g. ReLU)" in found[0].message
    assert analyse(doc).ok  # it still builds and trains


def test_the_fix_inserts_a_relu_and_the_warning_goes():
    doc = chain("Dense", "Dense")
    (found,) = warnings(doc)
    assert found.fix.label == "Insert a ReLU before 'dense1'"
    undo = doc.apply(found.fix.make_op(doc))
    relu = next(n for n in doc.nodes.values() if n.type == "ReLU")
    assert [e.dst for e in doc.edges if e.src == "dense0_1"] == [relu.id]
    assert warnings(doc) == []
    doc.apply(undo)
    assert len(warnings(doc)) == 1


def test_linear_layers_in_between_do_not_hide_it():
    found = warnings(chain("Dense", "Dropout", "Identity", "Dense"))
    assert len(found) == 1
    assert "(through Dropout 'dropout1', Identity 'identity2')" in found[0].message


@pytest.mark.parametrize("middle", ["ReLU", "Tanh", "Step", "BatchNorm1d"])
def test_an_activation_or_normalisation_breaks_the_chain(middle):
    assert warnings(chain("Dense", middle, "Dense")) == []


def test_no_template_warns():
    for name in TEMPLATES:
        assert warnings(make_template(name)) == [], name
