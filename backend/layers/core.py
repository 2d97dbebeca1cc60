"""Core layers: Input, Dense, Flatten, Reshape, Identity, Embedding."""

from __future__ import annotations

from backend.layers._common import BIAS, INIT, apply_init, fmt, init_lines, numel
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, ParamError, ShapeError


def _input_shape(ins, p):
    return tuple(p["shape"])


def _input_check(p):
    if -1 in p["shape"]:
        raise ParamError(f"'shape' of an Input needs every size, not {p['shape']}: replace "
                         "the -1 with the real size (-1 is only for Reshape)")


register(LayerSpec(
    type="Input", category="input",
    description="Where data enters the network; its shape excludes the batch dimension.",
    params=(
        Param("shape", "shape", [1, 28, 28], "Size of one sample without the batch: "
              "[features], [time, features] or [channels, height, width]."),
        Param("dtype", "choice", "float32", "Element type: float32 for numbers, int64 for "
              "token or class indices.", choices=("float32", "int64")),
    ),
    inputs=(),
    shape_rule=_input_shape,
    check=_input_check,
    build=lambda p, s: None,
    code=lambda p, s: CodeForm(None, "{x}"),
))


def _dense_shape(ins, p):
    (shape,) = ins
    if not shape:
        raise ShapeError("Dense expects (B, features) but receives one number per sample (B): "
                         "insert a Reshape to [1] before it")
    if len(shape) == 2 and p["per_step"]:
        return (shape[0], p["units"])  # the same weights at every time step
    if len(shape) != 1:
        also = (" (or, for a sequence, turn on 'per time step')"
                if len(shape) == 2 else "")
        raise ShapeError(f"Dense expects (B, features) but receives {fmt(shape)}: "
                         f"insert a Flatten before it{also}")
    return (p["units"],)


def _dense_build(p, ins):
    from torch import nn

    m = nn.Linear(ins[0][-1], p["units"], bias=p["bias"])
    apply_init(m, p)
    return m


register(LayerSpec(
    type="Dense", category="core",
    description="Fully connected layer: every output is a weighted sum of all inputs (s = Wx + b).",
    params=(
        Param("units", "int", 64, "Number of output neurons.", min=1, max=1_000_000),
        BIAS, INIT,
        Param("per_step", "bool", False, "For a (time, features) input, e.g. a recurrent "
              "layer returning every step: apply the same weights at every time step, giving "
              "(time, units) — an output and a loss per step.", label="per time step"),
    ),
    shape_rule=_dense_shape,
    build=_dense_build,
    code=lambda p, s: CodeForm(f"nn.Linear({s[0][-1]}, {p['units']}"
                               + ("" if p["bias"] else ", bias=False") + ")",
                               post=init_lines(p)),
    param_count=lambda p, s: s[0][-1] * p["units"] + (p["units"] if p["bias"] else 0),
))


def _flatten_shape(ins, p):
    (shape,) = ins
    if len(shape) < 1:
        raise ShapeError("Flatten needs at least one dimension besides the batch")
    return (numel(shape),)


register(LayerSpec(
    type="Flatten", category="core",
    description="Unrolls each sample into one long vector, e.g. (C, H, W) -> C·H·W.",
    params=(),
    shape_rule=_flatten_shape,
    build=lambda p, s: __import__("torch").nn.Flatten(),
    code=lambda p, s: CodeForm("nn.Flatten()"),
))


def _reshape_shape(ins, p):
    (shape,) = ins
    target = list(p["shape"])
    total = numel(shape)
    if -1 in target:
        known = numel([d for d in target if d != -1])
        if total % known:
            raise ShapeError(f"Reshape cannot fit {total} values into {p['shape']}: "
                             f"choose sizes whose product divides {total}")
        target[target.index(-1)] = total // known
    if numel(target) != total:
        raise ShapeError(f"Reshape cannot turn {fmt(shape)} ({total} values) into "
                         f"{fmt(target)} ({numel(target)} values): make the sizes multiply "
                         f"to {total}")
    return tuple(target)


def _reshape_build(p, ins):
    from backend.layers.modules import Reshape

    return Reshape(_reshape_shape(ins, p))


register(LayerSpec(
    type="Reshape", category="core",
    description="Rearranges each sample into a new shape with the same number of values; "
                "[] leaves one number per sample, (B), like x.view(-1).",
    params=(Param("shape", "shape", [-1], "Target shape without the batch; one size may be "
                  "-1 to be inferred; [] for one number per sample (B).", empty=True),),
    shape_rule=_reshape_shape,
    build=_reshape_build,
    code=lambda p, s: CodeForm(f"Reshape({list(_reshape_shape(s, p))})", helpers=("Reshape",)),
))

register(LayerSpec(
    type="Identity", category="core",
    description="Passes its input through unchanged (a placeholder or a skip path).",
    params=(),
    shape_rule=lambda ins, p: ins[0],
    build=lambda p, s: __import__("torch").nn.Identity(),
    code=lambda p, s: CodeForm(None, "{x}"),
))



def _embedding_check(p):
    if p["padding_idx"] >= p["num_embeddings"]:
        raise ParamError(f"'padding_idx' {p['padding_idx']} is not a token of the vocabulary "
                         f"(0 to {p['num_embeddings'] - 1}): choose one of those, or -1 for "
                         "no padding token")


def _embedding_shape(ins, p):
    (shape,) = ins
    return (*shape, p["embedding_dim"])


def _embedding_args(p) -> list:
    args = [p["num_embeddings"], p["embedding_dim"]]
    if p["padding_idx"] >= 0:
        args.append(f"padding_idx={p['padding_idx']}")
    return args


def _embedding_build(p, ins):
    from torch import nn

    return nn.Embedding(p["num_embeddings"], p["embedding_dim"],
                        padding_idx=p["padding_idx"] if p["padding_idx"] >= 0 else None)


register(LayerSpec(
    type="Embedding", category="core",
    description="A learned vector per token: whole-number indices (int64) in, one "
                "embedding_dim vector per index out, e.g. (B, T) -> (B, T, 64).",
    params=(
        Param("num_embeddings", "int", 1000, "Size of the vocabulary: indices run from 0 to "
              "this minus 1.", min=1, max=10_000_000, label="vocabulary"),
        Param("embedding_dim", "int", 64, "Length of each token's vector.", min=1,
              max=1_000_000, label="dimensions"),
        Param("padding_idx", "int", -1, "A token whose vector stays zero and learns nothing "
              "(padding); -1 for none.", min=-1, max=10_000_000, label="padding index"),
    ),
    shape_rule=_embedding_shape,
    check=_embedding_check,
    build=_embedding_build,
    code=lambda p, s: CodeForm("nn.Embedding(" + ", ".join(
        str(a) for a in _embedding_args(p)) + ")"),
    param_count=lambda p, s: p["num_embeddings"] * p["embedding_dim"],
))
