"""Welch's t-test on two small samples, with the t distribution computed here.

Why Welch's t-test: each seed gives one independent final validation figure per setting,
groups are small (3-10 seeds) and their spreads differ (a sigmoid network often varies more
across seeds than a ReLU one), so the test must not assume equal variances. A bootstrap needs
more samples than a student runs seeds for (5 values have only 126 distinct resamples and it
underestimates the spread), and a rank test cannot reach p < 0.05 with 3 seeds a side.

SciPy is not a dependency (it would add ~40 MB for one function): the two-sided p-value comes
from the regularised incomplete beta function, p = I_{df/(df+t²)}(df/2, 1/2), evaluated by
its continued fraction (modified Lentz), accurate to ~1e-12 for the degrees of freedom that
occur here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Summary:
    """Mean, sample standard deviation (n - 1) and size of one group's values."""

    n: int
    mean: float
    std: float

    @classmethod
    def of(cls, values: list[float]) -> Summary:
        n = len(values)
        if n == 0:
            return cls(0, math.nan, math.nan)
        mean = sum(values) / n
        var = sum((v - mean) ** 2 for v in values) / (n - 1) if n > 1 else math.nan
        return cls(n, mean, math.sqrt(var) if n > 1 else math.nan)


@dataclass(frozen=True)
class WelchResult:
    t: float
    df: float
    p: float  # two-sided
    difference: float  # mean(a) - mean(b)


def welch(a: list[float], b: list[float]) -> WelchResult:
    """Welch's unequal-variance t-test; needs at least 2 values in each sample."""
    sa, sb = Summary.of(a), Summary.of(b)
    if sa.n < 2 or sb.n < 2:
        raise ValueError("Welch's t-test needs at least 2 values in each group")
    diff = sa.mean - sb.mean
    va, vb = sa.std ** 2 / sa.n, sb.std ** 2 / sb.n
    se2 = va + vb
    if se2 == 0:  # both groups constant: either identical or certainly different
        return WelchResult(0.0 if diff == 0 else math.copysign(math.inf, diff),
                           float(sa.n + sb.n - 2), 1.0 if diff == 0 else 0.0, diff)
    t = diff / math.sqrt(se2)
    df = se2 ** 2 / ((va ** 2 / (sa.n - 1) if va else 0.0) + (vb ** 2 / (sb.n - 1) if vb else 0.0))
    return WelchResult(t, df, t_two_sided_p(t, df), diff)


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|) for Student's t with `df` degrees of freedom."""
    if math.isinf(t):
        return 0.0
    if df <= 0 or math.isnan(t) or math.isnan(df):
        return math.nan
    return min(1.0, max(0.0, incomplete_beta(df / 2, 0.5, df / (df + t * t))))


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularised incomplete beta function I_x(a, b) for a, b > 0 and 0 <= x <= 1."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float, steps: int = 300) -> float:
    """The continued fraction of I_x(a, b) by the modified Lentz method."""
    tiny, eps = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, steps + 1):
        for num in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                    -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + num * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + num / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1.0) < eps:
            break
    return h
