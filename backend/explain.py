"""Output-size arithmetic with the actual numbers, for students hovering over a node.

`explain_shape(doc, analysis, node_id)` returns a few lines of plain text (or None when there
is nothing to explain or the node's inputs are unknown). Convolutions and pooling show the
course's formula ⌊(n + 2p − k) / s⌋ + 1 per axis (⌈⌉ for ceil-mode pooling); transposed
convolutions, upsampling, Dense, Flatten, Concatenate, adaptive and global pooling get one line
each; a block says what it turns its input into, with its arguments and parameters per copy.
The arithmetic is worked from the same geometry the shape rules use, and is shown even when
the result is impossible (kernel larger than the input), since that is when a student most
needs to see it.
"""

from __future__ import annotations

from backend.graph.document import GraphDocument
from backend.layers._common import fmt, resolve_padding
from backend.layers.conv import conv_geometry
from backend.layers.params import pair
from backend.layers.pool import pool_geometry, pool_out
from backend.shapes import Analysis

AXES = {1: ("length",), 2: ("height", "width")}
FORMULA = "output = ⌊(n + 2p − k) / s⌋ + 1   (n input, p padding, k kernel, s stride)"


def explain_shape(doc: GraphDocument, analysis: Analysis, node_id: str) -> str | None:
    node = doc.nodes.get(node_id)
    params = analysis.params.get(node_id)
    ins = analysis.in_shapes.get(node_id)
    if node is None or params is None or not ins:
        return None
    if node.type == "Block":
        return _block(doc, analysis, node_id, params, ins)
    explain = _EXPLAINERS.get(node.type)
    if explain is None:
        return None
    try:
        return explain(node.type, params, ins)
    except (IndexError, KeyError, TypeError, ValueError, ZeroDivisionError):
        return None  # inputs of the wrong rank: the problem message says what to fix


def _block(doc: GraphDocument, analysis: Analysis, node_id: str, params: dict, ins) -> str:
    """What a block does to its input, its arguments, and its parameters per copy."""
    defn = doc.root.blocks.get(params.get("definition", ""))
    out = analysis.shapes.get(node_id)
    if defn is None or out is None:
        return None
    repeat = params.get("repeat", 1)
    head = f"Block '{defn.label}'" + (f" ×{repeat} (each copy takes the previous one's output)"
                                       if repeat > 1 else "")
    lines = [head, f"{', '.join(fmt(s) for s in ins)} → {fmt(out)}"]
    if params.get("args"):
        lines.append("with " + ", ".join(f"{k} = {v}" for k, v in params["args"].items()))
    total = analysis.counts.get(node_id, 0)
    runs = analysis.instances.get(node_id, [])
    if repeat > 1 and runs:
        each = ", ".join(_n(run.total_params) for run in runs[:4])
        lines.append(f"parameters: {_n(total)} ({each}{', …' if len(runs) > 4 else ''} "
                     "per copy)")
    else:
        lines.append(f"parameters: {_n(total)}")
    return "\n".join(lines)


def _n(v: int) -> str:
    return f"{v:,}"


def _minus(v: int) -> str:
    return f"−{-v}" if v < 0 else str(v)


def _window_line(axis: str, n: int, k: int, s: int, p: int, d: int = 1) -> str:
    span = d * (k - 1) + 1
    out = (n + 2 * p - span) // s + 1
    line = f"{axis}: ⌊({n} + 2·{p} − {span}) / {s}⌋ + 1 = {_minus(out)}"
    if d != 1:
        line += f"   (dilated kernel: {d}·({k} − 1) + 1 = {span})"
    if out < 1:
        line += "   — too small: use a smaller kernel or more padding"
    return line


def _conv(kind: str, p: dict, ins) -> str:
    dims = 1 if kind == "Conv1d" else 2
    shape = ins[0]
    k, s, d = conv_geometry(p, dims)
    pad = resolve_padding(p["padding"], k, d, dims)
    lines = [f"{kind}: {FORMULA}"]
    for i, axis in enumerate(AXES[dims]):
        if pad == "same":
            lines.append(f"{axis}: 'same' padding keeps {shape[1 + i]}"
                         + ("" if s[i] == 1 else f" — but needs stride 1, not {s[i]}"))
        else:
            lines.append(_window_line(axis, shape[1 + i], k[i], s[i], pad[i], d[i]))
    lines.append(f"channels: {p['filters']} filters → {p['filters']} feature maps")
    lines.append(_conv_params(p, shape[0], k))
    return "\n".join(lines)


def _conv_params(p: dict, cin: int, k) -> str:
    kernel = "·".join(str(v) for v in k)
    per = f"{cin}/{p['groups']}" if p["groups"] > 1 else str(cin)
    weights = cin // p["groups"] * p["filters"]
    for v in k:
        weights *= v
    bias = p["filters"] if p["bias"] else 0
    text = f"parameters: {kernel}·{per}·{p['filters']} weights"
    return text + (f" + {bias} biases = {_n(weights + bias)}" if bias else f" = {_n(weights)}")


def _pool(kind: str, p: dict, ins) -> str:
    dims = 1 if kind.endswith("1d") else 2
    shape = ins[0]
    k, s, pad = pool_geometry(p, dims)
    lines = [f"{kind}: {FORMULA}"]
    if p["stride"] == 0:
        lines[0] += "\nstride 0 means stride = window size (windows do not overlap)"
    if p.get("ceil_mode"):
        lines[0] = lines[0].replace("⌊(n + 2p − k) / s⌋", "⌈(n + 2p − k) / s⌉") + \
            "\nceil mode: rounds up, but a window may not start in the right padding"
    for i, axis in enumerate(AXES[dims]):
        if p.get("ceil_mode"):
            lines.append(_ceil_line(axis, shape[1 + i], k[i], s[i], pad[i]))
        else:
            lines.append(_window_line(axis, shape[1 + i], k[i], s[i], pad[i]))
    lines.append(f"channels: unchanged, {shape[0]}")
    return "\n".join(lines)


def _ceil_line(axis: str, n: int, k: int, s: int, p: int) -> str:
    out = pool_out(n, k, s, p, True)
    line = f"{axis}: ⌈({n} + 2·{p} − {k}) / {s}⌉ + 1"
    if out != -(-(n + 2 * p - k) // s) + 1:
        line += " − 1 (the last window would start in the padding)"
    line += f" = {_minus(out)}"
    return line + ("   — too small: use a smaller kernel or more padding" if out < 1 else "")


def _adaptive(kind: str, p: dict, ins) -> str:
    shape = ins[0]
    dims = 1 if kind.endswith("1d") else 2
    how = "average" if "Avg" in kind else "maximum"
    size = (p["output_size"],) * dims if isinstance(p["output_size"], int) \
        else tuple(p["output_size"])
    sizes = ", ".join(f"{axis} {n} → {o}"
                      for axis, n, o in zip(AXES[dims], shape[1:], size, strict=True))
    return (f"{kind}: the {how} over windows sized to give a fixed output, {sizes}; "
            f"any input size works\nchannels: unchanged, {shape[0]}")


def _convt(kind: str, p: dict, ins) -> str:
    shape = ins[0]
    k, s, d = pair(p["kernel_size"]), pair(p["stride"]), pair(p["dilation"])
    pad, extra = pair(p["padding"]), pair(p["output_padding"])
    lines = [f"{kind}: output = (n − 1)·s − 2p + k + output_padding"]
    for i, axis in enumerate(AXES[2]):
        span = d[i] * (k[i] - 1) + 1
        out = (shape[1 + i] - 1) * s[i] - 2 * pad[i] + span + extra[i]
        lines.append(f"{axis}: ({shape[1 + i]} − 1)·{s[i]} − 2·{pad[i]} + {span} + {extra[i]}"
                     f" = {_minus(out)}" + ("" if d[i] == 1 else
                                            f"   (dilated kernel {d[i]}·({k[i]} − 1) + 1)"))
    lines.append(f"channels: {p['filters']} filters → {p['filters']} feature maps")
    return "\n".join(lines)


def _upsample(kind: str, p: dict, ins) -> str:
    c, h, w = ins[0]
    f = p["scale_factor"]
    return f"{kind}: height {h}·{f} = {h * f}, width {w}·{f} = {w * f}, channels {c}"


def _dense(kind: str, p: dict, ins) -> str:
    (n,) = ins[0]
    units = p["units"]
    text = f"Dense: {n} inputs · {units} units = {_n(n * units)} weights"
    if p["bias"]:
        text += f" + {units} biases = {_n(n * units + units)} parameters"
    return text


def _flatten(kind: str, p: dict, ins) -> str:
    shape = ins[0]
    total = 1
    for v in shape:
        total *= v
    return f"Flatten: {'·'.join(str(v) for v in shape)} = {_n(total)} values per sample"


def _concat(kind: str, p: dict, ins) -> str:
    rank = len(ins[0]) + 1
    dim = p["dim"] if p["dim"] >= 0 else rank + p["dim"]
    sizes = [s[dim - 1] for s in ins]
    what = "channels" if dim == 1 and rank > 2 else "features" if rank == 2 else f"axis {dim}"
    return f"Concatenate {what}: {' + '.join(str(v) for v in sizes)} = {sum(sizes)}"


def _global(kind: str, p: dict, ins) -> str:
    shape = ins[0]
    how = "average" if "Avg" in kind else "maximum"
    window = "×".join(str(v) for v in shape[1:])
    return (f"{kind}: the {how} of each {window} map: {fmt(shape)} → {fmt(shape[:1])}")


_EXPLAINERS = {
    "Conv1d": _conv, "Conv2d": _conv, "ConvTranspose2d": _convt,
    "MaxPool1d": _pool, "MaxPool2d": _pool, "AvgPool1d": _pool, "AvgPool2d": _pool,
    "UpSampling2d": _upsample, "Dense": _dense, "Flatten": _flatten, "Concatenate": _concat,
    "GlobalAvgPool": _global, "GlobalMaxPool": _global,
    "AdaptiveAvgPool1d": _adaptive, "AdaptiveAvgPool2d": _adaptive,
    "AdaptiveMaxPool1d": _adaptive, "AdaptiveMaxPool2d": _adaptive,
}
