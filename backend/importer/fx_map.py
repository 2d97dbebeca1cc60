"""torch modules -> Netwright layer types and params (for the torch.fx import).

`map_module(module, node, metas)` returns a `Mapped` layer (or an `Alias`: the value passes
through unchanged) or raises `Unmapped` with what cannot be represented and what to do.
Only exact equivalents map: anything whose computation would differ is refused. Functions
and tensor methods are mapped in fx_calls.py; both use the measured shapes (trace.Meta).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.layers import get_spec


class Unmapped(Exception):
    """An op with no exact equivalent in the layer registry.

    `what` names the operation; `fix` says what to do instead (one clause each)."""

    def __init__(self, what: str, fix: str = ""):
        super().__init__(what)
        self.what = what
        self.fix = fix or ("replace it with a layer Netwright has, or leave that part out "
                           "and build it in the designer")


@dataclass
class Mapped:
    kind: str
    params: dict
    inputs: list = field(default_factory=list)  # fx nodes, in port order
    module: str | None = None  # the submodule whose tensors the layer takes


@dataclass
class Alias:
    """The node's value is its input's value (contiguous(), dropout with training=False...)."""

    node: object


def needs(kind: str, param: str | None = None, what: str = "") -> None:
    """Refuse when this version of Netwright lacks the layer (or the parameter) required."""
    spec = get_spec(kind)
    if spec is None or (param is not None and param not in {p.name for p in spec.params}):
        raise Unmapped(what or f"{kind}" + (f" with {param}" if param else ""),
                       f"this version of Netwright has no {kind}"
                       + (f" with {param}" if param else "") + " layer; leave it out")


def int_or_pair(value):
    value = tuple(value) if isinstance(value, tuple | list) else (value, value)
    return value[0] if value[0] == value[-1] else list(value)


def one(value):
    return value[0] if isinstance(value, tuple | list) else value


def sample(metas, node) -> tuple[int, ...]:
    """The per-sample shape of a tensor node (batch first), or Unmapped."""
    meta = metas.get(node)
    shape = meta.sample if meta is not None else None
    if shape is None:
        raise Unmapped(f"{getattr(node, 'name', node)} (not a batch-first tensor)",
                       "keep the batch as the first axis of every tensor")
    return shape


def conv_params(m, dims: int) -> dict:
    name = type(m).__name__
    if m.padding_mode != "zeros":
        raise Unmapped(f"nn.{name} with padding_mode={m.padding_mode!r}",
                       "use zero padding (the default)")
    size = int_or_pair if dims == 2 else one
    pad = m.padding if isinstance(m.padding, str) else size(m.padding)
    return {"filters": m.out_channels, "kernel_size": size(m.kernel_size),
            "stride": size(m.stride), "padding": pad, "dilation": size(m.dilation),
            "groups": m.groups, "bias": m.bias is not None}


def convt_params(m) -> dict:
    if m.padding_mode != "zeros":
        raise Unmapped(f"nn.ConvTranspose2d with padding_mode={m.padding_mode!r}",
                       "use zero padding (the default)")
    return {"filters": m.out_channels, "kernel_size": int_or_pair(m.kernel_size),
            "stride": int_or_pair(m.stride), "padding": int_or_pair(m.padding),
            "output_padding": int_or_pair(m.output_padding),
            "dilation": int_or_pair(m.dilation), "groups": m.groups,
            "bias": m.bias is not None}


def pool_params(kind: str, dims: int, kernel, stride, padding, *, ceil_mode=False,
                dilation=1, count_include_pad=True, divisor_override=None,
                return_indices=False) -> dict:
    """Params of a Max/AvgPool layer from torch's arguments (module or function)."""
    what = f"{kind} with"
    if return_indices:
        raise Unmapped(f"{what} return_indices=True", "pool without indices")
    if any(d != 1 for d in _seq(dilation)) or divisor_override:
        raise Unmapped(f"{what} dilation or divisor_override",
                       "use a plain pooling window")
    if not count_include_pad and any(_seq(padding)):
        raise Unmapped(f"{what} count_include_pad=False", "pad with count_include_pad=True")
    size = int_or_pair if dims == 2 else one
    params = {"kernel_size": size(kernel), "stride": size(stride or kernel),
              "padding": size(padding)}
    if ceil_mode:
        needs(kind, "ceil_mode", f"{kind} with ceil_mode=True")
        params["ceil_mode"] = True
    return params


def _seq(value):
    return value if isinstance(value, tuple | list) else (value,)


def adaptive_params(kind: str, dims: int, output_size, in_shape) -> Mapped | dict:
    """AdaptiveAvg/MaxPool params; None sizes mean 'keep the input size on that axis'."""
    sizes = list(_seq(output_size)) * (dims if not isinstance(output_size, tuple | list)
                                       else 1)
    sizes = [in_shape[1 + i] if s is None else s for i, s in enumerate(sizes[:dims])]
    needs(kind, None, f"nn.{kind}")
    return {"output_size": int_or_pair(sizes) if dims == 2 else sizes[0]}


def softmax_dim(dim, metas, node, src) -> int:
    """An explicit dim, or the one torch picks when none is given (refused if the batch)."""
    if dim is None:
        rank = len(sample(metas, src)) + 1
        dim = 0 if rank in (0, 1, 3) else 1
    if dim == 0 or (dim < 0 and len(sample(metas, src)) + 1 + dim == 0):
        rank = len(sample(metas, src)) + 1
        raise Unmapped(f"{node} over the batch axis (no dim given for a {rank}-D tensor)",
                       "pass dim=1 (or dim=-1)")
    return dim


def _batchnorm(m, metas, node):
    if m.momentum is None or not m.track_running_stats:
        raise Unmapped(f"nn.{type(m).__name__} without running statistics or with "
                       "momentum=None", "use the default momentum and running statistics")
    return {"eps": m.eps, "momentum": m.momentum, "affine": m.affine}


def _layernorm(m, metas, node):
    if m.elementwise_affine and getattr(m, "bias", True) is None:
        raise Unmapped("nn.LayerNorm with bias=False", "keep the bias")
    return {"dims": len(m.normalized_shape), "eps": m.eps, "affine": m.elementwise_affine}


def _embedding(m, metas, node):
    if m.max_norm is not None or m.scale_grad_by_freq:
        raise Unmapped("nn.Embedding with max_norm or scale_grad_by_freq",
                       "leave out max_norm and scale_grad_by_freq")
    return {"num_embeddings": m.num_embeddings, "embedding_dim": m.embedding_dim,
            "padding_idx": -1 if m.padding_idx is None else int(m.padding_idx)}


def _prelu(m, metas, node):
    count = m.num_parameters
    shape = sample(metas, node.args[0])
    if count != 1 and (not shape or shape[0] != count):
        raise Unmapped(f"nn.PReLU({count}) on (B, {', '.join(map(str, shape))})",
                       "use one slope, or one per channel (axis 1)")
    return {"per_channel": count != 1, "init_slope": float(getattr(m, "init", 0.25))}


def hardtanh_kind(low, high) -> str:
    """Hardtanh(0, 6) is ReLU6; other bounds have no layer."""
    if (low, high) != (0, 6):
        raise Unmapped(f"Hardtanh({low:g}, {high:g})", "use ReLU6 (bounds 0 and 6) or Tanh")
    return "ReLU6"


def _upsample(m, metas, node):
    factor = m.scale_factor
    factor = factor[0] if isinstance(factor, tuple) and len(set(factor)) == 1 else factor
    whole = isinstance(factor, int | float) and float(factor).is_integer()
    if m.size is not None or not whole or m.mode not in ("nearest", "bilinear") \
            or m.align_corners:
        raise Unmapped(f"nn.Upsample(size={m.size}, scale_factor={m.scale_factor}, "
                       f"mode={m.mode!r})", "use an integer scale_factor with mode "
                       "'nearest' or 'bilinear' (align_corners=False)")
    return {"scale_factor": int(factor), "mode": m.mode}


def _pool_module(kind, dims):
    def params(m, metas, node):
        return pool_params(kind, dims, m.kernel_size, m.stride, m.padding,
                           ceil_mode=m.ceil_mode, dilation=getattr(m, "dilation", 1),
                           count_include_pad=getattr(m, "count_include_pad", True),
                           divisor_override=getattr(m, "divisor_override", None),
                           return_indices=getattr(m, "return_indices", False))
    return params


def _adaptive_module(kind, dims):
    def params(m, metas, node):
        return adaptive_params(kind, dims, m.output_size, metas[node.args[0]].shapes[0])
    return params


def _softmax_module(m, metas, node):
    return {"dim": softmax_dim(m.dim, metas, f"nn.{type(m).__name__}", node.args[0])}


def _helper(kind):
    def params(m, metas, node):
        if kind == "Reshape":
            return {"shape": list(m.shape)}
        if kind == "GaussianNoise":
            return {"std": m.std}
        return {}
    return params


def _recurrent_helper(m, metas, node):
    kind = {"RNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU"}[type(m.rnn).__name__]
    return kind, {"units": m.rnn.hidden_size, "num_layers": m.rnn.num_layers,
                  "bidirectional": m.rnn.bidirectional, "dropout": m.rnn.dropout,
                  "return_sequences": m.sequences}


def _module_table():
    from torch import nn

    act = lambda **kw: (lambda m, metas, node: {k: f(m) for k, f in kw.items()})  # noqa: E731
    return {
        nn.Linear: ("Dense", lambda m, mt, n: {"units": m.out_features,
                                               "bias": m.bias is not None}),
        nn.Conv1d: ("Conv1d", lambda m, mt, n: conv_params(m, 1)),
        nn.Conv2d: ("Conv2d", lambda m, mt, n: conv_params(m, 2)),
        nn.ConvTranspose2d: ("ConvTranspose2d", lambda m, mt, n: convt_params(m)),
        nn.MaxPool1d: ("MaxPool1d", _pool_module("MaxPool1d", 1)),
        nn.MaxPool2d: ("MaxPool2d", _pool_module("MaxPool2d", 2)),
        nn.AvgPool1d: ("AvgPool1d", _pool_module("AvgPool1d", 1)),
        nn.AvgPool2d: ("AvgPool2d", _pool_module("AvgPool2d", 2)),
        nn.AdaptiveAvgPool1d: ("AdaptiveAvgPool1d", _adaptive_module("AdaptiveAvgPool1d", 1)),
        nn.AdaptiveAvgPool2d: ("AdaptiveAvgPool2d", _adaptive_module("AdaptiveAvgPool2d", 2)),
        nn.AdaptiveMaxPool1d: ("AdaptiveMaxPool1d", _adaptive_module("AdaptiveMaxPool1d", 1)),
        nn.AdaptiveMaxPool2d: ("AdaptiveMaxPool2d", _adaptive_module("AdaptiveMaxPool2d", 2)),
        nn.BatchNorm1d: ("BatchNorm1d", _batchnorm),
        nn.BatchNorm2d: ("BatchNorm2d", _batchnorm),
        nn.LayerNorm: ("LayerNorm", _layernorm),
        nn.Identity: ("Identity", act()),
        nn.Dropout: ("Dropout", act(p=lambda m: m.p)),
        nn.Dropout2d: ("Dropout2d", act(p=lambda m: m.p)),
        nn.ReLU: ("ReLU", act()),
        nn.Tanh: ("Tanh", act()),
        nn.Sigmoid: ("Sigmoid", act()),
        nn.SiLU: ("SiLU", act()),
        nn.ReLU6: ("ReLU6", act()),
        nn.Hardtanh: ("ReLU6", lambda m, mt, n: hardtanh_kind(m.min_val, m.max_val) and {}),
        nn.Hardswish: ("Hardswish", act()),
        nn.Hardsigmoid: ("Hardsigmoid", act()),
        nn.Mish: ("Mish", act()),
        nn.Softplus: ("Softplus", act(beta=lambda m: float(m.beta),
                                      threshold=lambda m: float(m.threshold))),
        nn.PReLU: ("PReLU", _prelu),
        nn.Embedding: ("Embedding", _embedding),
        nn.ELU: ("ELU", act(alpha=lambda m: m.alpha)),
        nn.LeakyReLU: ("LeakyReLU", act(negative_slope=lambda m: m.negative_slope)),
        nn.Softmax: ("Softmax", _softmax_module),
        nn.LogSoftmax: ("LogSoftmax", _softmax_module),
        nn.Upsample: ("UpSampling2d", _upsample),
        nn.LocalResponseNorm: ("LocalResponseNorm", act(
            size=lambda m: m.size, alpha=lambda m: m.alpha, beta=lambda m: m.beta,
            k=lambda m: m.k)),
    }


SHAPE_MODULES = ("Flatten", "Unflatten")  # pure reshapes: mapped from the measured shapes
HINTS = {
    "InstanceNorm2d": "use nn.BatchNorm2d",
    "GroupNorm": "use nn.BatchNorm2d or nn.LayerNorm",
    "MultiheadAttention": "build attention from layers Netwright has",
}


def known_module(module) -> bool:
    """Whether some layer (or a pattern of fx_recurrent / fx_calls) stands for the module."""
    from torch import nn

    from backend.importer.fx_recurrent import is_recurrent
    from backend.importer.trace import is_helper

    return (type(module) in _module_table() or is_helper(module) or is_recurrent(module)
            or isinstance(module, nn.GELU) or (type(module).__name__ in SHAPE_MODULES
                                               and type(module).__module__.startswith("torch")))


def map_module(module, node, metas) -> Mapped | Alias:
    """A call_module fx node -> a layer (its tensors come from `node.target`)."""
    from torch import nn

    from backend.importer.trace import is_helper

    name = type(module).__name__
    if is_helper(module):
        if name == "Recurrent":  # its tensors live in the torch module one level down
            kind, params = _recurrent_helper(module, metas, node)
            return Mapped(kind, params, [node.args[0]], f"{node.target}.rnn")
        return Mapped(name, _helper(name)(module, metas, node), [node.args[0]], node.target)
    if name == "GELU" and isinstance(module, nn.GELU):
        if module.approximate != "none":
            raise Unmapped("nn.GELU(approximate='tanh')", "use the exact GELU")
        return Mapped("GELU", {}, [node.args[0]], node.target)
    entry = _module_table().get(type(module))
    if entry is None:
        where = type(module).__module__
        label = f"nn.{name}" if where.startswith("torch.nn") else f"{where}.{name}"
        raise Unmapped(label, HINTS.get(name, ""))
    kind, params = entry
    return Mapped(kind, params(module, metas, node), [node.args[0]], node.target)
