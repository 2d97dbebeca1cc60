"""ONNX LSTM, GRU and RNN operators (as torch exports them) -> the recurrent layers.

ONNX recurrent operators are sequence-first: torch wraps a `batch_first` module in a
Transpose(1, 0, 2) before the operator and reads its output Y (time, directions, batch,
hidden) back through a Squeeze of the direction axis (or, bidirectional, a Transpose and a
Reshape that put both directions side by side) and a Transpose to batch-first. Stacked
layers are one operator each, fed the previous one's sequence-first output. The design's
recurrent layers are batch-first, so this module recognises those patterns and takes them
as one layer each: the leading Transpose is an alias (`transpose_alias`), the operator with
its output chain becomes an LSTM/GRU/SimpleRNN layer (`map_recurrent`) that returns every
step, or only the last when the chain ends in taking the last step (`out[:, -1]`,
`out[-1]`, or the final hidden state of a one-direction layer). Initial states must be
zero (left out, or ConstantOfShape zeros as torch writes them); the weights are reordered
from ONNX's gate order (LSTM i-o-f-c, GRU z-r-h) to torch's (i-f-g-o, r-z-n). Anything
else (reverse direction, other activations, clipping, sequence lengths, a layout the
layers cannot follow) raises `Unmapped` with what to change.
"""

from __future__ import annotations

from backend.importer.fx_map import Unmapped

KINDS = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}
GATE_ORDER = {"LSTM": [0, 2, 3, 1], "GRU": [1, 0, 2], "RNN": [0]}  # ONNX blocks in torch order
DEFAULT_ACTIVATIONS = {"LSTM": ["Sigmoid", "Tanh", "Tanh"], "GRU": ["Sigmoid", "Tanh"],
                       "RNN": ["Tanh"]}
PASS_THROUGH = {"Slice", "Identity", "Reshape", "Squeeze", "Unsqueeze", "Expand", "Cast"}


def transpose_alias(node, g):
    """Transpose(1, 0, 2) that only feeds recurrent operators: the batch-first value itself
    (the layers take batch-first input); None for any other Transpose."""
    from backend.importer.onnx_map import OnnxAlias, attrs

    users = g.users.get(node.output[0], [])
    if list(attrs(node).get("perm", [])) == [1, 0, 2] and users and all(
            u.op_type in KINDS and u.input[0] == node.output[0] or u.op_type == "Shape"
            for u in users) and any(u.op_type in KINDS for u in users):
        return OnnxAlias(node.input[0])
    return None


def map_recurrent(node, g):
    from backend.importer.onnx_map import OnnxMapped

    a = _attributes(node)
    dirs = 2 if a["direction"] == "bidirectional" else 1
    for state in node.input[5:]:
        if state and not _zeros(state, g):
            raise Unmapped(f"ONNX {node.op_type} with a non-zero initial state",
                           "start from zero states (the layers' default)")
    if len(node.input) > 4 and node.input[4]:
        raise Unmapped(f"ONNX {node.op_type} with sequence lengths",
                       "export without packed sequences")
    hidden = int(a["hidden_size"])
    sequences, consumed = _output_chain(node, g, dirs)
    params = {"units": hidden, "num_layers": 1, "bidirectional": dirs == 2, "dropout": 0.0,
              "return_sequences": sequences}
    return OnnxMapped(KINDS[node.op_type], params, [node.input[0]],
                      _tensors(node, g, hidden, dirs), consumed)


def _attributes(node) -> dict:
    from backend.importer.onnx_map import _text, attrs

    a = attrs(node)
    a["direction"] = _text(a.get("direction", "forward"))
    what = f"ONNX {node.op_type}"
    if a["direction"] not in ("forward", "bidirectional"):
        raise Unmapped(f"{what} reading the sequence backwards only",
                       "read it forwards, or bidirectionally")
    acts = [_text(x) for x in a.get("activations", [])]
    if acts and acts[:len(DEFAULT_ACTIVATIONS[node.op_type])] != \
            DEFAULT_ACTIVATIONS[node.op_type]:
        raise Unmapped(f"{what} with activations {', '.join(acts)}",
                       "use the standard tanh activations")
    if a.get("clip") is not None or a.get("input_forget", 0) or a.get("layout", 0):
        raise Unmapped(f"{what} with clip, input_forget or layout=1",
                       "export a plain torch recurrent module")
    if node.op_type == "GRU" and not a.get("linear_before_reset", 0):
        raise Unmapped("ONNX GRU with linear_before_reset=0",
                       "export a torch nn.GRU (it applies the reset after the product)")
    if "hidden_size" not in a:
        raise Unmapped(f"{what} without hidden_size", "export it again from torch")
    return a


def _zeros(name: str, g) -> bool:
    """Whether a value is all zeros: a stored constant, or ConstantOfShape(0) passed through
    slices and reshapes (torch writes initial states so)."""
    import numpy as np

    producers = getattr(g, "producers", {})
    for _ in range(8):
        if name in g.consts:
            return not np.any(g.consts[name])
        node = producers.get(name)
        if node is None:
            return False
        if node.op_type == "ConstantOfShape":
            from onnx import numpy_helper

            value = next((numpy_helper.to_array(x.t) for x in node.attribute
                          if x.name == "value"), None)
            return value is None or not np.any(value)
        if node.op_type not in PASS_THROUGH:
            return False
        name = node.input[0]
    return False


def _only(value: str, g, op: str):
    users = g.users.get(value, [])
    return users[0] if len(users) == 1 and users[0].op_type == op else None


def _perm(node) -> list:
    from backend.importer.onnx_map import attrs

    return list(attrs(node).get("perm", []))


def _output_chain(node, g, dirs: int) -> tuple[bool, list]:
    """(every step?, the ONNX nodes the layer stands for, the last giving its output)."""
    y = node.output[0]
    if not g.users.get(y):
        return _final_state(node, g, dirs)
    chain = []
    if dirs == 1:
        squeeze = _only(y, g, "Squeeze")
        if squeeze is None or _axes(squeeze, g) != [1]:
            raise _layout(node)
        chain.append(squeeze)
    else:
        swap, reshape = _only(y, g, "Transpose"), None
        if swap is not None and _perm(swap) == [0, 2, 1, 3]:
            reshape = _only(swap.output[0], g, "Reshape")
        if reshape is None or _merged(reshape, g) is False:
            raise _layout(node)
        chain += [swap, reshape]
    return _sequence_end(node, g, chain)


def _sequence_end(node, g, chain: list) -> tuple[bool, list]:
    """After the sequence-first output (time, batch, features): a stacked operator, a
    Transpose to batch-first (maybe then its last step), or its last step directly."""
    from backend.importer.onnx_map import attrs

    seq_first = chain[-1].output[0]
    users = g.users.get(seq_first, [])
    if users and all(u.op_type in KINDS and u.input[0] == seq_first for u in users):
        return True, chain  # the next stacked layer takes it as it is
    back = _only(seq_first, g, "Transpose")
    if back is not None and _perm(back) == [1, 0, 2]:
        chain.append(back)
        last = _only(back.output[0], g, "Gather")
        if last is not None and int(attrs(last).get("axis", 0)) == 1 and _is_last(last, g):
            return False, chain + [last]
        return True, chain
    last = _only(seq_first, g, "Gather")
    if last is not None and int(attrs(last).get("axis", 0)) == 0 and _is_last(last, g):
        return False, chain + [last]
    raise _layout(node)


def _final_state(node, g, dirs: int) -> tuple[bool, list]:
    """Only Y_h is used (h_n[-1], h_n.squeeze(0), or the last of the stacked layers' states
    concatenated): the last step of a one-direction layer."""
    from backend.importer.onnx_map import attrs

    if len(node.output) < 2 or not g.users.get(node.output[1]) or dirs != 1 or any(
            g.users.get(o) for o in node.output[2:]):
        raise _layout(node)
    users = g.users[node.output[1]]
    take = users[0] if len(users) == 1 else None
    chain = [take]
    if take is not None and take.op_type == "Concat" and int(attrs(take).get("axis", 0)) == 0 \
            and take.input[-1] == node.output[1]:  # torch stacks the layers' final states
        take = _only(take.output[0], g, "Gather")
        chain.append(take)
    if take is not None and take.op_type == "Squeeze" and len(chain) == 1 and \
            _axes(take, g) == [0] or take is not None and take.op_type == "Gather" and int(
                attrs(take).get("axis", 0)) == 0 and _is_last(take, g):
        return False, chain
    raise _layout(node)


def _axes(node, g) -> list | None:
    from backend.importer.onnx_map import attrs

    if len(node.input) > 1 and node.input[1]:
        axes = g.consts.get(node.input[1])
        return None if axes is None else [int(x) for x in axes.reshape(-1)]
    axes = attrs(node).get("axes")
    return None if axes is None else [int(x) for x in axes]


def _is_last(gather, g) -> bool:
    """Gather of one scalar index: -1, or the last index of the axis."""
    index = g.consts.get(gather.input[1])
    if index is None or index.ndim != 0:
        return False
    if int(index) == -1:
        return True
    shapes = g.shapes.get(gather.input[0]) or []
    from backend.importer.onnx_map import attrs

    axis = int(attrs(gather).get("axis", 0))
    return bool(shapes) and int(index) == shapes[0][axis] - 1


def _merged(reshape, g) -> bool:
    """Whether the Reshape puts both directions side by side: (T, B, 2, H) -> (T, B, 2H)."""
    shapes, before = g.shapes.get(reshape.output[0]) or [], g.shapes.get(reshape.input[0]) or []
    return bool(shapes) and all(
        len(s) == 3 and len(b) == 4 and s[:2] == b[:2] and s[2] == b[2] * b[3]
        for s, b in zip(shapes, before, strict=False))


def _layout(node) -> Unmapped:
    return Unmapped(f"ONNX {node.op_type} whose output is used in a way the layers cannot "
                    "follow", "use its whole output sequence or its last step, "
                    "batch-first, or import the PyTorch module instead")


def _tensors(node, g, hidden: int, dirs: int) -> dict:
    """The built layer's state_dict (`rnn.weight_ih_l0`...) from W, R and B."""
    import numpy as np

    w = g.const(node.input[1], f"{node.op_type} weights")
    r = g.const(node.input[2], f"{node.op_type} recurrent weights")
    order = GATE_ORDER[node.op_type]
    gates = len(order)
    has_b = len(node.input) > 3 and node.input[3]
    b = g.const(node.input[3], f"{node.op_type} biases") if has_b else \
        np.zeros((dirs, 2 * gates * hidden), dtype=w.dtype)

    def torch_order(x):
        blocks = np.split(x, gates, axis=0)
        return np.ascontiguousarray(np.concatenate([blocks[i] for i in order], axis=0))

    out = {}
    for d in range(dirs):
        suffix = "_l0" + ("_reverse" if d else "")
        out[f"rnn.weight_ih{suffix}"] = torch_order(w[d])
        out[f"rnn.weight_hh{suffix}"] = torch_order(r[d])
        out[f"rnn.bias_ih{suffix}"] = torch_order(b[d][: gates * hidden])
        out[f"rnn.bias_hh{suffix}"] = torch_order(b[d][gates * hidden:])
    return out
