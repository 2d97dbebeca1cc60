"""Softmax and cross-entropy in numbers: logits -> probabilities -> the loss in nats and bits.

`softmax_numbers(logits, target)` returns every intermediate the Softmax page prints: the
exponentials (after subtracting the largest logit, which changes nothing but keeps e^x
finite), their sum, the probabilities, and −log p[target] in nats (natural log, what
torch's cross-entropy reports) and in bits (log base 2: the bits needed to code the true class
with the model's probabilities). `sigmoid_numbers` does the same for one output unit with
binary cross-entropy, and for several independent units (multi-label: one sigmoid per class).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LN2 = math.log(2.0)


@dataclass(frozen=True)
class SoftmaxNumbers:
    logits: np.ndarray
    shift: float  # the largest logit, subtracted before exponentiating
    exps: np.ndarray  # e^(logit − shift)
    total: float
    probs: np.ndarray
    target: int | None
    loss_nats: float | None
    loss_bits: float | None

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.probs))

    @property
    def perplexity(self) -> float | None:
        """e^loss: as uncertain as a fair choice among this many classes."""
        return None if self.loss_nats is None else math.exp(self.loss_nats)


def _logits(values) -> np.ndarray:
    z = np.asarray(values, dtype=float).ravel()
    if z.size == 0:
        raise ValueError("enter at least one logit")
    if not np.isfinite(z).all():
        raise ValueError("every logit must be a finite number")
    return z


def softmax_numbers(logits, target: int | None = None) -> SoftmaxNumbers:
    z = _logits(logits)
    if target is not None and not 0 <= target < z.size:
        raise ValueError(f"the true class must be between 0 and {z.size - 1}, not {target}")
    shift = float(z.max())
    exps = np.exp(z - shift)
    total = float(exps.sum())
    probs = exps / total
    loss = None
    if target is not None:
        loss = float(shift + math.log(total) - z[target])  # −log softmax, computed stably
    return SoftmaxNumbers(z, shift, exps, total, probs, target, loss,
                          None if loss is None else loss / LN2)


@dataclass(frozen=True)
class SigmoidNumbers:
    logits: np.ndarray
    probs: np.ndarray  # σ(z) per unit
    targets: np.ndarray | None  # 0/1 per unit
    losses_nats: np.ndarray | None  # BCE per unit

    @property
    def loss_nats(self) -> float | None:
        return None if self.losses_nats is None else float(self.losses_nats.mean())

    @property
    def loss_bits(self) -> float | None:
        return None if self.losses_nats is None else self.loss_nats / LN2


def sigmoid_numbers(logits, targets=None) -> SigmoidNumbers:
    """σ per unit and binary cross-entropy per unit (the mean is torch's BCEWithLogits)."""
    z = _logits(logits)
    probs = 0.5 * (1.0 + np.tanh(0.5 * z))
    if targets is None:
        return SigmoidNumbers(z, probs, None, None)
    t = np.asarray(targets, dtype=float).ravel()
    if t.shape != z.shape:
        raise ValueError(f"{z.size} outputs need {z.size} targets, not {t.size}")
    # −[t log σ(z) + (1 − t) log(1 − σ(z))] = softplus(z) − t·z, stable for any z
    losses = np.logaddexp(0.0, z) - t * z
    return SigmoidNumbers(z, probs, t, losses)
