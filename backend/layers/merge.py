"""Merge layers: Add and Multiply (broadcasting as torch does) and Concatenate (one axis).

Merges take any number (at least two) of wires on their single `in` port; the order of the
wires is the order they were connected, which is also the order of concatenation.
"""

from __future__ import annotations

from backend.layers._common import fmt
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, Port, ShapeError

MULTI = (Port("in", multi=True, min_wires=2),)


def broadcast(kind: str, shapes: list) -> tuple[int, ...]:
    """The shape torch's broadcasting gives, or ShapeError with the fix.

    Each axis must be equal or 1 in every input (a 1 stretches to the others' size), so
    (B, C, H, W) × (B, C, 1, 1) is (B, C, H, W), as in squeeze-and-excitation. Inputs must have
    the same rank: torch would line a shorter shape up from the right, putting the batch axis
    against a feature axis, which only ever works by accident of the batch size."""
    first = shapes[0]
    for other in shapes[1:]:
        if len(other) != len(first):
            short = min(first, other, key=len)
            target = (*short, *(1,) * abs(len(first) - len(other)))
            raise ShapeError(f"{kind} needs inputs with the same number of axes but receives "
                             f"{fmt(first)} and {fmt(other)}: insert a Reshape to "
                             f"{list(target)} on the shorter input so its axes line up")
    out = []
    for axis, sizes in enumerate(zip(*shapes, strict=True), start=1):
        big = [n for n in sizes if n != 1]
        if len(set(big)) > 1:
            i = sizes.index(big[0])
            j = next(k for k, n in enumerate(sizes) if n not in (1, big[0]))
            raise ShapeError(f"{kind} cannot broadcast {fmt(shapes[i])} with {fmt(shapes[j])}: "
                             f"axis {axis} is {sizes[i]} in one and {sizes[j]} in the other "
                             "(sizes must be equal or 1); make the branches produce the same "
                             "size, e.g. a 1×1 Conv2d or a Dense on one branch")
        out.append(max(sizes))
    return tuple(out)


def _broadcast_rule(kind):
    return lambda ins, p: broadcast(kind, ins)


def _elementwise(kind, op, description):
    register(LayerSpec(
        type=kind, category="merge", description=description, params=(), inputs=MULTI,
        shape_rule=_broadcast_rule(kind),
        build=lambda p, s: _merge_module(kind, p),
        code=lambda p, s: CodeForm(None, op),
    ))


def _merge_module(kind, p):
    from backend.layers import merge_modules

    return merge_modules.make(kind, p)


_elementwise("Add", "{sum}", "Adds its inputs elementwise (ResNet's skip connection); an "
            "axis of size 1 stretches to match the others.")
_elementwise("Multiply", "{prod}", "Multiplies its inputs elementwise (gating); (C, 1, 1) "
            "weights scale every map of a (C, H, W) input, as in squeeze-and-excitation.")


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
