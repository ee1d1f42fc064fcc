"""Krippendorff's alpha for nominal, ordinal, interval and ratio data, with missing ratings.

Computed through the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
Alpha-Reliability", sections C-E), which handles any number of raters and any pattern of missing
ratings: units with fewer than two ratings are not pairable and drop out.
"""

from __future__ import annotations

import numpy as np

from csceval.reliability._categorical import category_counts, resolve_categories, undefined_where
from csceval.reliability.bootstrap import attach_bootstrap_ci
from csceval.reliability.layout import as_matrix
from csceval.reliability.result import LEVELS, FloatArray, ReliabilityResult, fmt

__all__ = ["coincidence_matrix", "krippendorff_alpha", "krippendorff_disagreement"]


def _check_level(level: str) -> str:
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; allowed: {', '.join(repr(v) for v in LEVELS)}")
    return level


class _Coincidences:
    """Per-unit coincidence contributions, summable under unit frequency weights."""

    def __init__(self, matrix: FloatArray, categories: object | None, level: str) -> None:
        self.level = _check_level(level)
        self.categories = resolve_categories(matrix, categories)
        if level == "ratio" and self.categories.size and self.categories[0] < 0:
            raise ValueError("ratio level needs non-negative values (a true zero)")
        counts = category_counts(matrix, self.categories)
        m = counts.sum(axis=1)
        keep = m >= 2
        self.n_single = int((m == 1).sum())
        self.n_empty = int((m == 0).sum())
        counts, m = counts[keep], m[keep]
        q = self.q = int(self.categories.size)
        # o_ck contribution of unit u: (r_uc r_uk - [c = k] r_uc) / (m_u - 1)
        outer = counts[:, :, None] * counts[:, None, :]
        outer[:, np.arange(q), np.arange(q)] -= counts
        self.per_unit = (outer / (m - 1.0)[:, None, None]).reshape(counts.shape[0], q * q)
        self.n_units = int(counts.shape[0])
        self.n_raters = int(matrix.shape[1])
        c = self.categories
        if level == "nominal":
            self.fixed_delta: FloatArray | None = 1.0 - np.eye(q)
        elif level == "interval":
            self.fixed_delta = (c[:, None] - c[None, :]) ** 2
        elif level == "ratio":
            total = c[:, None] + c[None, :]
            ratio = np.divide(
                c[:, None] - c[None, :], total, out=np.zeros((q, q)), where=total != 0
            )
            self.fixed_delta = ratio**2
        else:
            self.fixed_delta = None

    def delta(self, n_c: FloatArray) -> FloatArray:
        """Squared differences ``delta^2_ck`` of shape (B, q, q) (ordinal depends on ``n_c``)."""
        if self.fixed_delta is not None:
            return np.broadcast_to(self.fixed_delta, (n_c.shape[0], self.q, self.q))
        idx = np.arange(self.q)
        lo = np.minimum(idx[:, None], idx[None, :])
        hi = np.maximum(idx[:, None], idx[None, :])
        cum = np.concatenate([np.zeros((n_c.shape[0], 1)), np.cumsum(n_c, axis=1)], axis=1)
        between = cum[:, hi + 1] - cum[:, lo]
        ends = (n_c[:, :, None] + n_c[:, None, :]) / 2.0
        return np.asarray((between - ends) ** 2, dtype=np.float64)

    def parts(self, w: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Observed and expected disagreement numerators and ``n`` for each weight row."""
        o = (w @ self.per_unit).reshape(-1, self.q, self.q)
        n_c = o.sum(axis=2)
        n = n_c.sum(axis=1)
        d = self.delta(n_c)
        observed = np.einsum("bck,bck->b", o, d)
        expected = np.einsum("bc,bk,bck->b", n_c, n_c, d)
        return observed, expected, n

    def __call__(self, w: FloatArray) -> FloatArray:
        observed, expected, n = self.parts(w)
        return 1.0 - undefined_where((n - 1.0) * observed, expected)


def coincidence_matrix(
    ratings: object, categories: object | None = None
) -> tuple[FloatArray, FloatArray]:
    """Krippendorff's coincidence matrix ``o_ck`` and its category values.

    Notes
    -----
    ``o_ck = sum_u (number of ordered pairs (c, k) of values in unit u) / (m_u - 1)`` over units
    with ``m_u >= 2`` values (Krippendorff 2011, section C).
    """
    coin = _Coincidences(as_matrix(ratings), categories, "nominal")
    o = coin.per_unit.sum(axis=0).reshape(coin.q, coin.q)
    return np.asarray(o, dtype=np.float64), coin.categories


def krippendorff_disagreement(
    ratings: object, level: str = "nominal", categories: object | None = None
) -> tuple[float, float]:
    """Observed and expected disagreement ``(D_o, D_e)``; ``alpha = 1 - D_o / D_e``."""
    coin = _Coincidences(as_matrix(ratings), categories, level)
    observed, expected, n = coin.parts(np.ones((1, coin.n_units)))
    d_o = float(observed[0] / n[0]) if n[0] > 0 else float("nan")
    d_e = float(expected[0] / (n[0] * (n[0] - 1.0))) if n[0] > 1 else float("nan")
    return d_o, d_e


def krippendorff_alpha(
    ratings: object,
    *,
    level: str = "nominal",
    categories: object | None = None,
    ci: bool = False,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ReliabilityResult:
    """Krippendorff's alpha at the given level of measurement.

    Parameters
    ----------
    ratings
        Units x raters matrix, ``nan`` for missing (any pattern).
    level
        ``"nominal"``, ``"ordinal"``, ``"interval"`` or ``"ratio"``.
    categories
        All possible values (matters for ``"ordinal"`` only through their order; unused values
        have ``n_c = 0``).
    ci, n_boot, seed, confidence
        Percentile bootstrap interval over (pairable) units.

    Notes
    -----
    ``alpha = 1 - D_o / D_e = 1 - (n - 1) sum_ck o_ck delta^2_ck / sum_ck n_c n_k delta^2_ck``
    (Krippendorff 2011, sections C-E), with ``n_c = sum_k o_ck`` and ``n`` the number of
    pairable values. Difference functions: nominal ``[c != k]``; ordinal
    ``(sum_{g=c..k} n_g - (n_c + n_k)/2)^2``; interval ``(c - k)^2``; ratio
    ``((c - k)/(c + k))^2`` (0 when ``c + k = 0``). Alpha is undefined (``nan``) when every
    pairable value is the same (``D_e = 0``). The bootstrap resamples units, not Krippendorff's
    (2004) resampling of pairable values.
    """
    coin = _Coincidences(as_matrix(ratings), categories, level)
    notes = [f"{level} difference function (Krippendorff 2011)"]
    if coin.n_single or coin.n_empty:
        notes.append(
            f"missing ratings: {coin.n_single + coin.n_empty} unit(s) with fewer than 2 ratings "
            "are not pairable and were dropped"
        )
    if coin.n_units:
        est = float(coin(np.ones((1, coin.n_units)))[0])
        if not np.isfinite(est):
            notes.append("estimate undefined: all pairable values are identical (D_e = 0)")
        else:
            d_o, d_e = krippendorff_disagreement(ratings, level, categories)
            notes.append(f"D_o = {fmt(d_o)}, D_e = {fmt(d_e)}")
    else:
        est = float("nan")
        notes.append("estimate undefined: no unit has two or more ratings")
    result = ReliabilityResult(
        statistic=f"Krippendorff's alpha ({level})",
        estimate=est,
        ci_low=None,
        ci_high=None,
        ci_method=None,
        n_units=coin.n_units,
        n_raters=coin.n_raters,
        level=level,
        method="krippendorff",
        notes=tuple(notes),
    )
    if ci:
        return attach_bootstrap_ci(
            result, coin, coin.n_units, n_boot=n_boot, seed=seed, confidence=confidence
        )
    return result
