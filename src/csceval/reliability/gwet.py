"""Gwet's AC1 (unweighted) and AC2 (linear or quadratic weights) agreement coefficients.

AC1 is a paradox-resistant alternative to kappa: its chance agreement does not blow up when
ratings pile into one category (Gwet 2008), which is common in audit data where most cases are
graded the same.
"""

from __future__ import annotations

import numpy as np

from csceval.reliability._categorical import (
    CategoricalData,
    linearised_interval,
    undefined_where,
)
from csceval.reliability.bootstrap import attach_bootstrap_ci
from csceval.reliability.layout import as_matrix
from csceval.reliability.result import FloatArray, ReliabilityResult, fmt

__all__ = ["gwet_ac", "gwet_components"]


def _pe(data: CategoricalData, w: FloatArray) -> FloatArray:
    """``p_e = T_w / (q (q - 1)) * sum_k pi_k (1 - pi_k)`` under unit weights ``w``."""
    q = data.q
    pi = data.propensities(w)
    t_w = float(data.weights.sum())
    return np.asarray(t_w / (q * (q - 1.0)) * (pi * (1.0 - pi)).sum(axis=1), dtype=np.float64)


def gwet_components(
    ratings: object, *, weights: str | None = None, categories: object | None = None
) -> tuple[float, float]:
    """Observed and chance agreement ``(p_a, p_e)`` behind AC1/AC2 (``nan`` p_e if q < 2)."""
    data = CategoricalData.build(as_matrix(ratings), categories, weights)
    ones = np.ones((1, data.n_units))
    pe = float(_pe(data, ones)[0]) if data.q >= 2 else float("nan")
    return float(data.observed(ones)[0]), pe


def gwet_ac(
    ratings: object,
    *,
    weights: str | None = None,
    categories: object | None = None,
    ci: bool = False,
    ci_method: str = "bootstrap",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ReliabilityResult:
    """Gwet's AC1 (``weights=None``) or AC2 (``"linear"``/``"quadratic"``) for any raters.

    Parameters
    ----------
    ratings
        Units x raters matrix, ``nan`` for missing.
    weights
        ``None``/``"unweighted"`` (AC1), ``"linear"`` or ``"quadratic"`` (AC2).
    categories
        All possible category values. ``q`` (the number of categories) enters the chance
        agreement, so pass the full scale when some categories were never used.
    ci
        Whether to add a confidence interval.
    ci_method
        ``"bootstrap"`` (percentile, over units) or ``"analytic"`` (Gwet's linearisation
        variance with a t interval on ``n - 1`` df, upper bound capped at 1, as irrCAC).
    n_boot, seed, confidence
        Bootstrap settings and confidence level.

    Notes
    -----
    Gwet (2008; 2014, ch. 4): ``p_a`` = mean over units with ``r_i >= 2`` of
    ``sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))``, ``r*_ik = sum_l w_kl r_il``;
    ``pi_k = (1/n) sum_i r_ik / r_i`` over units with at least one rating;
    ``p_e = T_w / (q (q - 1)) sum_k pi_k (1 - pi_k)`` with ``T_w = sum_kl w_kl`` (``T_w = q``
    without weights, giving AC1's ``1/(q - 1)``); ``AC = (p_a - p_e) / (1 - p_e)``.

    Degenerate case: with fewer than two categories in the scale, ``p_e`` is undefined and the
    estimate is ``nan`` with a note (DKPro raises an error; irrCAC floors ``p_e`` and reports 1).
    Pass ``categories`` with the full scale to obtain AC1 = 1 for unanimous ratings.
    """
    data = CategoricalData.build(as_matrix(ratings), categories, weights)
    q = data.q

    def estimator(w: FloatArray) -> FloatArray:
        pe = _pe(data, w)
        return undefined_where(data.observed(w) - pe, 1.0 - pe)

    notes = data.notes()
    pairable = data.pairable.sum() > 0
    if q < 2:
        est = float("nan")
        notes.append(
            "estimate undefined: fewer than 2 categories, so chance agreement p_e is undefined; "
            "pass categories=[...] with the full scale"
        )
    elif not pairable:
        est = float("nan")
        notes.append("estimate undefined: no unit has two or more ratings")
    else:
        est = float(estimator(np.ones((1, data.n_units)))[0])
        if not np.isfinite(est):
            notes.append("estimate undefined: chance agreement p_e = 1")
    name = "Gwet's AC1" if data.scheme == "unweighted" else f"Gwet's AC2 ({data.scheme} weights)"
    result = ReliabilityResult(
        statistic=name,
        estimate=est,
        ci_low=None,
        ci_high=None,
        ci_method=None,
        n_units=data.n_units,
        n_raters=data.n_raters,
        level="nominal" if data.scheme == "unweighted" else None,
        method="gwet",
        notes=tuple(notes),
    )
    if not ci:
        return result
    if ci_method == "bootstrap":
        return attach_bootstrap_ci(
            result, estimator, data.n_units, n_boot=n_boot, seed=seed, confidence=confidence
        )
    if ci_method != "analytic":
        raise ValueError(f"unknown ci_method {ci_method!r}; allowed: 'bootstrap', 'analytic'")
    if not result.is_defined or data.n_units < 2:
        return result.with_ci(None, None, "analytic", ("interval undefined",))
    ones = np.ones((1, data.n_units))
    pe = float(_pe(data, ones)[0])
    pi = data.propensities(ones)[0]
    t_w = float(data.weights.sum())
    unit_pe = t_w / (q * (q - 1.0)) * (data.counts @ (1.0 - pi)) / data.per_unit_raters
    se, low, high = linearised_interval(data, est, pe, unit_pe, confidence)
    return result.with_ci(
        low,
        high,
        "analytic",
        (
            f"Gwet (2008) linearisation standard error {fmt(se)}; t interval, df n - 1, "
            "upper bound capped at 1",
        ),
    )
