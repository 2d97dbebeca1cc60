"""torch modules and functions -> Netwright layer types and params (for the torch.fx import).

`map_module(module)` and `map_call(node)` return `(layer type, params, inputs)` or raise
`Unmapped` with what cannot be represented, e.g. "nn.Conv2d with padding_mode='reflect'".
Only exact equivalents map: anything whose computation would differ is refused.
"""

from __future__ import annotations

import operator


class Unmapped(Exception):
    """An op with no exact equivalent in the layer registry; the message names it."""


def _int_or_pair(value):
    value = tuple(value) if isinstance(value, tuple | list) else (value, value)
    return value[0] if value[0] == value[-1] else list(value)


def _one(value):
    return value[0] if isinstance(value, tuple | list) else value


def _conv(m, dims):
    if m.padding_mode != "zeros":
        raise Unmapped(f"{type(m).__name__} with padding_mode={m.padding_mode!r}")
    pad = m.padding if isinstance(m.padding, str) else (
        _int_or_pair(m.padding) if dims == 2 else _one(m.padding))
    size = _int_or_pair if dims == 2 else _one
    return {"filters": m.out_channels, "kernel_size": size(m.kernel_size),
            "stride": size(m.stride), "padding": pad, "dilation": size(m.dilation),
            "groups": m.groups, "bias": m.bias is not None}


def _convt(m):
    if m.padding_mode != "zeros":
        raise Unmapped(f"ConvTranspose2d with padding_mode={m.padding_mode!r}")
    return {"filters": m.out_channels, "kernel_size": _int_or_pair(m.kernel_size),
            "stride": _int_or_pair(m.stride), "padding": _int_or_pair(m.padding),
            "output_padding": _int_or_pair(m.output_padding),
            "dilation": _int_or_pair(m.dilation), "groups": m.groups,
            "bias": m.bias is not None}


def _pool(m, dims):
    name = type(m).__name__
    if getattr(m, "ceil_mode", False) or getattr(m, "return_indices", False):
        raise Unmapped(f"{name} with ceil_mode or return_indices")
    if _one(getattr(m, "dilation", 1)) != 1 or getattr(m, "divisor_override", None):
        raise Unmapped(f"{name} with dilation or divisor_override")
    if getattr(m, "count_include_pad", True) is False:
        raise Unmapped(f"{name} with count_include_pad=False")
    size = _int_or_pair if dims == 2 else _one
    stride = m.stride if m.stride else m.kernel_size
    return {"kernel_size": size(m.kernel_size), "stride": size(stride),
            "padding": size(m.padding)}


def _batchnorm(m):
    if m.momentum is None or not m.track_running_stats:
        raise Unmapped(f"{type(m).__name__} without running statistics or momentum")
    return {"eps": m.eps, "momentum": m.momentum, "affine": m.affine}


def _layernorm(m):
    if m.elementwise_affine and getattr(m, "bias", True) is None:
        raise Unmapped("LayerNorm with bias=False")
    return {"dims": len(m.normalized_shape), "eps": m.eps, "affine": m.elementwise_affine}


def _flatten(m):
    if (m.start_dim, m.end_dim) != (1, -1):
        raise Unmapped(f"Flatten(start_dim={m.start_dim}, end_dim={m.end_dim})")
    return {}


def _upsample(m):
    factor = m.scale_factor
    factor = factor[0] if isinstance(factor, tuple) and len(set(factor)) == 1 else factor
    whole = isinstance(factor, int | float) and float(factor).is_integer()
    if m.size is not None or not whole or m.mode not in ("nearest", "bilinear") \
            or m.align_corners:
        raise Unmapped("Upsample other than an integer scale_factor with nearest/bilinear")
    return {"scale_factor": int(factor), "mode": m.mode}


def _softmax(m):
    if m.dim is None:
        raise Unmapped(f"{type(m).__name__} without dim")
    return {"dim": m.dim}


def _module_table():
    from torch import nn

    return {
        nn.Linear: ("Dense", lambda m: {"units": m.out_features, "bias": m.bias is not None}),
        nn.Conv1d: ("Conv1d", lambda m: _conv(m, 1)),
        nn.Conv2d: ("Conv2d", lambda m: _conv(m, 2)),
        nn.ConvTranspose2d: ("ConvTranspose2d", _convt),
        nn.MaxPool1d: ("MaxPool1d", lambda m: _pool(m, 1)),
        nn.MaxPool2d: ("MaxPool2d", lambda m: _pool(m, 2)),
        nn.AvgPool1d: ("AvgPool1d", lambda m: _pool(m, 1)),
        nn.AvgPool2d: ("AvgPool2d", lambda m: _pool(m, 2)),
        nn.BatchNorm1d: ("BatchNorm1d", _batchnorm),
        nn.BatchNorm2d: ("BatchNorm2d", _batchnorm),
        nn.LayerNorm: ("LayerNorm", _layernorm),
        nn.Flatten: ("Flatten", _flatten),
        nn.Identity: ("Identity", lambda m: {}),
        nn.Dropout: ("Dropout", lambda m: {"p": m.p}),
        nn.Dropout2d: ("Dropout2d", lambda m: {"p": m.p}),
        nn.ReLU: ("ReLU", lambda m: {}),
        nn.Tanh: ("Tanh", lambda m: {}),
        nn.Sigmoid: ("Sigmoid", lambda m: {}),
        nn.GELU: ("GELU", lambda m: {} if m.approximate == "none" else _raise("tanh GELU")),
        nn.SiLU: ("SiLU", lambda m: {}),
        nn.ELU: ("ELU", lambda m: {"alpha": m.alpha}),
        nn.LeakyReLU: ("LeakyReLU", lambda m: {"negative_slope": m.negative_slope}),
        nn.Softmax: ("Softmax", _softmax),
        nn.LogSoftmax: ("LogSoftmax", _softmax),
        nn.Upsample: ("UpSampling2d", _upsample),
        nn.LocalResponseNorm: ("LocalResponseNorm", lambda m: {
            "size": m.size, "alpha": m.alpha, "beta": m.beta, "k": m.k}),
    }


def _raise(what):
    raise Unmapped(what)


def map_module(module) -> tuple[str, dict]:
    entry = _module_table().get(type(module))
    if entry is None:
        raise Unmapped(f"module {type(module).__module__}.{type(module).__name__}")
    kind, params = entry
    return kind, params(module)


def _function_table():
    import torch
    import torch.nn.functional as F

    same = {torch.relu: "ReLU", F.relu: "ReLU", torch.tanh: "Tanh", F.tanh: "Tanh",
            torch.sigmoid: "Sigmoid", F.sigmoid: "Sigmoid", F.gelu: "GELU", F.silu: "SiLU",
            operator.add: "Add", torch.add: "Add", operator.mul: "Multiply",
            torch.mul: "Multiply"}
    return same, {F.softmax: "Softmax", F.log_softmax: "LogSoftmax",
                  torch.softmax: "Softmax", torch.log_softmax: "LogSoftmax"}


_METHODS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "add": "Add", "mul": "Multiply"}


def map_call(node) -> tuple[str, dict, list]:
    """A call_function / call_method fx node -> (layer type, params, input nodes)."""
    import torch
    from torch import fx

    target = node.target
    args, kwargs = list(node.args), dict(node.kwargs)
    if node.op == "call_method":
        target = _METHODS.get(target, target) if target != "flatten" else torch.flatten
        if isinstance(target, str) and target in _METHODS.values():
            return _simple(target, args, kwargs, node)
    simple, with_dim = _function_table()
    if target in simple:
        return _simple(simple[target], args, kwargs, node)
    if target in with_dim:
        dim = kwargs.pop("dim", args[1] if len(args) > 1 else None)
        kwargs.pop("_stacklevel", None)
        if dim is None or not isinstance(args[0], fx.Node) or set(kwargs) - {"dtype"} \
                or kwargs.get("dtype") is not None:
            raise Unmapped(f"{_name(node)} without an explicit dim")
        return with_dim[target], {"dim": dim}, [args[0]]
    if target is torch.cat:
        return _cat(node, args, kwargs)
    if target is torch.flatten:
        start = kwargs.get("start_dim", args[1] if len(args) > 1 else 0)
        end = kwargs.get("end_dim", args[2] if len(args) > 2 else -1)
        if (start, end) != (1, -1):
            raise Unmapped(f"flatten(start_dim={start}, end_dim={end}) (only 1..-1 maps)")
        return "Flatten", {}, [args[0]]
    raise Unmapped(_name(node))


def _simple(kind, args, kwargs, node):
    from torch import fx

    kwargs.pop("inplace", None)
    if kwargs or not args or not all(isinstance(a, fx.Node) for a in args):
        raise Unmapped(f"{_name(node)} with constants or keyword arguments")
    if kind in ("Add", "Multiply"):
        if len(args) < 2:
            raise Unmapped(f"{_name(node)} with one input")
        return kind, {}, args
    if len(args) != 1:
        raise Unmapped(f"{_name(node)} with extra arguments")
    return kind, {}, args


def _cat(node, args, kwargs):
    from torch import fx

    tensors = args[0]
    dim = kwargs.get("dim", args[1] if len(args) > 1 else 0)
    if not isinstance(tensors, list | tuple) or not all(isinstance(t, fx.Node) for t in tensors):
        raise Unmapped("torch.cat over something other than a list of tensors")
    if not isinstance(dim, int) or dim == 0:
        raise Unmapped("torch.cat along the batch axis")
    return "Concatenate", {"dim": dim}, list(tensors)


def _name(node) -> str:
    target = node.target
    if node.op == "call_method":
        return f"method .{target}()"
    module = (getattr(target, "__module__", None) or "").lstrip("_")
    return f"function {module}.{getattr(target, '__name__', target)}"
