"""Hedges' g with its exact small-sample correction and interval.

``d = (mean_a - mean_b) / s_pooled`` times the exact correction
``J(df) = Gamma(df/2) / (sqrt(df/2) Gamma((df-1)/2))``, ``df = n_a + n_b - 2`` (Hedges 1981).
The interval inverts the noncentral t distribution of ``t = d sqrt(n_a n_b / (n_a + n_b))``
(Steiger & Fouladi 1997; the "exact" interval) and is scaled by ``J``. It treats cases as
independent, so with cases clustered in sites it is too narrow when sites differ: the
site-level tests (:mod:`.permutation`, :mod:`.cluster`) are the checks on it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats


@dataclass(frozen=True)
class HedgesG:
    """Hedges' g of group a minus group b with its interval and group sizes."""

    g: float
    low: float
    high: float
    n_a: int
    n_b: int


def hedges_correction(df: int) -> float:
    """The exact small-sample bias correction J(df); NaN for df < 2."""
    if df < 2:
        return math.nan
    return float(
        math.exp(special.gammaln(df / 2) - special.gammaln((df - 1) / 2)) / math.sqrt(df / 2)
    )


def _ncp_for(t: float, df: int, target: float) -> float:
    """The noncentrality at which P(T <= t) = target."""

    def f(ncp: float) -> float:
        p = float(stats.nct.cdf(t, df, ncp))
        if not math.isfinite(p):  # far tails: scipy can return NaN where the limit is plain
            p = 1.0 if ncp < t else 0.0
        return p - target

    lo, hi = t - 10 - abs(t), t + 10 + abs(t)
    while f(lo) < 0:
        lo -= 10 + abs(lo)
    while f(hi) > 0:
        hi += 10 + abs(hi)
    return float(optimize.brentq(f, lo, hi, xtol=1e-12))


def hedges_g(a: object, b: object, confidence: float = 0.95) -> HedgesG:
    """Hedges' g of ``a`` minus ``b`` with its exact (noncentral t) interval; NaN when undefined."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    x, y = x[np.isfinite(x)], y[np.isfinite(y)]
    n_a, n_b = len(x), len(y)
    df = n_a + n_b - 2
    if n_a < 2 or n_b < 2:
        return HedgesG(math.nan, math.nan, math.nan, n_a, n_b)
    pooled = ((n_a - 1) * x.var(ddof=1) + (n_b - 1) * y.var(ddof=1)) / df
    if pooled <= 0:
        return HedgesG(math.nan, math.nan, math.nan, n_a, n_b)
    d = (x.mean() - y.mean()) / math.sqrt(pooled)
    scale = math.sqrt(n_a * n_b / (n_a + n_b))
    t = d * scale
    alpha = 1 - confidence
    low = _ncp_for(t, df, 1 - alpha / 2) / scale
    high = _ncp_for(t, df, alpha / 2) / scale
    j = hedges_correction(df)
    return HedgesG(j * d, j * low, j * high, n_a, n_b)
