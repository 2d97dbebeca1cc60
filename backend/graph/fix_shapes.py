"""Shape fixes: edits tried against the layer's own shape rule before they are offered.

For a layer that cannot take the shape it receives, the candidates are, in order: change one
of its own parameters (stride 1, padding 'same', a kernel that fits, pooling padding, groups,
the softmax axis...), then splice a Flatten or a Reshape into its input wire (a Dense after a
feature map; a convolution or a recurrent layer given the wrong number of axes), or, for two
branches of different sizes meeting in an Add, a projection of one onto the other.
The first candidate under which the shape rule succeeds with a non-empty output is the fix.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from backend.graph.document import GraphDocument
from backend.graph.ops import SetParams
from backend.graph.problems import Fix
from backend.graph.splice import insert_before, insert_on_wire
from backend.layers import LayerSpec, get_spec, validate_params

Candidate = tuple[str, object, list, dict]  # label, op or op-maker, trial inputs, trial params


def shape_fix(doc: GraphDocument, analysis, nid: str) -> Fix | None:
    """The first edit that lets node `nid` compute its output shape, or None."""
    node = doc.nodes[nid]
    spec = get_spec(node.type)
    ins, params = analysis.in_shapes.get(nid), analysis.params.get(nid)
    if spec is None or ins is None or params is None:
        return None
    for label, op, trial_ins, trial_params in _candidates(doc, nid, spec, params, ins):
        if _works(spec, trial_ins, trial_params):
            return Fix(label, op)
    return None


def _works(spec: LayerSpec, ins: list, params: dict) -> bool:
    try:
        out = spec.shape_rule([tuple(s) for s in ins], validate_params(spec, params))
    except Exception:
        return False
    return all(d >= 1 for d in out)


def _name(doc: GraphDocument, nid: str) -> str:
    return f"'{' '.join(str(doc.nodes[nid].title).split()) or nid}'"


def _candidates(doc, nid, spec, params, ins) -> Iterator[Candidate]:
    yield from _param_changes(doc, nid, spec, params, ins)
    if len(ins) == 1:
        yield from _inserts(doc, nid, spec, params, tuple(ins[0]))
    if len(ins) == 2 and spec.type in ("Add", "Multiply"):
        yield from _projections(doc, nid, params, [tuple(s) for s in ins])


def _projections(doc, nid, params, ins) -> Iterator[Candidate]:
    """Two branches of different sizes into Add: project one onto the other's size, as a
    ResNet shortcut does (a 1×1 Conv2d, strided when the maps are larger; a Dense for
    vectors)."""
    wires = [e for e in doc.edges if e.dst == nid and e.src in doc.nodes]
    if len(wires) != 2:
        return
    for k in (0, 1):
        small, big = ins[k], ins[1 - k]
        made = _projection(small, big)
        if made is None:
            continue
        kind, extra, label = made
        wire = wires[k]
        trial = list(ins)
        trial[k] = (small[0], 1, 1) if kind == "Reshape" else big
        yield (f"Insert {label} on the wire from {_name(doc, wire.src)}",
               _wire_inserter(wire, kind, extra), trial, params)


def _projection(src: tuple, want: tuple):
    """(layer type, params, words) turning a `src` tensor into a `want` one, or None."""
    if len(src) == 1 and len(want) == 3 and src[0] in (want[0], 1):  # channel weights
        shape = [src[0], 1, 1]
        return "Reshape", {"shape": shape}, f"a Reshape to ({src[0]}, 1, 1)"
    if len(src) == len(want) == 1 and src[0] < want[0]:
        return "Dense", {"units": want[0]}, f"a Dense ({want[0]} units)"
    if len(src) != 3 or len(want) != 3 or src == want:
        return None
    stride = src[1] // want[1] if want[1] else 0
    if stride < 1 or src[1] != stride * want[1] or src[2] != stride * want[2]:
        return None
    if stride == 1 and src[0] >= want[0]:
        return None  # project the narrower branch up, not the wider one down
    params = {"filters": want[0], "kernel_size": 1, "stride": stride, "bias": False}
    words = f"a 1×1 Conv2d ({want[0]} filters{', stride ' + str(stride) if stride > 1 else ''})"
    return "Conv2d", params, words


def _wire_inserter(wire, layer_type: str, params: dict):
    return lambda d: insert_on_wire(d, wire, layer_type, params)[0]


def _inserts(doc, nid, spec, params, shape) -> Iterator[Candidate]:
    name = _name(doc, nid)
    if len(shape) > 1:
        yield (f"Insert Flatten before {name}", _inserter(nid, "Flatten", None),
               [(math.prod(shape),)], params)
    for target in _reshapes(shape, spec.category == "recurrent"):
        text = ", ".join(str(d) for d in target)
        yield (f"Insert Reshape to ({text}) before {name}",
               _inserter(nid, "Reshape", {"shape": list(target)}), [target], params)


def _inserter(nid: str, layer_type: str, params: dict | None):
    return lambda d: insert_before(d, nid, layer_type, params)


def _reshapes(shape: tuple, sequence: bool) -> list[tuple]:
    """Shapes worth trying: a channel axis in front; for a sequence layer, (time, features)."""
    out = []
    if sequence and len(shape) == 1:
        out.append((shape[0], 1))  # one value per time step
    if sequence and len(shape) == 3:
        out.append((shape[1], shape[0] * shape[2]))  # image rows as time steps
    out.append((1, *shape))
    side = math.isqrt(shape[0]) if len(shape) == 1 else 0
    if side > 1 and side * side == shape[0]:
        out.append((1, side, side))  # a flat square image back into a map
    return out


def _param_changes(doc, nid, spec, params, ins) -> Iterator[Candidate]:
    names = {p.name for p in spec.params}
    rank = len(ins[0]) if ins else 0
    kernel = params.get("kernel_size")
    trials = [("stride", 1), ("padding", "same")]
    if isinstance(kernel, int | list):
        first = kernel if isinstance(kernel, int) else max(kernel)
        trials += [("kernel_size", k) for k in range(first - 1, 0, -1)]
        if "padding" in names and spec.param("padding").kind == "size":
            trials.append(("padding", first // 2))
    trials += [("groups", 1), ("dim", 1), ("dim", -1), ("dims", rank),
               ("output_padding", 0), ("padding", 0)]
    for pname, value in trials:
        if pname not in names or params.get(pname) == value:
            continue
        label = f"Set {spec.param(pname).display} to {_text(value)}"
        yield (label, _setter(nid, pname, value), ins, {**params, pname: value})


def _setter(nid: str, name: str, value):
    return lambda d: SetParams(nid, {**d.nodes[nid].params, name: value})


def _text(value) -> str:
    return f"'{value}'" if isinstance(value, str) else str(value)
