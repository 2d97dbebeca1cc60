"""What the Convolution explorer shows for a design node: its settings, and numbers to slide.

`node_settings(editor, node_id)` reads a Conv/Pool node's validated params and input shape
(kernel size, stride, padding — 'valid', 'same' or numbers —, dilation) and returns a
`NodeSettings`. The numbers are the run's learned kernel and the node's input for the probe
sample when a `KernelProbe` is given (from the Training dock), else example numbers with a
sentence saying so. Large inputs are cut to their top-left MAX_INPUT × MAX_INPUT corner.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.graph.validate import label

MAX_INPUT = 16
CONV = {"Conv2d": "conv", "Conv1d": "conv", "MaxPool2d": "max", "MaxPool1d": "max",
        "AvgPool2d": "avg", "AvgPool1d": "avg"}


@dataclass
class NodeSettings:
    mode: str
    input: np.ndarray
    kernel: np.ndarray
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    dilation: tuple[int, int] = (1, 1)
    bias: float = 0.0
    source: str = ""


def _pair(value, dims: int, default: int) -> tuple[int, int]:
    if value is None:
        return (default, default)
    if isinstance(value, int):
        return (1, value) if dims == 1 else (value, value)
    values = list(value)
    return (1, values[0]) if dims == 1 else (values[0], values[-1])


def _padding(value, kernel, dilation, dims) -> tuple[tuple[int, int], str]:
    if value == "valid":
        return (0, 0), ""
    if value == "same":
        pads = tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation, strict=True))
        odd = any(d * (k - 1) % 2 for k, d in zip(kernel, dilation, strict=True))
        note = (" With an even kernel torch pads one more row/column at the end; the page "
                "pads both sides equally.") if odd else ""
        return (pads[0], pads[1]), note
    return _pair(value, dims, 0), ""


def node_settings(editor, node_id: str, probe=None) -> NodeSettings:
    """Settings for the explorer from node `node_id`; ValueError for other layer types."""
    node = editor.doc.nodes.get(node_id)
    if node is None or node.type not in CONV:
        kind = node.type if node is not None else "nothing"
        raise ValueError(f"the convolution explorer shows Conv and Pool layers, not {kind}")
    params = editor.analysis.params.get(node_id, {})
    dims = 1 if node.type.endswith("1d") else 2
    kernel = _pair(params.get("kernel_size", 3), dims, 3)
    stride = tuple(s or k for s, k in zip(_pair(params.get("stride", 1), dims, 1), kernel,
                                          strict=True))  # pooling: 0 means the window size
    dilation = _pair(params.get("dilation", 1), dims, 1)
    padding, note = _padding(params.get("padding", 0), kernel, dilation, dims)
    if params.get("ceil_mode"):
        note += " This layer rounds the division up (ceil mode); the page rounds down."
    name = label(editor.doc, node_id)
    ins = editor.analysis.in_shapes.get(node_id)
    size = tuple(ins[0][1:]) if ins else (5, 5)
    size = (1, size[0]) if dims == 1 else size
    if probe is not None:
        return _from_probe(CONV[node.type], probe, kernel, stride, padding, dilation, name,
                           note)
    return _example(CONV[node.type], size, kernel, stride, padding, dilation, name, note)


def _corner(size) -> tuple[tuple[int, int], str]:
    cut = tuple(min(n, MAX_INPUT) for n in size)
    if cut == tuple(size):
        return cut, ""
    return cut, (f" Its input is {size[0]} × {size[1]}: the page shows the top-left "
                 f"{cut[0]} × {cut[1]} corner.")


def _example(mode, size, kernel, stride, padding, dilation, name, note) -> NodeSettings:
    (rows, cols), corner = _corner(size)
    rng = np.random.default_rng(7)
    values = rng.integers(0, 2, (rows, cols))
    weights = (np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]]) if kernel == (3, 3)
               else rng.integers(-1, 2, kernel))
    source = (f"Kernel size, stride, padding and dilation of {name}.{corner}{note} The "
              "numbers are examples: train the design to see its learned kernels applied to "
              "the probe sample.")
    return NodeSettings(mode, values, weights, stride, padding, dilation, 0.0, source)


def _from_probe(mode, probe, size, stride, padding, dilation, name, note) -> NodeSettings:
    """The run's numbers: input channel `probe.channel` for the probe sample, filter
    `probe.out` (a LearnedKernel)."""
    x = np.asarray(probe.input, dtype=float)
    (rows, cols), corner = _corner(x.shape)
    kernel = np.asarray(probe.kernel, dtype=float) if mode == "conv" else np.ones(size)
    what = (f"{name} after epoch {probe.epoch}: input channel {probe.channel} for the probe "
            "sample")
    if mode == "conv":
        what += f" and learned filter {probe.out} (with its bias)"
        if probe.channels > 1:
            what += ("; the layer's real output also adds the sums over its other input "
                     "channels")
    source = f"{what}.{corner}{note}"
    return NodeSettings(mode, np.round(x[:rows, :cols], 3), np.round(kernel, 3), stride,
                        padding, dilation, round(probe.bias, 3) if mode == "conv" else 0.0,
                        source)
