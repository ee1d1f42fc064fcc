"""Multiplier bootstrap over units for influence-function-based estimators (R ``did::mboot``).

One ``B x n`` matrix of multipliers (one per unit and draw) turns an ``n x K`` influence
function matrix into ``B x K`` bootstrap draws with one matrix product, so all ATT(g,t) and all
aggregated parameters share the same draws. Standard errors are R's robust ones (the
interquartile range of the draws divided by that of a standard normal), and the simultaneous
band uses the sup-t critical value over the K parameters (Callaway & Sant'Anna 2021, sec. 4).

Notes
-----
R ``did`` draws Rademacher multipliers (``BMisc::multiplier_bootstrap``); that is the default
here. Mammen's two-point weights (used by R ``DRDID``'s ``mboot.did``) are offered as an
option. Draws are clustered by unit: each unit (row of the influence function) gets one
multiplier shared by all its periods.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

from csceval.impact.did_results import FloatArray

__all__ = ["MULTIPLIERS", "BootstrapSummary", "bootstrap_summary", "multipliers"]

MULTIPLIERS = ("rademacher", "mammen")

_TINY = float(np.sqrt(np.finfo(float).eps) * 10)
_IQR_NORMAL = float(norm.ppf(0.75) - norm.ppf(0.25))
_CHUNK = 4_000_000
"""Elements of a multiplier block drawn at once (bounds memory on big panels)."""


def multipliers(n_units: int, n_boot: int, seed: int | None, kind: str) -> FloatArray:
    """``n_boot x n_units`` mean-zero, variance-one multipliers (seeded).

    ``"rademacher"``: +1 or -1 with probability 1/2. ``"mammen"``: ``-(sqrt(5)-1)/2`` with
    probability ``(sqrt(5)+1)/(2 sqrt(5))``, else ``(sqrt(5)+1)/2``.
    """
    if kind not in MULTIPLIERS:
        raise ValueError(f"multiplier must be one of {MULTIPLIERS}; got {kind!r}")
    if n_boot < 2:
        raise ValueError(f"n_boot must be at least 2; got {n_boot}")
    rng = np.random.default_rng(seed)
    if kind == "rademacher":
        return rng.integers(0, 2, size=(n_boot, n_units)).astype(float) * 2.0 - 1.0
    s5 = np.sqrt(5.0)
    low, high = -(s5 - 1) / 2, (s5 + 1) / 2
    p_low = (s5 + 1) / (2 * s5)
    return np.where(rng.random((n_boot, n_units)) < p_low, low, high)


@dataclass(frozen=True, eq=False)
class BootstrapSummary:
    """Bootstrap standard errors per column and the sup-t critical value over the columns."""

    se: FloatArray
    crit_value: float
    draws: FloatArray
    """``B x K`` draws of ``sqrt(n) * (theta* - theta)``."""


def bootstrap_summary(
    influence: FloatArray,
    weights: FloatArray,
    alpha: float,
    band: npt.NDArray[np.bool_] | None = None,
) -> BootstrapSummary:
    """Bootstrap an ``n x K`` influence-function matrix with ``B x n`` multipliers.

    Columns whose draws are all (near) zero or non-finite get a ``nan`` standard error and are
    left out of the critical value, as in R's ``mboot``. ``band`` selects the columns the
    sup-t critical value is taken over (default: all).
    """
    n = influence.shape[0]
    if weights.shape[1] != n:
        raise ValueError("multipliers and influence function disagree on the number of units")
    inf = np.nan_to_num(influence, nan=0.0)
    rows = max(1, _CHUNK // max(n, 1))
    draws = np.vstack(
        [weights[i : i + rows] @ inf for i in range(0, weights.shape[0], rows)]
    ) / np.sqrt(n)
    ok = np.isfinite(draws).all(axis=0) & ((draws**2).sum(axis=0) > _TINY)
    ok &= ~np.isnan(influence).any(axis=0)
    sigma = np.full(influence.shape[1], np.nan)
    if ok.any():
        q75 = np.quantile(draws[:, ok], 0.75, axis=0, method="inverted_cdf")
        q25 = np.quantile(draws[:, ok], 0.25, axis=0, method="inverted_cdf")
        sigma[ok] = (q75 - q25) / _IQR_NORMAL
    sigma[~(sigma > _TINY)] = np.nan
    in_band = np.isfinite(sigma) if band is None else np.isfinite(sigma) & band
    crit = float("nan")
    if in_band.any():
        sup_t = np.abs(draws[:, in_band] / sigma[in_band]).max(axis=1)
        crit = float(np.quantile(sup_t, 1 - alpha, method="inverted_cdf"))
    return BootstrapSummary(se=sigma / np.sqrt(n), crit_value=crit, draws=draws)
