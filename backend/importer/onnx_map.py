"""ONNX operators -> Netwright layers, with the tensors each layer takes from the file.

`map_node(node, graph)` returns an `OnnxMapped` (layer type, params, data inputs, tensors
keyed like the built layer's state_dict) or an `OnnxAlias` (Dropout and Identity at
inference), or raises `Unmapped` naming the operator. `OnnxGraph` holds what the mapping
needs: the initializers and Constant values as numpy arrays, every value's measured shape,
and each value's consumers (for the MatMul + Add pair of a linear layer).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.importer.fx_map import Unmapped, int_or_pair, needs
from backend.importer.onnx_recurrent import KINDS, map_recurrent, transpose_alias
from backend.layers import get_spec


@dataclass
class OnnxMapped:
    kind: str
    params: dict
    inputs: list[str]  # ONNX value names carrying data, in port order
    tensors: dict = field(default_factory=dict)  # state_dict key -> numpy array
    consumed: list = field(default_factory=list)  # further ONNX nodes this layer stands for


@dataclass
class OnnxAlias:
    value: str


@dataclass
class OnnxGraph:
    consts: dict  # name -> numpy array (initializers and Constant outputs)
    shapes: dict  # value name -> [full shape at each batch size]
    users: dict  # value name -> [nodes]
    opset: int = 13
    producers: dict = field(default_factory=dict)  # value name -> the node computing it

    def sample(self, name: str) -> tuple[int, ...] | None:
        shapes = self.shapes.get(name)
        if not shapes:
            return None
        batches = [s[0] for s in shapes if s]
        if len(set(map(tuple, (s[1:] for s in shapes)))) != 1 or len(set(batches)) != \
                len(shapes):
            return None
        return tuple(shapes[0][1:])

    def const(self, name: str, what: str):
        if name not in self.consts:
            raise Unmapped(f"{what} computed in the graph (not stored in the file)",
                           "export the model with constant folding")
        return self.consts[name]


def attrs(node) -> dict:
    import onnx

    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _text(value):
    return value.decode() if isinstance(value, bytes) else value


def _symmetric(pads, dims: int, what: str):
    pads = list(pads or [0] * (2 * dims))
    if pads[:dims] != pads[dims:]:
        raise Unmapped(f"{what} with uneven padding {pads}", "pad both sides equally")
    return int_or_pair(pads[:dims]) if dims == 2 else pads[0]


def _auto_pad(a: dict, what: str) -> None:
    if _text(a.get("auto_pad", "NOTSET")) not in ("NOTSET", "VALID"):
        raise Unmapped(f"{what} with auto_pad={_text(a['auto_pad'])}",
                       "export with explicit padding")


def _conv(node, g: OnnxGraph):
    a = attrs(node)
    w = g.const(node.input[1], "Conv weights")
    dims = w.ndim - 2
    if dims not in (1, 2):
        raise Unmapped(f"{dims}-D Conv", "use 1-D or 2-D convolutions")
    _auto_pad(a, "Conv")
    size = int_or_pair if dims == 2 else (lambda v: v[0])
    k = list(a.get("kernel_shape", w.shape[2:]))
    params = {"filters": int(w.shape[0]), "kernel_size": size(k),
              "stride": size(list(a.get("strides", [1] * dims))),
              "padding": _symmetric(a.get("pads"), dims, "Conv"),
              "dilation": size(list(a.get("dilations", [1] * dims))),
              "groups": int(a.get("group", 1)), "bias": len(node.input) > 2 and bool(
                  node.input[2])}
    tensors = {"weight": w}
    if params["bias"]:
        tensors["bias"] = g.const(node.input[2], "Conv bias")
    return OnnxMapped("Conv2d" if dims == 2 else "Conv1d", params, [node.input[0]], tensors)


def _conv_transpose(node, g: OnnxGraph):
    a = attrs(node)
    w = g.const(node.input[1], "ConvTranspose weights")
    if w.ndim != 4 or a.get("output_shape"):
        raise Unmapped("ConvTranspose other than 2-D without output_shape")
    _auto_pad(a, "ConvTranspose")
    groups = int(a.get("group", 1))
    params = {"filters": int(w.shape[1]) * groups,
              "kernel_size": int_or_pair(list(a.get("kernel_shape", w.shape[2:]))),
              "stride": int_or_pair(list(a.get("strides", [1, 1]))),
              "padding": _symmetric(a.get("pads"), 2, "ConvTranspose"),
              "output_padding": int_or_pair(list(a.get("output_padding", [0, 0]))),
              "dilation": int_or_pair(list(a.get("dilations", [1, 1]))), "groups": groups,
              "bias": len(node.input) > 2 and bool(node.input[2])}
    tensors = {"weight": w}
    if params["bias"]:
        tensors["bias"] = g.const(node.input[2], "ConvTranspose bias")
    return OnnxMapped("ConvTranspose2d", params, [node.input[0]], tensors)


def _gemm(node, g: OnnxGraph):
    a = attrs(node)
    if a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0 or a.get("transA", 0):
        raise Unmapped("Gemm with alpha, beta or transA", "export an nn.Linear")
    w = g.const(node.input[1], "Gemm weights")
    w = w if a.get("transB", 0) else w.T
    tensors = {"weight": w}
    if len(node.input) > 2 and node.input[2]:
        bias = g.const(node.input[2], "Gemm bias")
        if bias.shape != (w.shape[0],):
            raise Unmapped("Gemm with a broadcast bias", "export an nn.Linear")
        tensors["bias"] = bias
    return OnnxMapped("Dense", {"units": int(w.shape[0]), "bias": "bias" in tensors},
                      [node.input[0]], tensors)


def _matmul(node, g: OnnxGraph):
    """MatMul by a stored matrix, with the Add of a stored bias after it: a linear layer."""
    w = g.const(node.input[1], "MatMul's second operand")
    if w.ndim != 2 or g.sample(node.input[0]) is None or len(g.sample(node.input[0])) != 1:
        raise Unmapped("MatMul other than (B, features) by a stored matrix",
                       "flatten before the linear layer")
    mapped = OnnxMapped("Dense", {"units": int(w.shape[1]), "bias": False},
                        [node.input[0]], {"weight": w.T})
    users = g.users.get(node.output[0], [])
    if len(users) == 1 and users[0].op_type == "Add":
        other = [i for i in users[0].input if i != node.output[0]]
        if len(other) == 1 and other[0] in g.consts and g.consts[other[0]].shape == \
                (w.shape[1],):
            mapped.tensors["bias"] = g.consts[other[0]]
            mapped.params["bias"] = True
            mapped.consumed.append(users[0])
    return mapped


def _pool(node, g: OnnxGraph):
    a = attrs(node)
    kind = node.op_type.replace("Pool", "").replace("Average", "Avg")
    dims = len(a["kernel_shape"])
    if dims not in (1, 2) or len([o for o in node.output if o]) > 1:
        raise Unmapped(f"{node.op_type} over {dims} axes or with indices")
    _auto_pad(a, node.op_type)
    kind = f"{kind}Pool{dims}d"
    size = int_or_pair if dims == 2 else (lambda v: v[0])
    pad = _symmetric(a.get("pads"), dims, node.op_type)
    if any(d != 1 for d in a.get("dilations", [1])):
        raise Unmapped(f"{node.op_type} with dilations", "use a plain pooling window")
    if kind.startswith("Avg") and not a.get("count_include_pad", 0) and pad not in (0, [0, 0]):
        raise Unmapped("AveragePool with count_include_pad=0 and padding",
                       "export with count_include_pad=True")
    params = {"kernel_size": size(list(a["kernel_shape"])),
              "stride": size(list(a.get("strides", [1] * dims))), "padding": pad}
    if a.get("ceil_mode", 0):
        needs(kind, "ceil_mode", f"{node.op_type} with ceil_mode=1")
        params["ceil_mode"] = True
    return OnnxMapped(kind, params, [node.input[0]])


def _global_pool(node, g: OnnxGraph):
    kind = "AdaptiveAvgPool2d" if node.op_type == "GlobalAveragePool" else "AdaptiveMaxPool2d"
    shape = g.sample(node.input[0]) or ()
    if len(shape) != 3:
        raise Unmapped(f"{node.op_type} over other than 2-D maps")
    needs(kind, None, node.op_type)
    return OnnxMapped(kind, {"output_size": 1}, [node.input[0]])


def _reduce(node, g: OnnxGraph):
    """ReduceMean / ReduceMax over every spatial axis: global pooling."""
    a = attrs(node)
    shape = g.sample(node.input[0]) or ()
    rank = len(shape) + 1
    axes = a.get("axes")
    if axes is None and len(node.input) > 1 and node.input[1]:
        axes = g.const(node.input[1], f"{node.op_type} axes").tolist()
    axes = sorted(int(x) % rank for x in (axes or []))
    if rank < 3 or axes != list(range(2, rank)):
        raise Unmapped(f"{node.op_type} over axes {axes or 'all'}",
                       "average or take the maximum over every spatial axis")
    mean = node.op_type == "ReduceMean"
    if not a.get("keepdims", 1):
        return OnnxMapped("GlobalAvgPool" if mean else "GlobalMaxPool", {}, [node.input[0]])
    kind = f"Adaptive{'Avg' if mean else 'Max'}Pool{rank - 2}d"
    needs(kind, None, node.op_type)
    return OnnxMapped(kind, {"output_size": 1}, [node.input[0]])


def _batchnorm(node, g: OnnxGraph):
    a = attrs(node)
    if len([o for o in node.output if o]) > 1 or a.get("training_mode", 0):
        raise Unmapped("BatchNormalization in training mode", "export in evaluation mode")
    rank = len(g.sample(node.input[0]) or ())
    kind = "BatchNorm2d" if rank == 3 else "BatchNorm1d"
    scale, bias, mean, var = (g.const(n, "BatchNormalization statistics")
                              for n in node.input[1:5])
    params = {"eps": float(a.get("epsilon", 1e-5)),
              "momentum": round(1.0 - float(a.get("momentum", 0.9)), 6)}
    import numpy as np

    tensors = {"weight": scale, "bias": bias, "running_mean": mean, "running_var": var,
               "num_batches_tracked": np.array(0, dtype=np.int64)}
    return OnnxMapped(kind, params, [node.input[0]], tensors)


def _softmax(node, g: OnnxGraph):
    a = attrs(node)
    rank = len(g.sample(node.input[0]) or ()) + 1
    axis = int(a.get("axis", -1 if g.opset >= 13 else 1))
    if g.opset < 13 and axis % rank != rank - 1:
        raise Unmapped(f"{node.op_type} (opset {g.opset}) over several axes",
                       "export with opset 13 or later")
    if axis % rank == 0:
        raise Unmapped(f"{node.op_type} over the batch axis", "normalise over axis 1")
    kind = "Softmax" if node.op_type == "Softmax" else "LogSoftmax"
    return OnnxMapped(kind, {"dim": axis}, [node.input[0]])


def _concat(node, g: OnnxGraph):
    axis = int(attrs(node)["axis"])
    rank = len(g.sample(node.input[0]) or ()) + 1
    if axis % rank == 0:
        raise Unmapped("Concat along the batch axis", "concatenate along axis 1")
    return OnnxMapped("Concatenate", {"dim": axis}, list(node.input))


def _merge(node, g: OnnxGraph):
    if any(i in g.consts for i in node.input):
        raise Unmapped(f"{node.op_type} with a stored constant",
                       "add or multiply tensors computed by layers only")
    return OnnxMapped("Add" if node.op_type == "Add" else "Multiply", {}, list(node.input))


def _reshape(node, g: OnnxGraph):
    out = g.sample(node.output[0])
    if node.op_type == "Flatten" and int(attrs(node).get("axis", 1)) != 1 or out is None:
        raise Unmapped(f"{node.op_type} that mixes samples of the batch",
                       "keep the batch as the first axis")
    if out == g.sample(node.input[0]):
        return OnnxAlias(node.input[0])
    if len(out) == 1 and g.sample(node.input[0]):
        return OnnxMapped("Flatten", {}, [node.input[0]])
    return OnnxMapped("Reshape", {"shape": list(out)}, [node.input[0]])


def _resize(node, g: OnnxGraph):
    a = attrs(node)
    mode = _text(a.get("mode", "nearest"))
    names = [n for n in node.input[1:] if n]
    scales = next((g.consts[n] for n in names if n in g.consts and g.consts[n].dtype.kind
                   == "f" and g.consts[n].size), None)
    ok = scales is not None and len(scales) == 4 and list(scales[:2]) == [1, 1] \
        and scales[2] == scales[3] and float(scales[2]).is_integer()
    mode = {"nearest": "nearest", "linear": "bilinear"}.get(mode)
    if not ok or mode is None:
        raise Unmapped(f"{node.op_type} other than an integer scale with nearest or linear",
                       "upsample by a whole factor")
    return OnnxMapped("UpSampling2d", {"scale_factor": int(scales[2]), "mode": mode},
                      [node.input[0]])


def _simple(kind, **attr_params):
    def mapper(node, g):
        a = attrs(node)
        params = {p: float(a.get(key, default)) for p, (key, default) in attr_params.items()}
        return OnnxMapped(kind, params, [node.input[0]])
    return mapper


def _gelu(node, g):
    if _text(attrs(node).get("approximate", "none")) != "none":
        raise Unmapped("Gelu with approximate='tanh'", "use the exact GELU")
    return OnnxMapped("GELU", {}, [node.input[0]])


def _lrn(node, g):
    a = attrs(node)
    return OnnxMapped("LocalResponseNorm", {"size": int(a["size"]),
                      "alpha": float(a.get("alpha", 1e-4)), "beta": float(a.get("beta", 0.75)),
                      "k": float(a.get("bias", 1.0))}, [node.input[0]])


MAPPERS = {
    "Conv": _conv, "ConvTranspose": _conv_transpose, "Gemm": _gemm, "MatMul": _matmul,
    "MaxPool": _pool, "AveragePool": _pool, "GlobalAveragePool": _global_pool,
    "GlobalMaxPool": _global_pool, "ReduceMean": _reduce, "ReduceMax": _reduce,
    "BatchNormalization": _batchnorm, "Softmax": _softmax,
    "LogSoftmax": _softmax, "Concat": _concat, "Add": _merge, "Mul": _merge,
    "Flatten": _reshape, "Reshape": _reshape, "Squeeze": _reshape, "Unsqueeze": _reshape,
    "Resize": _resize, "Upsample": _resize, "Relu": _simple("ReLU"),
    "Sigmoid": _simple("Sigmoid"), "Tanh": _simple("Tanh"),
    "LeakyRelu": _simple("LeakyReLU", negative_slope=("alpha", 0.01)),
    "Elu": _simple("ELU", alpha=("alpha", 1.0)), "Gelu": _gelu, "LRN": _lrn,
}
DATA_INPUTS = {"Reshape": 1, "Squeeze": 1, "Unsqueeze": 1, "Resize": 1, "Upsample": 1,
               "LSTM": 1, "GRU": 1, "RNN": 1,  # the initial states are checked to be zeros
               "Conv": 1, "ConvTranspose": 1, "Gemm": 1, "MatMul": 1, "BatchNormalization": 1,
               "Dropout": 1, "ReduceMean": 1, "ReduceMax": 1}


def map_node(node, g: OnnxGraph) -> OnnxMapped | OnnxAlias:
    if node.domain not in ("", "ai.onnx"):
        raise Unmapped(f"{node.op_type} from the {node.domain} operator set")
    if node.op_type in ("Dropout", "Identity"):
        return OnnxAlias(node.input[0])
    if node.op_type in KINDS:
        return map_recurrent(node, g)
    if node.op_type == "Transpose":
        alias = transpose_alias(node, g)
        if alias is None:
            raise Unmapped("Transpose", "keep the batch first and the channels second, or "
                           "build that part in the designer")
        return alias
    mapper = MAPPERS.get(node.op_type)
    if mapper is None:
        raise Unmapped(node.op_type)
    mapped = mapper(node, g)
    if isinstance(mapped, OnnxMapped) and get_spec(mapped.kind) is None:
        raise Unmapped(node.op_type, f"this version of Netwright has no {mapped.kind} layer")
    return mapped
