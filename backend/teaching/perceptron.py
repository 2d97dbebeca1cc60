"""The perceptron learning rule on 2-D sets: a separable set is learned, XOR never is.

A perceptron outputs step(w·x + b) (1 if positive, else 0). The rule visits the samples in a
fixed order and, after each mistake, moves the line towards the sample:
w ← w + η·(t − y)·x and b ← b + η·(t − y). On a linearly separable set it stops making
mistakes after finitely many updates (Rosenblatt's convergence theorem); on XOR it cannot,
and `train` shows why: every epoch still has errors, the weights come back to a state they
had before (so the rule is cycling forever), and `best_linear_accuracy` proves that no
straight line at all classifies every point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SETS = {
    "clouds": "Two clouds (separable)",
    "and": "AND (separable)",
    "or": "OR (separable)",
    "xor": "XOR (not separable)",
    "xor_clouds": "XOR clouds (not separable)",
}
GATES = {"and": [0, 0, 0, 1], "or": [0, 1, 1, 1], "xor": [0, 1, 1, 0]}
CORNERS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])


def dataset(kind: str, n: int = 40, noise: float = 0.15,
            seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(points (N, 2), labels (N,) in {0, 1}) for one of SETS."""
    rng = np.random.default_rng(seed)
    if kind in GATES:
        return CORNERS.copy(), np.array(GATES[kind])
    if kind == "clouds":
        half = max(n // 2, 1)
        a = rng.normal((0.25, 0.3), noise, (half, 2))
        b = rng.normal((0.75, 0.7), noise, (half, 2))
        x, y = np.vstack([a, b]), np.repeat([0, 1], half)
    elif kind == "xor_clouds":
        per = max(n // 4, 1)
        x = np.vstack([rng.normal(c, noise, (per, 2)) for c in CORNERS])
        y = np.repeat(GATES["xor"], per)
    else:
        raise ValueError(f"unknown data set {kind!r}: choose one of {', '.join(SETS)}")
    order = rng.permutation(len(y))
    return x[order], y[order]


@dataclass
class Update:
    epoch: int  # 1-based
    sample: int  # index into the data
    w: np.ndarray  # after the update
    b: float


@dataclass
class PerceptronRun:
    updates: list[Update]  # every mistake and the weights after fixing it
    errors: list[int]  # mistakes per epoch
    converged_epoch: int | None  # first epoch without a mistake
    cycle: tuple[int, int] | None  # (earlier epoch, epoch) that started with the same weights
    w: np.ndarray
    b: float

    @property
    def converged(self) -> bool:
        return self.converged_epoch is not None


def predict(x: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    return (np.asarray(x) @ w + b > 0).astype(int)


def train(x: np.ndarray, y: np.ndarray, lr: float = 1.0, epochs: int = 50,
          w0: tuple[float, float] = (0.0, 0.0), b0: float = 0.0) -> PerceptronRun:
    """Run the perceptron rule for up to `epochs` passes; stop at the first clean epoch."""
    if not lr > 0:
        raise ValueError(f"the learning rate must be positive, not {lr}")
    w, b = np.array(w0, dtype=float), float(b0)
    updates, errors, seen = [], [], {}
    converged = cycle = None
    for epoch in range(1, epochs + 1):
        key = (*w.tolist(), b)
        if key in seen and cycle is None:
            cycle = (seen[key], epoch)
        seen.setdefault(key, epoch)
        mistakes = 0
        for i, (xi, ti) in enumerate(zip(x, y, strict=True)):
            err = int(ti) - int(xi @ w + b > 0)
            if err:
                mistakes += 1
                w = w + lr * err * xi
                b = b + lr * err
                updates.append(Update(epoch, i, w.copy(), b))
        errors.append(mistakes)
        if mistakes == 0:
            converged = epoch
            break
    return PerceptronRun(updates, errors, converged, cycle, w, b)


def best_linear_accuracy(x: np.ndarray, y: np.ndarray) -> float:
    """The best share of points any straight line (either side positive) classifies right.

    The best line can be moved until it touches two points, so the normals perpendicular to
    the lines through every pair (nudged both ways) and every threshold between sorted
    projections cover all the different ways a line can split the points.
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y).astype(int)
    n = len(y)
    if n == 0 or y.min() == y.max():
        return 1.0
    i, j = np.triu_indices(n, 1)
    d = x[j] - x[i]
    base = np.arctan2(d[:, 1], d[:, 0]) + np.pi / 2
    angles = np.concatenate([base + 1e-7, base - 1e-7, [0.0, np.pi / 2]])
    normals = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    best = 0
    for chunk in np.array_split(normals, max(1, len(normals) // 512)):
        proj = x @ chunk.T  # (n, k)
        order = np.argsort(proj, axis=0, kind="stable")
        labels = y[order]  # sorted by projection, per direction
        ones_before = np.vstack([np.zeros((1, labels.shape[1]), int), np.cumsum(labels, 0)])
        k = np.arange(n + 1)[:, None]
        # points before the threshold predicted 0, after it 1 (or the reverse)
        right = (k - ones_before) + (y.sum() - ones_before)
        best = max(best, int(right.max()), int((n - right).max()))
    return best / n
