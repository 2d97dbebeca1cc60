"""Merge layers: Add, Multiply (same shapes) and Concatenate (along one axis).

Merges take any number (at least two) of wires on their single `in` port; the order of the
wires is the order they were connected, which is also the order of concatenation.
"""

from __future__ import annotations

from backend.layers._common import fmt
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, Port, ShapeError

MULTI = (Port("in", multi=True, min_wires=2),)


def _same_shapes(kind):
    def rule(ins, p):
        first = ins[0]
        for other in ins[1:]:
            if other != first:
                raise ShapeError(f"{kind} needs equal shapes but receives {fmt(first)} and "
                                 f"{fmt(other)}: make both branches produce the same shape "
                                 "(e.g. a 1×1 Conv2d or Dense on the shortcut)")
        return first
    return rule


def _elementwise(kind, op, description):
    register(LayerSpec(
        type=kind, category="merge", description=description, params=(), inputs=MULTI,
        shape_rule=_same_shapes(kind),
        build=lambda p, s: _merge_module(kind, p),
        code=lambda p, s: CodeForm(None, op),
    ))


def _merge_module(kind, p):
    from backend.layers import merge_modules

    return merge_modules.make(kind, p)


_elementwise("Add", "{sum}", "Adds its inputs elementwise (ResNet's skip connection).")
_elementwise("Multiply", "{prod}", "Multiplies its inputs elementwise (gating).")


def _cat_shape(ins, p):
    rank = len(ins[0]) + 1
    dim = p["dim"] if p["dim"] >= 0 else rank + p["dim"]
    if not 1 <= dim < rank:
        raise ShapeError(f"Concatenate dim {p['dim']} does not exist in {fmt(ins[0])}: use a "
                         f"dim from 1 to {rank - 1}")
    axis = dim - 1
    for other in ins[1:]:
        if len(other) != len(ins[0]) or any(
                a != b for i, (a, b) in enumerate(zip(ins[0], other, strict=True)) if i != axis):
            raise ShapeError(f"Concatenate along dim {dim} needs all other sizes equal but "
                             f"receives {fmt(ins[0])} and {fmt(other)}: pad or pool the "
                             "branches to the same size")
    out = list(ins[0])
    out[axis] = sum(s[axis] for s in ins)
    return tuple(out)


register(LayerSpec(
    type="Concatenate", category="merge",
    description="Stacks its inputs along one axis (channels for Inception and DenseNet).",
    params=(Param("dim", "int", 1, "Axis to join along, counting the batch as 0 "
                  "(1 = channels or features).", min=-6, max=6),),
    inputs=MULTI, shape_rule=_cat_shape,
    build=lambda p, s: _merge_module("Concatenate", p),
    code=lambda p, s: CodeForm(None, "torch.cat([{xs}], dim=" + str(p["dim"]) + ")"),
))
