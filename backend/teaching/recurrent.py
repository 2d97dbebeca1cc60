"""A recurrent layer unrolled over time, step by step, with every gate visible (numpy).

`unroll(kind, weights, x)` runs the first layer (forward direction) of a torch-style
SimpleRNN, LSTM or GRU over one sequence x (T, features) with torch's parameter layout
(`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`; LSTM gates stacked as input,
forget, cell, output; GRU as reset, update, new) and returns the hidden state at every step,
the LSTM's cell state, and each gate's activation per step and unit. The same weights serve
every step: that is what "unrolling" draws. `random_weights` gives torch's default
initialisation (uniform ±1/√units) for the standalone page; `sine_sequence` a probe-like input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

GATE_NAMES = {
    "SimpleRNN": (),
    "LSTM": ("input gate i", "forget gate f", "candidate g", "output gate o"),
    "GRU": ("reset gate r", "update gate z", "candidate n"),
}
STACK = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


@dataclass
class Unrolled:
    kind: str
    x: np.ndarray  # (T, F)
    h: np.ndarray  # (T, H) hidden state after each step
    c: np.ndarray | None = None  # (T, H) LSTM cell state
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (T, H)

    @property
    def steps(self) -> int:
        return len(self.x)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def random_weights(kind: str, features: int, units: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    k, g = 1.0 / np.sqrt(units), STACK[kind]
    shapes = {"weight_ih_l0": (g * units, features), "weight_hh_l0": (g * units, units),
              "bias_ih_l0": (g * units,), "bias_hh_l0": (g * units,)}
    return {name: rng.uniform(-k, k, shape) for name, shape in shapes.items()}


def sine_sequence(steps: int = 24, features: int = 1, phase: float = 0.0) -> np.ndarray:
    t = np.arange(steps)[:, None] + np.arange(features)[None, :] * 3
    return np.sin(2 * np.pi * t / 12 + phase)


def _check(kind: str, w: dict[str, np.ndarray], x: np.ndarray) -> tuple[int, int]:
    if kind not in STACK:
        raise ValueError(f"unknown recurrent layer {kind!r}: use SimpleRNN, LSTM or GRU")
    if x.ndim != 2 or not len(x):
        raise ValueError("the sequence must be (time steps, features) with at least one step")
    wih = w["weight_ih_l0"]
    units = wih.shape[0] // STACK[kind]
    if wih.shape[1] != x.shape[1]:
        raise ValueError(f"the weights expect {wih.shape[1]} features per step, the sequence "
                         f"has {x.shape[1]}")
    return units, x.shape[1]


def unroll(kind: str, weights: dict[str, np.ndarray], x: np.ndarray,
           h0: np.ndarray | None = None) -> Unrolled:
    x = np.asarray(x, dtype=float)
    w = {k: np.asarray(v, dtype=float) for k, v in weights.items()}
    units, _ = _check(kind, w, x)
    h = np.zeros(units) if h0 is None else np.asarray(h0, dtype=float)
    wih, whh = w["weight_ih_l0"], w["weight_hh_l0"]
    bih = w.get("bias_ih_l0", np.zeros(len(wih)))
    bhh = w.get("bias_hh_l0", np.zeros(len(wih)))
    step = {"SimpleRNN": _rnn_step, "LSTM": _lstm_step, "GRU": _gru_step}[kind]
    hs, cs, gates = [], [], {name: [] for name in GATE_NAMES[kind]}
    c = np.zeros(units)
    for xt in x:
        h, c, g = step(xt, h, c, wih, whh, bih, bhh, units)
        hs.append(h)
        cs.append(c)
        for name, value in zip(GATE_NAMES[kind], g, strict=True):
            gates[name].append(value)
    return Unrolled(kind, x, np.array(hs), np.array(cs) if kind == "LSTM" else None,
                    {k: np.array(v) for k, v in gates.items()})


def _rnn_step(xt, h, c, wih, whh, bih, bhh, units):
    h = np.tanh(wih @ xt + bih + whh @ h + bhh)
    return h, c, ()


def _lstm_step(xt, h, c, wih, whh, bih, bhh, units):
    z = wih @ xt + bih + whh @ h + bhh
    i, f, g, o = (z[k * units:(k + 1) * units] for k in range(4))
    i, f, g, o = _sigmoid(i), _sigmoid(f), np.tanh(g), _sigmoid(o)
    c = f * c + i * g
    return o * np.tanh(c), c, (i, f, g, o)


def _gru_step(xt, h, c, wih, whh, bih, bhh, units):
    gi, gh = wih @ xt + bih, whh @ h + bhh
    r = _sigmoid(gi[:units] + gh[:units])
    z = _sigmoid(gi[units:2 * units] + gh[units:2 * units])
    n = np.tanh(gi[2 * units:] + r * gh[2 * units:])
    return (1 - z) * n + z * h, c, (r, z, n)
