"""nn.LSTM / nn.GRU / nn.RNN calls and the tuples they return, for the torch.fx import.

A recurrent module returns `(output, h_n)` (LSTM: `(output, (h_n, c_n))`); forwards take
parts of it: `out[:, -1, :]` or `h_n[-1]` (the last step), or the whole `out` (every step).
The design's recurrent layers return either every step or the last one, so the call becomes
a layer only once we see which part is used. Sequence-first modules (no `batch_first`)
map when forward transposes their input from batch-first (`x.permute(1, 0, 2)`) and takes
`out[-1]`; zero initial states (`torch.zeros(layers, x.size(0), hidden)`) are the default
and are left out. Everything else is refused with what to change.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field

from backend.importer.fx_map import Unmapped

KINDS = {"LSTM": "LSTM", "GRU": "GRU", "RNN": "SimpleRNN"}


@dataclass
class RecCall:
    node: object
    module: object
    kind: str
    data: object  # the batch-first input fx node
    batch_first: bool
    ids: dict[str, str] = field(default_factory=dict)  # mode ('seq' | 'last') -> design id

    @property
    def stacked(self) -> int:
        return self.module.num_layers * (2 if self.module.bidirectional else 1)

    def params(self, mode: str) -> dict:
        m = self.module
        return {"units": m.hidden_size, "num_layers": m.num_layers,
                "bidirectional": m.bidirectional, "dropout": float(m.dropout),
                "return_sequences": mode == "seq"}


def is_recurrent(module) -> bool:
    from torch import nn

    return type(module) in (nn.LSTM, nn.GRU, nn.RNN)


def swaps_first_axes(node) -> bool:
    """x.transpose(0, 1), x.permute(1, 0, 2), torch.transpose(x, 0, 1)..."""
    import torch

    if node.op == "call_method" and node.target == "transpose" or \
            node.op == "call_function" and node.target is torch.transpose:
        return sorted(a % 3 for a in node.args[1:3] if isinstance(a, int)) == [0, 1]
    if node.op == "call_method" and node.target == "permute":
        dims = node.args[1:]
        dims = dims[0] if len(dims) == 1 and isinstance(dims[0], tuple | list) else dims
        return list(dims) == [1, 0, 2]
    return False


def recurrent_call(node, module, metas) -> RecCall:
    """Check a recurrent module call and find its batch-first input."""
    name = type(module).__name__
    if not module.bias or getattr(module, "proj_size", 0):
        raise Unmapped(f"nn.{name} with bias=False or proj_size", "use the defaults")
    if name == "RNN" and module.nonlinearity != "tanh":
        raise Unmapped("nn.RNN with nonlinearity='relu'", "use the default tanh")
    hx = node.args[1] if len(node.args) > 1 else node.kwargs.get("hx")
    for state in _nodes(hx):
        if not metas[state].zero:
            raise Unmapped(f"nn.{name} started from a hidden state that is not zero",
                           "start from zeros (leave out the initial state)")
    x = node.args[0]
    if module.batch_first:
        return RecCall(node, module, KINDS[name], x, True)
    if swaps_first_axes(x):
        return RecCall(node, module, KINDS[name], x.args[0], False)
    raise Unmapped(f"nn.{name} without batch_first=True reads (time, batch, features)",
                   "set batch_first=True (Netwright designs keep the batch first), or "
                   "transpose the input inside forward")


def _nodes(value) -> list:
    from torch import fx

    if isinstance(value, fx.Node):
        return [value]
    if isinstance(value, tuple | list):
        return [n for v in value for n in _nodes(v)]
    return []


class Tokens:
    """Parts of recurrent results still waiting to become layers: fx node -> (part, call).

    Parts: 'result' (the tuple), 'seq' (all outputs), 'state' (LSTM's (h, c)), 'h', 'c'."""

    def __init__(self, metas):
        self.metas = metas
        self.parts: dict = {}

    def has(self, node) -> bool:
        return node in self.parts

    def step(self, node) -> tuple[str, RecCall] | None:
        """If `node` takes a part of a recurrent result: ('mode', call) when it is the layer's
        output, or None when it only narrows the part (recorded for its users)."""
        src = node.args[0] if node.args else None
        part, rec = self.parts[src]
        if node.op == "call_function" and node.target is operator.getitem:
            return self._index(node, part, rec, node.args[1])
        if part == "seq" and not rec.batch_first and swaps_first_axes(node):
            return "seq", rec
        if part == "h" and rec.stacked == 1 and node.op == "call_method" and \
                node.target in ("squeeze", "view", "reshape") and \
                self.metas[node].sample == (rec.module.hidden_size,):
            return "last", rec
        if part == "seq" and rec.batch_first:
            return "generic", rec
        raise Unmapped(f"a use of {part_name(part, rec)} other than the last step or the "
                       "whole sequence", "take out[:, -1] or h_n[-1]")

    def _index(self, node, part, rec, idx):
        if part == "result":
            new = {0: "seq", 1: "state" if rec.kind == "LSTM" else "h"}.get(idx)
            if new is None:
                raise Unmapped(f"item {idx} of {rec.node.target}'s result")
            self.parts[node] = (new, rec)
            return None
        if part == "state":
            self.parts[node] = ({0: "h", 1: "c"}[idx], rec)
            return None
        if part == "seq" and self._last_step(idx, rec):
            return "last", rec
        first = _first_index(idx)
        if part == "h" and first is not None and first % rec.stacked == rec.stacked - 1:
            if rec.module.bidirectional:
                raise Unmapped(f"h_n[{first}] of a bidirectional {rec.kind} (the backward "
                               "direction only)", "take out[:, -1] (both directions)")
            return "last", rec
        raise Unmapped(f"{part_name(part, rec)}[{_index_text(idx)}]",
                       "take out[:, -1] (the last step) or the whole output")

    def _last_step(self, idx, rec) -> bool:
        steps = self.metas[rec.node].parts[0].shapes[0][1 if rec.batch_first else 0]
        if not rec.batch_first:
            first = _first_index(idx)
            return first is not None and first % steps == steps - 1
        if not isinstance(idx, tuple) or len(idx) not in (2, 3):
            return False
        whole = slice(None, None, None)
        return idx[0] == whole and isinstance(idx[1], int) and idx[1] % steps == steps - 1 \
            and all(i == whole for i in idx[2:])


def _first_index(idx) -> int | None:
    """k for idx == k or (k, :, :); None otherwise."""
    if isinstance(idx, int):
        return idx
    whole = slice(None, None, None)
    if isinstance(idx, tuple) and idx and isinstance(idx[0], int) \
            and all(i == whole for i in idx[1:]):
        return idx[0]
    return None


def part_name(part: str, rec: RecCall) -> str:
    names = {"result": "the result", "seq": "the output", "state": "the (h_n, c_n) state",
             "h": "h_n", "c": "c_n (the cell state)"}
    return f"{names[part]} of self.{rec.node.target}"


def _index_text(idx) -> str:
    if isinstance(idx, tuple):
        return ", ".join(_index_text(i) for i in idx)
    if isinstance(idx, slice):
        parts = ["" if v is None else str(v) for v in (idx.start, idx.stop)]
        return ":".join(parts) + (f":{idx.step}" if idx.step is not None else "")
    return str(idx)
