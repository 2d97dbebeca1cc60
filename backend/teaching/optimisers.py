"""The nine optimisers of the course, step by step on a 2-D surface, in numpy.

Each `Optimiser` holds its update rule exactly as torch.optim implements it (the tests compare
the trajectories with torch's on the same surface), the formula the page prints, and its
editable hyper-parameters. Keys are the training settings' optimiser names, so a trajectory
here is what `optimizer: rmsprop` with the same settings would do. `trajectory(surface, key,
hyper, start, steps)` returns the path; a run that leaves the surface's window far behind or
overflows stops with a reason instead of drawing nonsense.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from backend.teaching.surfaces import Surface


@dataclass(frozen=True)
class Hyper:
    name: str
    label: str
    default: float
    lo: float
    hi: float
    doc: str


def _lr(default: float) -> Hyper:
    return Hyper("lr", "learning rate η", default, 1e-5, 10.0, "Step size.")


MOMENTUM = Hyper("momentum", "momentum γ", 0.9, 0.0, 0.999, "Share of the previous step kept.")
BETA1 = Hyper("beta1", "β₁", 0.9, 0.0, 0.999, "Decay of the gradient average m.")
BETA2 = Hyper("beta2", "β₂", 0.999, 0.0, 0.9999, "Decay of the squared-gradient average v.")


def _sgd(theta, g, s, h):
    return theta - h["lr"] * g


def _momentum(theta, g, s, h, nesterov=False):
    buf = s.get("buf")
    s["buf"] = buf = g.copy() if buf is None else h["momentum"] * buf + g
    step = g + h["momentum"] * buf if nesterov else buf
    return theta - h["lr"] * step


def _adagrad(theta, g, s, h):
    s["sum"] = s.get("sum", 0.0) + g * g
    return theta - h["lr"] * g / (np.sqrt(s["sum"]) + 1e-10)


def _adadelta(theta, g, s, h):
    rho, eps = h["rho"], 1e-6
    s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
    delta = np.sqrt(s.get("u", 0.0) + eps) / np.sqrt(s["v"] + eps) * g
    s["u"] = rho * s.get("u", 0.0) + (1 - rho) * delta * delta
    return theta - h["lr"] * delta


def _rmsprop(theta, g, s, h):
    s["v"] = h["alpha"] * s.get("v", 0.0) + (1 - h["alpha"]) * g * g
    return theta - h["lr"] * g / (np.sqrt(s["v"]) + 1e-8)


def _moments(g, s, h) -> tuple[np.ndarray, np.ndarray, int]:
    t = s["t"] = s.get("t", 0) + 1
    s["m"] = h["beta1"] * s.get("m", 0.0) + (1 - h["beta1"]) * g
    s["v"] = h["beta2"] * s.get("v", 0.0) + (1 - h["beta2"]) * g * g
    return s["m"], s["v"], t


def _adam(theta, g, s, h):
    m, v, t = _moments(g, s, h)
    denom = np.sqrt(v) / math.sqrt(1 - h["beta2"] ** t) + 1e-8
    return theta - h["lr"] / (1 - h["beta1"] ** t) * m / denom


def _adamw(theta, g, s, h):
    return _adam(theta * (1 - h["lr"] * h["weight_decay"]), g, s, h)


def _nadam(theta, g, s, h):
    m, v, t = _moments(g, s, h)
    b1 = h["beta1"]
    mu = b1 * (1 - 0.5 * 0.96 ** (t * 0.004))
    mu_next = b1 * (1 - 0.5 * 0.96 ** ((t + 1) * 0.004))
    s["mu_product"] = product = s.get("mu_product", 1.0) * mu
    denom = np.sqrt(v / (1 - h["beta2"] ** t)) + 1e-8
    theta = theta - h["lr"] * (1 - mu) / (1 - product) * g / denom
    return theta - h["lr"] * mu_next / (1 - product * mu_next) * m / denom


@dataclass(frozen=True)
class Optimiser:
    key: str
    name: str
    formula: str
    hypers: tuple[Hyper, ...]
    step: Callable[[np.ndarray, np.ndarray, dict, dict], np.ndarray]

    def defaults(self) -> dict[str, float]:
        return {h.name: h.default for h in self.hypers}


OPTIMISERS: dict[str, Optimiser] = {o.key: o for o in (
    Optimiser("sgd", "SGD", "θ ← θ − η·∇f", (_lr(0.02),), _sgd),
    Optimiser("sgd_momentum", "Momentum", "u ← γ·u + ∇f;  θ ← θ − η·u", (_lr(0.02), MOMENTUM),
              _momentum),
    Optimiser("nesterov", "Nesterov", "u ← γ·u + ∇f;  θ ← θ − η·(∇f + γ·u)  (look-ahead)",
              (_lr(0.02), MOMENTUM), lambda t, g, s, h: _momentum(t, g, s, h, nesterov=True)),
    Optimiser("adagrad", "Adagrad", "G ← G + ∇f²;  θ ← θ − η·∇f / (√G + ε)  (rates shrink)",
              (_lr(0.3),), _adagrad),
    Optimiser("adadelta", "Adadelta",
              "v ← ρv + (1−ρ)∇f²;  Δ ← √(u+ε)/√(v+ε)·∇f;  u ← ρu + (1−ρ)Δ²;  θ ← θ − η·Δ",
              (_lr(1.0), Hyper("rho", "decay ρ", 0.9, 0.0, 0.9999,
                               "Decay of both running averages.")), _adadelta),
    Optimiser("rmsprop", "RMSprop", "v ← α·v + (1−α)·∇f²;  θ ← θ − η·∇f / (√v + ε)",
              (_lr(0.02), Hyper("alpha", "decay α", 0.9, 0.0, 0.9999,
                                "Decay of the squared-gradient average (torch's default "
                                "is 0.99; the course uses 0.9).")), _rmsprop),
    Optimiser("adam", "Adam", "m ← β₁m + (1−β₁)∇f;  v ← β₂v + (1−β₂)∇f²;  "
              "θ ← θ − η·m̂ / (√v̂ + ε)  (bias-corrected)", (_lr(0.05), BETA1, BETA2), _adam),
    Optimiser("adamw", "AdamW", "θ ← θ·(1 − η·λ), then an Adam step  (decoupled decay)",
              (_lr(0.05), BETA1, BETA2, Hyper("weight_decay", "weight decay λ", 0.01, 0.0,
                                              10.0, "Shrinks θ towards 0 each step.")),
              _adamw),
    Optimiser("nadam", "Nadam", "Adam with Nesterov momentum: the step mixes m̂ and the "
              "current gradient", (_lr(0.05), BETA1, BETA2), _nadam),
)}

ESCAPE = 50.0  # a run farther than this many window sizes from the window has diverged


@dataclass
class Trajectory:
    key: str
    points: np.ndarray  # (steps + 1, 2), the start included
    losses: np.ndarray  # f at every point
    stopped: str = ""  # why the run ended early, if it did
    hyper: dict = field(default_factory=dict)

    def final_distance(self, target: tuple[float, float]) -> float:
        return float(np.hypot(*(self.points[-1] - np.asarray(target))))


def check_hyper(opt: Optimiser, hyper: dict[str, float]) -> dict[str, float]:
    """Defaults filled in; a value out of its range raises ValueError with the range."""
    values = opt.defaults() | dict(hyper)
    for h in opt.hypers:
        v = values[h.name]
        if not (isinstance(v, int | float) and math.isfinite(v) and h.lo <= v <= h.hi):
            raise ValueError(f"{opt.name}'s {h.label} must be between {h.lo:g} and {h.hi:g}, "
                             f"not {v!r}")
    return values


def trajectory(surface: Surface, key: str, hyper: dict[str, float] | None = None,
               start: tuple[float, float] | None = None, steps: int = 200) -> Trajectory:
    opt = OPTIMISERS[key]
    h = check_hyper(opt, hyper or {})
    theta = np.array(surface.start if start is None else start, dtype=float)
    x0, x1, y0, y1 = surface.window
    far = ESCAPE * max(x1 - x0, y1 - y0)
    points, state, stopped = [theta.copy()], {}, ""
    with np.errstate(over="ignore", invalid="ignore"):
        for i in range(steps):
            g = np.array(surface.grad(theta[0], theta[1]), dtype=float)
            theta = opt.step(theta, g, state, h)
            if not np.isfinite(theta).all() or np.abs(theta).max() > far:
                stopped = f"diverged after {i + 1} steps: lower the learning rate"
                break
            points.append(theta.copy())
    pts = np.array(points)
    return Trajectory(key, pts, surface.f(pts[:, 0], pts[:, 1]), stopped, h)
