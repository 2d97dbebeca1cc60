"""Two-dimensional loss surfaces on which the optimisers race: f(x, y) and its gradient.

Each `Surface` has a formula, f and ∇f (numpy, vectorised over grids), a drawing window, a
start point that shows the surface's difficulty, and its minimum. The saddle here is
x² + y⁴/4 − y²/2: a saddle point at the origin between two valleys at y = ±1, so an optimiser
that escapes the saddle comes to rest in view instead of running off to −∞.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Surface:
    key: str
    name: str
    formula: str
    f: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]
    window: tuple[float, float, float, float]  # x0, x1, y0, y1
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    lesson: str
    log_levels: bool = False  # contour levels on a log scale (steep walls)
    lr: dict[str, float] = field(default_factory=dict)  # learning rates that suit the surface
    steps: int = 200

    def hyper(self, key: str, defaults: dict[str, float]) -> dict[str, float]:
        """An optimiser's default hyper-parameters with this surface's learning rate."""
        return defaults | ({"lr": self.lr[key]} if key in self.lr else {})

    def grid(self, n: int = 160) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        x0, x1, y0, y1 = self.window
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        gx, gy = np.meshgrid(xs, ys)
        return xs, ys, self.f(gx, gy)


SURFACES: dict[str, Surface] = {s.key: s for s in (
    Surface("saddle", "Saddle point", "f(x, y) = x² + y⁴/4 − y²/2",
            lambda x, y: x ** 2 + y ** 4 / 4 - y ** 2 / 2,
            lambda x, y: (2 * x, y ** 3 - y),
            (-1.6, 1.6, -1.6, 1.6), (-1.5, 1e-3), ((0.0, -1.0), (0.0, 1.0)),
            "Starting on the ridge, the gradient along y is nearly zero: plain SGD crawls "
            "towards the saddle point, while momentum and the adaptive methods escape to a "
            "valley."),
    Surface("ravine", "Ravine", "f(x, y) = x²/50 + 2·y²",
            lambda x, y: x ** 2 / 50 + 2 * y ** 2,
            lambda x, y: (x / 25, 4 * y),
            (-5.0, 1.0, -1.5, 1.5), (-4.5, 1.0), ((0.0, 0.0),),
            "Steep walls, a gentle floor: SGD zig-zags across and creeps along; momentum "
            "averages the zig-zag away; adaptive rates scale each axis.",
            lr={"sgd": 0.4, "sgd_momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5,
                "rmsprop": 0.02}, steps=150),
    Surface("rosenbrock", "Rosenbrock", "f(x, y) = (1 − x)² + 100·(y − x²)²",
            lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
            lambda x, y: (-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)),
            (-2.0, 2.0, -1.0, 3.0), (-1.5, 2.0), ((1.0, 1.0),),
            "A curved, flat-bottomed valley: finding the valley is easy, following it to the "
            "minimum at (1, 1) is slow.", log_levels=True,
            lr={"sgd": 0.001, "sgd_momentum": 0.001, "nesterov": 0.001, "adagrad": 1.0,
                "rmsprop": 0.01, "adam": 0.1, "adamw": 0.1, "nadam": 0.1}, steps=400),
    Surface("bowl", "Bowl", "f(x, y) = x² + y²",
            lambda x, y: x ** 2 + y ** 2,
            lambda x, y: (2 * x, 2 * y),
            (-2.0, 2.0, -2.0, 2.0), (-1.5, 1.5), ((0.0, 0.0),),
            "Every optimiser reaches the minimum; the paths show each one's character "
            "(momentum overshoots, Adagrad slows down)."),
)}
