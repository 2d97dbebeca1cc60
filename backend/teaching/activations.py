"""Activation functions and their derivatives, as the course draws them.

`ACTIVATIONS[layer_type]` describes each activation layer of the registry (and "Linear", no
activation): its formula, its derivative's formula, its output range, where it saturates and
one sentence on what that means for training. `curve(kind, params)` samples f and f' on a grid
for the inspector's plot and the Activations page. Derivatives at kinks follow torch (ReLU and
Step have slope 0 at 0). A unit *saturates* when its output lies within 2 % of the output range
from a limit; there the derivative is under a tenth of its peak and gradients fade.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

SATURATION_BAND = 0.02  # of the output range


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # stable for large |x|


_erf = np.vectorize(math.erf, otypes=[float])


def _phi(x):
    return 0.5 * (1.0 + _erf(x / math.sqrt(2.0)))


def _gelu_d(x):
    return _phi(x) + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


def _silu_d(x):
    s = _sigmoid(x)
    return s * (1.0 + x * (1.0 - s))


def _mish_d(x):
    t = np.tanh(np.logaddexp(0.0, x))
    return t + x * _sigmoid(x) * (1.0 - t * t)


def _softplus(x, p):
    beta, threshold = float(p.get("beta", 1.0)), float(p.get("threshold", 20.0))
    return np.where(beta * x > threshold, x, np.logaddexp(0.0, beta * x) / beta)


def _softplus_d(x, p):
    beta, threshold = float(p.get("beta", 1.0)), float(p.get("threshold", 20.0))
    return np.where(beta * x > threshold, 1.0, _sigmoid(beta * x))


def _hardswish_d(x):  # as torch: 0 up to −3, x/3 + 1/2 between, 1 from 3
    return np.where(x <= -3, 0.0, np.where(x < 3, x / 3 + 0.5, 1.0))


@dataclass(frozen=True)
class Activation:
    kind: str
    formula: str
    derivative: str
    f: Callable[[np.ndarray, dict], np.ndarray]
    df: Callable[[np.ndarray, dict], np.ndarray]
    limits: tuple[float, float] | None  # output range when bounded on both sides
    note: str

    def saturated(self, y: np.ndarray) -> np.ndarray:
        """True where an output is within SATURATION_BAND of the range from a limit."""
        if self.limits is None:
            return np.zeros(np.shape(y), dtype=bool)
        lo, hi = self.limits
        band = SATURATION_BAND * (hi - lo)
        return (y < lo + band) | (y > hi - band)


def _slope(p: dict) -> float:
    return float(p.get("negative_slope", 0.01))


def _alpha(p: dict) -> float:
    return float(p.get("alpha", 1.0))


def _prelu_slope(p: dict) -> float:
    return float(p.get("init_slope", 0.25))


ACTIVATIONS: dict[str, Activation] = {a.kind: a for a in (
    Activation("Linear", "f(x) = x", "f'(x) = 1", lambda x, p: x, lambda x, p: np.ones_like(x),
               None, "No activation: stacked linear layers collapse into one linear map."),
    Activation("Step", "f(x) = 1 if x > 0 else 0", "f'(x) = 0 (undefined at 0)",
               lambda x, p: (x > 0).astype(float), lambda x, p: np.zeros_like(x), None,
               "The perceptron's activation: its derivative is zero everywhere, so gradient "
               "descent needs a stand-in (the perceptron rule, or a straight-through gradient)."),
    Activation("ReLU", "f(x) = max(0, x)", "f'(x) = 1 if x > 0 else 0",
               lambda x, p: np.maximum(x, 0.0), lambda x, p: (x > 0).astype(float), None,
               "Never saturates for x > 0, but a unit whose input stays negative outputs 0 "
               "with gradient 0: it is dead and stops learning."),
    Activation("LeakyReLU", "f(x) = x if x > 0 else α·x", "f'(x) = 1 if x > 0 else α",
               lambda x, p: np.where(x > 0, x, _slope(p) * x),
               lambda x, p: np.where(x > 0, 1.0, _slope(p)), None,
               "The small slope α for x < 0 keeps units from dying."),
    Activation("Sigmoid", "σ(x) = 1 / (1 + e^−x)", "σ'(x) = σ(x)·(1 − σ(x)) ≤ 0.25",
               lambda x, p: _sigmoid(x), lambda x, p: _sigmoid(x) * (1 - _sigmoid(x)),
               (0.0, 1.0), "Output in (0, 1), not zero-centred; its derivative is at most "
               "0.25, so gradients shrink through every sigmoid layer (vanishing gradients)."),
    Activation("Tanh", "tanh(x) = 2σ(2x) − 1", "tanh'(x) = 1 − tanh(x)² ≤ 1",
               lambda x, p: np.tanh(x), lambda x, p: 1 - np.tanh(x) ** 2, (-1.0, 1.0),
               "Zero-centred with a larger gradient than sigmoid, but it saturates too."),
    Activation("ELU", "f(x) = x if x > 0 else α·(e^x − 1)", "f'(x) = 1 if x > 0 else α·e^x",
               lambda x, p: np.where(x > 0, x, _alpha(p) * np.expm1(np.minimum(x, 0))),
               lambda x, p: np.where(x > 0, 1.0, _alpha(p) * np.exp(np.minimum(x, 0))), None,
               "Smooth for x < 0 and approaches −α: mean outputs nearer zero than ReLU."),
    Activation("GELU", "f(x) = x·Φ(x)", "f'(x) = Φ(x) + x·φ(x)",
               lambda x, p: x * _phi(x), lambda x, p: _gelu_d(x), None,
               "A smooth ReLU weighted by the normal CDF Φ; used in transformers."),
    Activation("SiLU", "f(x) = x·σ(x)", "f'(x) = σ(x)·(1 + x·(1 − σ(x)))",
               lambda x, p: x * _sigmoid(x), lambda x, p: _silu_d(x), None,
               "Swish: smooth, dips slightly below zero, then grows like ReLU."),
    Activation("ReLU6", "f(x) = min(max(0, x), 6)", "f'(x) = 1 if 0 < x < 6 else 0",
               lambda x, p: np.clip(x, 0.0, 6.0), lambda x, p: ((x > 0) & (x < 6)).astype(float),
               (0.0, 6.0), "A ReLU capped at 6: units at 0 or at 6 pass no gradient."),
    Activation("Hardsigmoid", "f(x) = relu6(x + 3) / 6", "f'(x) = 1/6 if −3 < x < 3 else 0",
               lambda x, p: np.clip(x / 6 + 0.5, 0.0, 1.0),
               lambda x, p: np.where((x > -3) & (x < 3), 1 / 6, 0.0), (0.0, 1.0),
               "A piecewise-linear sigmoid: flat beyond ±3, where no gradient passes at all."),
    Activation("Hardswish", "f(x) = x·relu6(x + 3) / 6",
               "f'(x) = 0 below −3, x/3 + 1/2 up to 3, then 1",
               lambda x, p: x * np.clip(x + 3, 0.0, 6.0) / 6, lambda x, p: _hardswish_d(x),
               None, "A piecewise-linear swish: 0 below −3, x above 3."),
    Activation("Mish", "f(x) = x·tanh(softplus(x))",
               "f'(x) = tanh(sp(x)) + x·σ(x)·(1 − tanh²(sp(x)))",
               lambda x, p: x * np.tanh(np.logaddexp(0.0, x)), lambda x, p: _mish_d(x), None,
               "Smooth and non-monotonic like swish, slightly below zero for x < 0."),
    Activation("Softplus", "f(x) = log(1 + e^(βx)) / β", "f'(x) = σ(βx)",
               _softplus, _softplus_d, None,
               "A smooth ReLU, always positive; its derivative is a sigmoid, never exactly 0."),
    Activation("PReLU", "f(x) = x if x > 0 else a·x  (a learned)", "f'(x) = 1 if x > 0 else a",
               lambda x, p: np.where(x > 0, x, _prelu_slope(p) * x),
               lambda x, p: np.where(x > 0, 1.0, _prelu_slope(p)), None,
               "A LeakyReLU whose slope a is learned; drawn with the slope it starts at."),
    Activation("Softmax", "p₁ = e^x / (e^x + e^0)  (two classes, other logit 0)",
               "∂p₁/∂x = p₁·(1 − p₁)",
               lambda x, p: _sigmoid(x), lambda x, p: _sigmoid(x) * (1 - _sigmoid(x)),
               (0.0, 1.0), "Softmax over two logits is a sigmoid of their difference; over "
               "more classes, raising one logit takes probability from all the others."),
    Activation("LogSoftmax", "log p₁ = x − log(e^x + e^0)  (two classes)",
               "∂ log p₁/∂x = 1 − p₁",
               lambda x, p: -np.logaddexp(0.0, -x), lambda x, p: 1 - _sigmoid(x), None,
               "Log-probabilities: pair it with a negative log-likelihood loss."),
)}


def curve(kind: str, params: dict | None = None, lo: float = -5.0, hi: float = 5.0,
          n: int = 401) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, f(x), f'(x)) on `n` points from `lo` to `hi`."""
    act = ACTIVATIONS[kind]
    x = np.linspace(lo, hi, n)
    params = params or {}
    return x, act.f(x, params), act.df(x, params)


def saturated_inputs(kind: str, x: np.ndarray, params: dict | None = None) -> np.ndarray:
    """True where an input x drives the unit into saturation."""
    act = ACTIVATIONS[kind]
    return act.saturated(act.f(np.asarray(x, dtype=float), params or {}))
