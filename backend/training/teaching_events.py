"""What the teaching probes report during a run (plain numbers and numpy arrays, no torch).

The designer imports these without torch: the Explore pages and the Activations view read them.
`activation_warnings` turns the shares into sentences that say what to change.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from backend.training.events import ProbeResult

DEAD_WARN = 0.5  # share of dead ReLUs that earns a warning
SATURATED_WARN = 0.5  # share of saturated sigmoid/tanh outputs that earns a warning
QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)


@dataclass
class ActivationStats(ProbeResult):
    """Per activation layer, over a fixed probe batch: saturation, dead units, distribution."""

    nodes: list[str]
    kinds: list[str]
    labels: list[str]  # "ReLU 'r1'"
    saturated: np.ndarray  # float32 (L,): share of outputs near a limit (NaN: not bounded)
    dead: np.ndarray  # float32 (L,): share of units at 0 for every sample (NaN: not ReLU)
    quantiles: np.ndarray  # float32 (L, 5): the 5/25/50/75/95 % points of the outputs
    counts: list[np.ndarray]  # int64 (bins,) per layer
    edges: list[np.ndarray]  # float32 (bins + 1,) per layer
    samples: int = 0
    warnings: list[str] = field(default_factory=list)


@dataclass
class OutputNumbers(ProbeResult):
    """The output layer's raw scores for the probe sample and its true class."""

    node: str
    node_label: str
    kind: str  # softmax | binary | multilabel
    logits: np.ndarray  # float32 (K,)
    target: int | None = None
    targets: np.ndarray | None = None  # multi-hot (K,) for multilabel
    class_name: str = ""


@dataclass
class RecurrentStates(ProbeResult):
    """A recurrent layer's first-layer weights and its input for the probe sequence."""

    node: str
    node_label: str
    kind: str  # SimpleRNN | LSTM | GRU
    weights: dict[str, np.ndarray]  # weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0
    sequence: np.ndarray  # float32 (T, F): what the layer reads for the probe sample
    note: str = ""  # e.g. "2 layers, bidirectional: the page unrolls the first, forwards"
    step_losses: np.ndarray | None = None  # (T,) the loss at each step (sequence outputs)
    step_outputs: np.ndarray | None = None  # (T,) the output's first feature at each step
    step_targets: np.ndarray | None = None  # (T,) the target's first feature at each step


@dataclass
class KernelProbe(ProbeResult):
    """A Conv/Pool layer's input for the probe sample and its learned kernels."""

    node: str
    node_label: str
    mode: str  # conv | max | avg
    input: np.ndarray  # float32 (C, H, W): first channels, top-left corner
    kernels: np.ndarray | None = None  # float32 (O, I, kh, kw): first filters and channels
    bias: np.ndarray | None = None  # float32 (O,)


def _pct(share: float) -> str:
    return f"{share:.0%}"


def activation_warnings(labels: list[str], kinds: list[str], saturated: np.ndarray,
                        dead: np.ndarray) -> list[str]:
    """One sentence per layer whose units stop learning, with what to change."""
    out = []
    for label, kind, sat, gone in zip(labels, kinds, saturated, dead, strict=True):
        if not math.isnan(gone) and gone >= DEAD_WARN:
            out.append(f"{label}: {_pct(gone)} of its units output 0 for every probe sample "
                       "(dead ReLUs get no gradient): lower the learning rate, use He "
                       "initialisation or LeakyReLU")
        elif not math.isnan(sat) and sat >= SATURATED_WARN:
            limits = "−1 or 1" if kind == "Tanh" else "0 or 1"
            out.append(f"{label}: {_pct(sat)} of its outputs sit near {limits} (saturated: "
                       "almost no gradient passes): normalise the inputs, use Xavier "
                       "initialisation or BatchNorm before it, lower the learning rate, or "
                       "use ReLU")
    return out
