"""Recurrent layers: SimpleRNN, LSTM, GRU over (B, time, features).

h_t = σ(W x_t + U h_{t-1}); LSTM adds a cell state with forget/input/output gates, GRU uses
update and reset gates. Each returns every step (B, T, H·dirs) or only the last (B, H·dirs).
"""

from __future__ import annotations

from backend.layers._common import fmt
from backend.layers.registry import register
from backend.layers.spec import CodeForm, LayerSpec, Param, ShapeError

GATES = {"SimpleRNN": 1, "GRU": 3, "LSTM": 4}
CELL = {"SimpleRNN": "rnn", "GRU": "gru", "LSTM": "lstm"}


def _rnn_shape(kind):
    def rule(ins, p):
        (shape,) = ins
        if len(shape) != 2:
            raise ShapeError(f"{kind} expects (B, time, features) but receives {fmt(shape)}: "
                             "insert a Reshape to [time, features] before it")
        width = p["units"] * (2 if p["bidirectional"] else 1)
        return (shape[0], width) if p["return_sequences"] else (width,)
    return rule


def _rnn_count(kind):
    def count(p, s):
        g, h, dirs = GATES[kind], p["units"], 2 if p["bidirectional"] else 1
        total, width = 0, s[0][1]
        for _ in range(p["num_layers"]):
            total += dirs * g * (h * width + h * h + 2 * h)
            width = h * dirs
        return total
    return count


def _rnn_args(kind, p, s):
    return (f"{CELL[kind]!r}, {s[0][1]}, {p['units']}, num_layers={p['num_layers']}, "
            f"bidirectional={p['bidirectional']}, dropout={p['dropout']!r}, "
            f"sequences={p['return_sequences']}")


def _rnn_build(kind):
    def build(p, s):
        from backend.layers.modules import Recurrent

        return Recurrent(CELL[kind], s[0][1], p["units"], p["num_layers"],
                         p["bidirectional"], p["dropout"], p["return_sequences"])
    return build


_DESCRIPTIONS = {
    "SimpleRNN": "Elman RNN: h_t = tanh(W x_t + U h_{t-1}); weights shared across time; "
                 "struggles with long-range dependencies.",
    "LSTM": "Long short-term memory: a cell state with forget, input and output gates "
            "carries information across long sequences.",
    "GRU": "Gated recurrent unit: update and reset gates, no separate cell state; "
           "lighter than an LSTM.",
}

for _kind in ("SimpleRNN", "LSTM", "GRU"):
    register(LayerSpec(
        type=_kind, category="recurrent", description=_DESCRIPTIONS[_kind],
        params=(Param("units", "int", 64, "Size of the hidden state h_t.", min=1, max=65536),
                Param("num_layers", "int", 1, "Recurrent layers stacked on each other.",
                      min=1, max=16, label="layers"),
                Param("bidirectional", "bool", False, "Also read the sequence backwards and "
                      "concatenate both hidden states."),
                Param("dropout", "float", 0.0, "Dropout between stacked layers (not on the "
                      "recurrent connections).", min=0.0, max=1.0, exclusive_max=True),
                Param("return_sequences", "bool", False, "Return every time step "
                      "(B, T, H) instead of only the last (B, H).")),
        shape_rule=_rnn_shape(_kind), build=_rnn_build(_kind),
        code=lambda p, s, k=_kind: CodeForm(f"Recurrent({_rnn_args(k, p, s)})",
                                            helpers=("Recurrent",)),
        param_count=_rnn_count(_kind),
    ))
