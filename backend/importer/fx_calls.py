"""torch functions and tensor methods -> Netwright layers (for the torch.fx import).

`map_call(node, metas)` handles call_function / call_method fx nodes: activations and their
functional twins (`F.relu`, `torch.sigmoid`, `x.relu()`), pooling (`F.max_pool2d`...),
dropout, merges (`+`, `*`, `torch.cat`), reshapes (`view`, `reshape`, `flatten`, `squeeze`;
mapped from the measured shapes, so `x.view(-1, 16 * 5 * 5)` becomes a Flatten), global
pooling written as `x.mean((2, 3))`, and no-ops (`contiguous()`). Arguments that are sizes
computed in forward (`x.size()[2:]`) are taken from the measured values.
"""

from __future__ import annotations

import operator

from backend.importer.fx_map import (
    Alias,
    Mapped,
    Unmapped,
    adaptive_params,
    hardtanh_kind,
    pool_params,
    sample,
    softmax_dim,
)

# positional parameter names of the functions whose arguments we read
_POOL_ARGS = ("input", "kernel_size", "stride", "padding", "dilation", "ceil_mode",
              "return_indices")
_AVG_ARGS = ("input", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad",
             "divisor_override")
_SIMPLE_METHODS = {"relu": "ReLU", "relu_": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh",
                   "sigmoid_": "Sigmoid", "tanh_": "Tanh"}
_RESHAPES = {"view", "reshape", "flatten", "squeeze", "unsqueeze", "view_as", "reshape_as"}
_NOOPS = {"contiguous", "clone", "float", "to", "type_as", "cpu", "cuda", "long", "int"}
_MERGES = {"add": "Add", "add_": "Add", "mul": "Multiply", "mul_": "Multiply",
           "__add__": "Add", "__mul__": "Multiply"}


def _tables():
    import torch
    import torch.nn.functional as F

    simple = {torch.relu: "ReLU", F.relu: "ReLU", torch.relu_: "ReLU", F.relu_: "ReLU",
              torch.tanh: "Tanh", F.tanh: "Tanh", torch.sigmoid: "Sigmoid",
              F.sigmoid: "Sigmoid", F.silu: "SiLU", F.relu6: "ReLU6", F.hardswish: "Hardswish",
              F.hardsigmoid: "Hardsigmoid", F.mish: "Mish"}
    merges = {operator.add: "Add", operator.iadd: "Add", torch.add: "Add",
              operator.mul: "Multiply", operator.imul: "Multiply", torch.mul: "Multiply"}
    softmax = {F.softmax: "Softmax", F.log_softmax: "LogSoftmax", torch.softmax: "Softmax",
               torch.log_softmax: "LogSoftmax", "softmax": "Softmax",
               "log_softmax": "LogSoftmax"}
    pools = {F.max_pool1d: ("MaxPool1d", 1, _POOL_ARGS), F.max_pool2d: ("MaxPool2d", 2,
             _POOL_ARGS), F.avg_pool1d: ("AvgPool1d", 1, _AVG_ARGS[:-1]),
             F.avg_pool2d: ("AvgPool2d", 2, _AVG_ARGS)}
    adaptive = {F.adaptive_avg_pool1d: ("AdaptiveAvgPool1d", 1),
                F.adaptive_avg_pool2d: ("AdaptiveAvgPool2d", 2),
                F.adaptive_max_pool1d: ("AdaptiveMaxPool1d", 1),
                F.adaptive_max_pool2d: ("AdaptiveMaxPool2d", 2)}
    reshapes = {torch.flatten, torch.reshape, torch.squeeze, torch.unsqueeze}
    return simple, merges, softmax, pools, adaptive, reshapes


def op_label(node) -> str:
    """How the user wrote the operation: 'F.max_pool2d', 'x.view()', 'operator.add'."""
    target = node.target
    if node.op == "call_method":
        return f"x.{target}()"
    if node.op == "call_module":
        return f"self.{target}"
    module = (getattr(target, "__module__", None) or "").lstrip("_")
    module = {"torch.nn.functional": "F", "operator": "operator"}.get(module, module)
    return f"{module}.{getattr(target, '__name__', target)}"


class Args:
    """A call's arguments by name, with measured values standing in for computed sizes."""

    def __init__(self, node, names: tuple[str, ...], metas):
        from torch import fx

        self.node, self.metas, self.fx = node, metas, fx
        self.values = dict(zip(names, node.args, strict=False))
        self.values.update(node.kwargs)

    def tensor(self, name: str = "input"):
        value = self.values.get(name)
        if not isinstance(value, self.fx.Node) or not self.metas[value].tensor:
            raise Unmapped(f"{op_label(self.node)} on something other than a tensor")
        return value

    def get(self, name: str, default=None):
        return self.const(self.values.get(name, default))

    def const(self, value):
        if isinstance(value, self.fx.Node):
            meta = self.metas[value]
            if meta.tensor:
                raise Unmapped(f"{op_label(self.node)} with a tensor as {value.name}",
                               "pass plain numbers")
            return meta.value
        if isinstance(value, tuple | list):
            return type(value)(self.const(v) for v in value)
        return value


def map_call(node, metas) -> Mapped | Alias:
    """A call_function / call_method fx node -> a layer, or an alias of its input."""
    simple, merges, softmax, pools, adaptive, reshapes = _tables()
    target, label = node.target, op_label(node)
    if node.op == "call_method":
        return _method(node, metas, label)
    if target in simple:
        return Mapped(simple[target], {}, [Args(node, ("input",), metas).tensor()])
    if target in merges:
        return _merge(node, metas, merges[target], list(node.args), dict(node.kwargs))
    if target in softmax:
        return _softmax(node, metas, softmax[target])
    if target in pools:
        kind, dims, names = pools[target]
        return _pool(node, metas, kind, dims, names)
    if target in adaptive:
        kind, dims = adaptive[target]
        a = Args(node, ("input", "output_size"), metas)
        x = a.tensor()
        return Mapped(kind, adaptive_params(kind, dims, a.get("output_size"),
                                            metas[x].shapes[0]), [x])
    if target in reshapes:
        return reshape(node, metas, Args(node, ("input",), metas).tensor())
    return _more_functions(node, metas, label)


def _more_functions(node, metas, label):
    import torch
    import torch.nn.functional as F

    target = node.target
    if target in (F.dropout, F.dropout2d):
        a = Args(node, ("input", "p", "training", "inplace"), metas)
        x = a.tensor()
        if not a.get("training", True):
            return Alias(x)
        return Mapped("Dropout" if target is F.dropout else "Dropout2d",
                      {"p": float(a.get("p", 0.5))}, [x])
    if target in (F.leaky_relu, F.elu):
        key, default = ("negative_slope", 0.01) if target is F.leaky_relu else ("alpha", 1.0)
        a = Args(node, ("input", key), metas)
        return Mapped("LeakyReLU" if target is F.leaky_relu else "ELU",
                      {key: float(a.get(key, default))}, [a.tensor()])
    if target is F.gelu:
        a = Args(node, ("input",), metas)
        if a.get("approximate", "none") != "none":
            raise Unmapped("F.gelu(approximate='tanh')", "use the exact GELU")
        return Mapped("GELU", {}, [a.tensor()])
    if target is F.softplus:
        a = Args(node, ("input", "beta", "threshold"), metas)
        return Mapped("Softplus", {"beta": float(a.get("beta", 1.0)),
                                   "threshold": float(a.get("threshold", 20.0))}, [a.tensor()])
    if target in (F.hardtanh, F.hardtanh_):
        a = Args(node, ("input", "min_val", "max_val"), metas)
        return Mapped(hardtanh_kind(a.get("min_val", -1.0), a.get("max_val", 1.0)), {},
                      [a.tensor()])
    if target in (torch.clamp, torch.clip):
        return _clamp(node, metas, ("input", "min", "max"), "input")
    if target in (torch.cat, torch.concat, getattr(torch, "concatenate", None)):
        return _cat(node, metas)
    if target is torch.mean:
        return _global_pool(node, metas, "GlobalAvgPool")
    if target is torch.amax:
        return _global_pool(node, metas, "GlobalMaxPool")
    if target is F.interpolate:
        return _interpolate(node, metas)
    raise Unmapped(label, _FUNCTION_HINTS.get(getattr(target, "__name__", ""), ""))


_FUNCTION_HINTS = {
    "linear": "use an nn.Linear submodule instead of F.linear with your own tensors",
    "conv2d": "use an nn.Conv2d submodule instead of F.conv2d with your own tensors",
    "getitem": "no layer slices tensors; keep whole tensors between layers",
    "sub": "no layer subtracts; use Add with a negated branch in the designer",
    "truediv": "no layer divides; scale the data before it reaches the model",
    "stack": "use torch.cat along an existing axis",
}


def _method(node, metas, label):
    name = node.target
    if name in _SIMPLE_METHODS:
        return Mapped(_SIMPLE_METHODS[name], {}, [Args(node, ("self",), metas).tensor("self")])
    if name in _MERGES:
        return _merge(node, metas, _MERGES[name], list(node.args), dict(node.kwargs))
    if name in ("softmax", "log_softmax"):
        return _softmax(node, metas, {"softmax": "Softmax", "log_softmax": "LogSoftmax"}[name])
    if name in _RESHAPES:
        return reshape(node, metas, Args(node, ("self",), metas).tensor("self"))
    if name in _NOOPS:
        return _noop(node, metas)
    if name == "mean":
        return _global_pool(node, metas, "GlobalAvgPool")
    if name == "amax":
        return _global_pool(node, metas, "GlobalMaxPool")
    if name in ("permute", "transpose"):
        return _permute(node, metas, label)
    if name in ("clamp", "clamp_", "clip", "clip_"):
        return _clamp(node, metas, ("self", "min", "max"), "self")
    fixes = {"detach": "do not detach inside forward", "__getitem__": _FUNCTION_HINTS[
        "getitem"], "sum": "use a pooling layer"}
    raise Unmapped(label, fixes.get(name, ""))


def _clamp(node, metas, names, first):
    """clamp(x, 0) is ReLU and clamp(x, 0, 6) is ReLU6 (how some code writes them)."""
    a = Args(node, names, metas)
    low, high = a.get("min"), a.get("max")
    if low == 0 and high is None:
        return Mapped("ReLU", {}, [a.tensor(first)])
    if low == 0 and high == 6:
        return Mapped("ReLU6", {}, [a.tensor(first)])
    raise Unmapped(f"{op_label(node)} to [{low}, {high}]",
                   "no layer clamps to other bounds; use ReLU (min 0) or ReLU6 (0 to 6)")


def _noop(node, metas):
    x = Args(node, ("self",), metas).tensor("self")
    out, src = metas[node], metas[x]
    if out.shapes != src.shapes:
        raise Unmapped(op_label(node) + " that changes the shape")
    if out.dtype != src.dtype:
        raise Unmapped(f"{op_label(node)} turning {src.dtype} into {out.dtype}",
                       "feed the model the element type its layers compute with (int64 token "
                       "indices only for an nn.Embedding)")
    return Alias(x)


def _permute(node, metas, label):
    x = Args(node, ("self",), metas).tensor("self")
    dims = [Args(node, (), metas).const(d) for d in node.args[1:]]
    dims = dims[0] if len(dims) == 1 and isinstance(dims[0], tuple | list) else dims
    rank = len(metas[x].shapes[0])
    order = list(range(rank))
    if node.target == "transpose" and len(dims) == 2:
        a, b = (d % rank for d in dims)
        order[a], order[b] = order[b], order[a]
    elif node.target == "permute":
        order = [d % rank for d in dims]
    if order == list(range(rank)):
        return Alias(x)
    raise Unmapped(f"{label} (reorders axes {tuple(order)})",
                   "no layer reorders axes; arrange the data in the order the next layer "
                   "expects before it reaches the model, or use batch_first=True for RNNs")


def _merge(node, metas, kind, args, kwargs):
    from torch import fx

    kwargs.pop("inplace", None)
    if kwargs.pop("alpha", 1) != 1 or kwargs:
        raise Unmapped(f"{op_label(node)} with keyword arguments")
    tensors = [a for a in args if isinstance(a, fx.Node) and metas[a].tensor]
    if len(tensors) != len(args) or len(tensors) < 2:
        what = "adds" if kind == "Add" else "multiplies by"
        raise Unmapped(f"{op_label(node)} with a constant ({what} a number, not another "
                       "tensor)", "scale or shift with a layer, or leave it out")
    for t in tensors:
        sample(metas, t)
    return Mapped(kind, {}, tensors)


def _softmax(node, metas, kind):
    names = ("self" if node.op == "call_method" else "input", "dim")
    a = Args(node, names, metas)
    x = a.tensor(names[0])
    if a.get("dtype") is not None:
        raise Unmapped(f"{op_label(node)} with a dtype", "leave out dtype")
    return Mapped(kind, {"dim": softmax_dim(a.get("dim"), metas, op_label(node), x)}, [x])


def _pool(node, metas, kind, dims, names):
    a = Args(node, names, metas)
    x = a.tensor()
    defaults = {"stride": None, "padding": 0, "dilation": 1, "ceil_mode": False,
                "return_indices": False, "count_include_pad": True, "divisor_override": None}
    values = {k: a.get(k, v) for k, v in defaults.items() if k in names}
    stride = values.pop("stride") or None
    params = pool_params(kind, dims, a.get("kernel_size"), stride, values.pop("padding"),
                         **values)
    return Mapped(kind, params, [x])


def _cat(node, metas):
    from torch import fx

    tensors = node.kwargs.get("tensors", node.args[0] if node.args else None)
    dim = node.kwargs.get("dim", node.args[1] if len(node.args) > 1 else 0)
    if not isinstance(tensors, list | tuple) or not all(
            isinstance(t, fx.Node) and metas[t].tensor for t in tensors):
        raise Unmapped("torch.cat over something other than a list of tensors")
    rank = len(sample(metas, tensors[0])) + 1
    if not isinstance(dim, int) or dim % rank == 0:
        raise Unmapped("torch.cat along the batch axis", "concatenate along dim=1")
    if len(tensors) == 1:
        return Alias(tensors[0])  # DenseNet's first layer concatenates one tensor
    return Mapped("Concatenate", {"dim": dim}, list(tensors))


def _global_pool(node, metas, kind):
    a = Args(node, ("self" if node.op == "call_method" else "input", "dim", "keepdim"), metas)
    x = a.tensor("self" if node.op == "call_method" else "input")
    rank = len(sample(metas, x)) + 1
    dims = a.get("dim")
    dims = {d % rank for d in (dims if isinstance(dims, tuple | list) else [dims])} \
        if dims is not None else set()
    if a.get("keepdim", False) or rank < 3 or dims != set(range(2, rank)):
        raise Unmapped(f"{op_label(node)} over axes {sorted(dims) or 'all'}",
                       "average over every spatial axis (e.g. x.mean((2, 3))) or use a "
                       "pooling layer")
    return Mapped(kind, {}, [x])


def _interpolate(node, metas):
    a = Args(node, ("input", "size", "scale_factor", "mode", "align_corners"), metas)
    x = a.tensor()
    factor, mode = a.get("scale_factor"), a.get("mode", "nearest")
    factor = factor[0] if isinstance(factor, tuple | list) and len(set(factor)) == 1 \
        else factor
    if a.get("size") is not None or not isinstance(factor, int | float) \
            or not float(factor).is_integer() or mode not in ("nearest", "bilinear") \
            or a.get("align_corners"):
        raise Unmapped("F.interpolate other than an integer scale_factor with nearest or "
                       "bilinear", "use scale_factor=2 with mode='nearest' or 'bilinear'")
    return Mapped("UpSampling2d", {"scale_factor": int(factor), "mode": mode}, [x])


def reshape(node, metas, x, module: str | None = None) -> Mapped | Alias:
    """A reshape of each sample (batch kept first) -> Flatten, Reshape or nothing."""
    out = metas[node].sample
    if out is None:
        raise Unmapped(f"{op_label(node)} that mixes samples of the batch",
                       "keep the batch first, e.g. x.view(x.size(0), -1)")
    if out == sample(metas, x) and module is None:
        return Alias(x)
    if len(out) == 1 and sample(metas, x):
        return Mapped("Flatten", {}, [x], module)
    return Mapped("Reshape", {"shape": list(out)}, [x], module)


def gaussian_noise(node, metas) -> Mapped | None:
    """`x + torch.randn_like(x) * std` (either order) -> GaussianNoise(std) on x."""
    import torch

    if node.op != "call_function" or node.target not in (operator.add, torch.add) \
            or len(node.args) != 2 or node.kwargs:
        return None
    for x, term in (node.args, node.args[::-1]):
        if not (hasattr(term, "op") and term.op == "call_function"
                and term.target in (operator.mul, torch.mul)):
            continue
        for rand, std in (term.args, term.args[::-1]):
            if _random_like(rand, x, metas) and isinstance(std, int | float) and std >= 0:
                return Mapped("GaussianNoise", {"std": float(std)}, [x])
    return None


def _random_like(node, x, metas) -> bool:
    import torch

    if not hasattr(node, "op") or node.op != "call_function" or not hasattr(x, "op"):
        return False
    if node.target is torch.randn_like and node.args[:1] == (x,) and not node.kwargs:
        return True
    return node.target is torch.randn and metas.get(node) is not None \
        and metas[node].shapes == metas[x].shapes and set(node.kwargs) <= {"device"}


def max_values(node, metas) -> Mapped | None:
    """`torch.max(x, dim=2)[0]` (or `x.max(2).values`) over every spatial axis of a
    (B, C, L) tensor -> GlobalMaxPool on x (text CNNs pool over time like this)."""
    import torch

    picks = node.op == "call_function" and (
        node.target is operator.getitem and node.args[1:] == (0,)
        or node.target is getattr and node.args[1:] == ("values",))
    src = node.args[0] if picks else None
    if not hasattr(src, "op") or not (src.op == "call_function" and src.target is torch.max
                                      or src.op == "call_method" and src.target == "max"):
        return None
    names = ("self" if src.op == "call_method" else "input", "dim", "keepdim")
    values = dict(zip(names, src.args, strict=False)) | dict(src.kwargs)
    x, dim = values.get(names[0]), values.get("dim")
    shape = metas[x].sample if hasattr(x, "op") and x in metas else None
    if shape is None or len(shape) != 2 or not isinstance(dim, int) or dim % 3 != 2 \
            or values.get("keepdim"):
        return None
    return Mapped("GlobalMaxPool", {}, [x])
