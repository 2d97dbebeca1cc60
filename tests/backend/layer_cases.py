"""Random valid parameters and fitting input shapes for every registered layer type.

Shared by the layer contract test: `random_case(spec, rng)` returns (params, input shapes) where
params only use values inside the schema, and the inputs have the rank the layer expects
(images (C, H, W), sequences (T, F) or (C, L), vectors (F,)). Graph layers get node features
(F,) from a Graph input, which also wires the adjacency into their adj port (`layer_doc` in
test_layers_contract.py).
"""

from __future__ import annotations

import random

from backend.layers import LayerSpec, Param

IMAGE = {"Conv2d", "ConvTranspose2d", "UpSampling2d", "MaxPool2d", "AvgPool2d", "BatchNorm2d",
         "Dropout2d", "LocalResponseNorm", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d"}
SEQUENCE = {"Conv1d", "MaxPool1d", "AvgPool1d", "SimpleRNN", "LSTM", "GRU",
            "AdaptiveAvgPool1d", "AdaptiveMaxPool1d"}
VECTOR = {"Dense"}
GRAPH = {"GCNConv", "SAGEConv", "GATConv", "InnerProductDecoder", "GraphReadout"}
INDICES = {"Embedding"}  # fed whole-number token indices (an int64 Input)
SMALL = {"units": (1, 12), "filters": (1, 12), "kernel_size": (1, 5), "stride": (0, 3),
         "padding": (0, 2), "output_padding": (0, 1), "dilation": (1, 2), "groups": (1, 3),
         "scale_factor": (1, 3), "num_layers": (1, 3), "size": (1, 7), "dims": (1, 3),
         "output_size": (1, 7), "heads": (1, 4), "features": (1, 12), "num_embeddings": (5, 30),
         "embedding_dim": (1, 8), "padding_idx": (-1, 4)}


def random_value(p: Param, rng: random.Random):
    """A value inside the parameter's schema, kept small so the layer stays cheap to run."""
    if p.kind == "bool":
        return rng.random() < 0.5
    if p.kind == "choice":
        return rng.choice(p.choices)
    if p.kind in ("int", "size", "padding"):
        if p.kind == "padding" and rng.random() < 0.4:
            return rng.choice(["valid", "same"])
        lo, hi = SMALL.get(p.name, (-2, 3))
        lo, hi = max(lo, int(p.min if p.min is not None else lo)), int(
            min(hi, p.max if p.max is not None else hi))
        if p.kind != "int" and rng.random() < 0.25:
            return [rng.randint(lo, hi), rng.randint(lo, hi)]
        return rng.randint(lo, hi)
    if p.kind == "float":
        lo = p.min if p.min is not None else -2.0
        hi = min(p.max if p.max is not None else 2.0, lo + 2.0)
        value = rng.uniform(lo, hi)
        return min(value, hi * 0.95) if p.exclusive_max else value
    if p.kind == "shape":
        return [rng.randint(1, 6) for _ in range(rng.randint(1, 3))]
    raise AssertionError(f"no generator for kind {p.kind}")


def random_input(spec: LayerSpec, rng: random.Random) -> tuple[int, ...]:
    if spec.type in IMAGE:
        return (rng.randint(1, 6), rng.randint(1, 12), rng.randint(1, 12))
    if spec.type in SEQUENCE:
        return (rng.randint(1, 6), rng.randint(1, 12))
    if spec.type in VECTOR or spec.type in GRAPH:
        return (rng.randint(1, 12),)
    return tuple(rng.randint(1, 6) for _ in range(rng.randint(1, 3)))


def random_case(spec: LayerSpec, rng: random.Random) -> tuple[dict, list[tuple[int, ...]]]:
    params = {p.name: random_value(p, rng) for p in spec.params if rng.random() < 0.8}
    shape = random_input(spec, rng)
    if spec.type == "Reshape":
        params["shape"] = _reshape_target(shape, rng)
    if spec.type in ("Softmax", "LogSoftmax", "Concatenate"):
        rank = len(shape) + 1
        params["dim"] = rng.choice([d for d in range(-rank + 1, rank) if d != 0])
    if spec.type in ("Conv1d", "Conv2d", "ConvTranspose2d") and "groups" in params:
        g = params["groups"]
        shape = (shape[0] * g, *shape[1:])
        params["filters"] = params.get("filters", 32) // g * g or g
    if spec.type == "ConvTranspose2d" and rng.random() < 0.5:
        params["output_padding"] = 0
    if spec.type in ("Input", "GraphInput"):
        return params, []
    wires = rng.randint(2, 3) if any(port.multi for port in spec.inputs) else len(spec.inputs)
    shapes = [shape] * wires
    if spec.type == "Concatenate":
        axis = (params["dim"] if params["dim"] > 0 else len(shape) + 1 + params["dim"]) - 1
        shapes = [tuple(rng.randint(1, 4) if i == axis else d for i, d in enumerate(shape))
                  for _ in range(wires)]
    if spec.type in ("Add", "Multiply"):  # broadcasting: some axes of some inputs are 1
        shapes = [tuple(1 if rng.random() < 0.3 else d for d in s) for s in shapes]
    return params, shapes


def _reshape_target(shape, rng) -> list[int]:
    total = 1
    for d in shape:
        total *= d
    dims = []
    rest = total
    for _ in range(rng.randint(0, 2)):
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        d = rng.choice(divisors)
        dims.append(d)
        rest //= d
    dims.append(rest)
    rng.shuffle(dims)
    if rng.random() < 0.5:
        dims[rng.randrange(len(dims))] = -1
    return dims
