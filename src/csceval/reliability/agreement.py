"""Percent agreement, Cohen's kappa (unweighted, linear, quadratic) and Fleiss' kappa.

All functions take a units x raters matrix (``nan`` = missing) and return a
:class:`~csceval.reliability.result.ReliabilityResult`. Undefined coefficients (chance agreement
of 1, e.g. every rating in one category) are returned as ``nan`` with a note, never an error.
"""

from __future__ import annotations

import numpy as np

from csceval.reliability._categorical import (
    CategoricalData,
    CohenTable,
    linearised_interval,
    undefined_where,
    weights_note,
)
from csceval.reliability.bootstrap import attach_bootstrap_ci
from csceval.reliability.layout import as_matrix
from csceval.reliability.result import FloatArray, ReliabilityResult, fmt

__all__ = [
    "cohen_components",
    "cohen_kappa",
    "fleiss_components",
    "fleiss_kappa",
    "percent_agreement",
]

_UNDEFINED = "estimate undefined (chance agreement p_e = 1, e.g. all ratings in one category)"


def _level(scheme: str) -> str | None:
    return "nominal" if scheme == "unweighted" else None


def percent_agreement(
    ratings: object,
    *,
    weights: str | None = None,
    categories: object | None = None,
    ci: bool = False,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ReliabilityResult:
    """Proportion of agreeing rater pairs, averaged over units (optionally weighted).

    Parameters
    ----------
    ratings
        Units x raters matrix, ``nan`` for missing.
    weights
        ``None``/``"unweighted"``, ``"linear"`` or ``"quadratic"`` (partial credit for near
        misses, on the category values).
    categories
        All possible category values (default: those observed).
    ci, n_boot, seed, confidence
        Percentile bootstrap interval over units.

    Notes
    -----
    Per unit ``p_i = sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))`` with ``r*_ik = sum_l w_kl r_il``,
    the share of ordered rater pairs that agree (Fleiss 1971, eq. 2; Gwet 2014, eq. 2.11 for the
    weighted form). The estimate is the mean over units with at least two ratings. With two
    raters and no missing data it is the share of units on which they agree.
    """
    matrix = as_matrix(ratings)
    data = CategoricalData.build(matrix, categories, weights)
    keep = data.pairable > 0
    n_units = int(keep.sum())
    unit_pa = data.unit_agreement[keep]

    def estimator(w: FloatArray) -> FloatArray:
        return undefined_where(w @ unit_pa, w.sum(axis=1))

    notes = [
        *data.notes("are not pairable and were dropped"),
        "mean over units of the share of agreeing rater pairs",
    ]
    est = float(estimator(np.ones((1, n_units)))[0]) if n_units else float("nan")
    if not n_units:
        notes.append("estimate undefined: no unit has two or more ratings")
    result = ReliabilityResult(
        statistic="percent agreement"
        + ("" if data.scheme == "unweighted" else f" ({data.scheme} weights)"),
        estimate=est,
        ci_low=None,
        ci_high=None,
        ci_method=None,
        n_units=n_units,
        n_raters=data.n_raters,
        level=_level(data.scheme),
        method="percent_agreement",
        notes=tuple(notes),
    )
    if ci:
        return attach_bootstrap_ci(
            result, estimator, n_units, n_boot=n_boot, seed=seed, confidence=confidence
        )
    return result


def cohen_components(
    ratings: object, *, weights: str | None = None, categories: object | None = None
) -> tuple[float, float]:
    """Observed and chance agreement ``(p_o, p_e)`` behind Cohen's kappa (weighted if asked)."""
    table = CohenTable(as_matrix(ratings), categories, weights)
    po, pe = table.components(np.ones((1, table.n_units)))
    return float(po[0]), float(pe[0])


def cohen_kappa(
    ratings: object,
    *,
    weights: str | None = None,
    categories: object | None = None,
    ci: bool = False,
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ReliabilityResult:
    """Cohen's kappa for two raters, unweighted (Cohen 1960) or weighted (Cohen 1968).

    Parameters
    ----------
    ratings
        Units x 2 matrix; units where either rating is missing are dropped.
    weights
        ``None``/``"unweighted"``, ``"linear"`` or ``"quadratic"``.
    categories
        All possible category values (default: those either rater used).
    ci, n_boot, seed, confidence
        Percentile bootstrap interval over units.

    Notes
    -----
    ``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_o = sum_ij w_ij p_ij`` and
    ``p_e = sum_ij w_ij p_i. p_.j`` (Cohen 1960; 1968). With agreement weights
    ``w_ij = 1 - v_ij / v_max`` this equals the disagreement form
    ``1 - sum v_ij p_ij / sum v_ij p_i. p_.j``. Weights are computed from the category values
    (linear ``|c_i - c_j|``, quadratic ``(c_i - c_j)^2``), as in Gwet (2014) and irrCAC; for
    equally spaced codes this is the usual index form (sklearn, statsmodels).
    """
    table = CohenTable(as_matrix(ratings), categories, weights)
    cats = ", ".join(fmt(c) for c in table.categories)
    notes = [weights_note(table.scheme), f"categories: {table.q} ({cats})"]
    if table.n_dropped:
        notes.append(
            f"missing ratings: {table.n_dropped} unit(s) without both ratings dropped "
            "(complete pairs only)"
        )
    if table.n_units:
        est = float(table(np.ones((1, table.n_units)))[0])
    else:
        est = float("nan")
        notes.append("estimate undefined: no unit has both ratings")
    if table.n_units and not np.isfinite(est):
        notes.append(_UNDEFINED)
    name = "Cohen's kappa" + ("" if table.scheme == "unweighted" else f" ({table.scheme} weights)")
    result = ReliabilityResult(
        statistic=name,
        estimate=est,
        ci_low=None,
        ci_high=None,
        ci_method=None,
        n_units=table.n_units,
        n_raters=2,
        level=_level(table.scheme),
        method="cohen",
        notes=tuple(notes),
    )
    if ci:
        return attach_bootstrap_ci(
            result, table, table.n_units, n_boot=n_boot, seed=seed, confidence=confidence
        )
    return result


def _fleiss_pe(data: CategoricalData, w: FloatArray) -> FloatArray:
    pi = data.propensities(w)
    return np.asarray(np.einsum("bk,bl,kl->b", pi, pi, data.weights), dtype=np.float64)


def fleiss_components(
    ratings: object, *, weights: str | None = None, categories: object | None = None
) -> tuple[float, float]:
    """Observed and chance agreement ``(P_bar, P_bar_e)`` behind Fleiss' kappa."""
    data = CategoricalData.build(as_matrix(ratings), categories, weights)
    ones = np.ones((1, data.n_units))
    return float(data.observed(ones)[0]), float(_fleiss_pe(data, ones)[0])


def fleiss_kappa(
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
    """Fleiss' kappa for any number of raters, generalised to missing ratings and weights.

    Parameters
    ----------
    ratings
        Units x raters matrix, ``nan`` for missing.
    weights
        ``None``/``"unweighted"``, ``"linear"`` or ``"quadratic"``.
    categories
        All possible category values (default: those observed).
    ci
        Whether to add a confidence interval.
    ci_method
        ``"bootstrap"`` (percentile, over units) or ``"analytic"`` (Gwet's linearisation
        variance with a t interval, as irrCAC).
    n_boot, seed, confidence
        Bootstrap settings and confidence level.

    Notes
    -----
    ``P_bar`` is the mean over units with two or more ratings of
    ``sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1))``; ``pi_k = (1/n) sum_i r_ik / r_i`` over units
    with at least one rating; ``P_e = sum_kl w_kl pi_k pi_l``;
    ``kappa = (P_bar - P_e) / (1 - P_e)``. With complete data and no weights this is exactly
    Fleiss (1971), ``P_i = (sum_j n_ij^2 - m) / (m (m - 1))``, ``P_e = sum_j p_j^2``; the
    missing-data and weighted generalisation is Gwet's (2014, ch. 2-3; irrCAC ``fleiss``).
    """
    data = CategoricalData.build(as_matrix(ratings), categories, weights)

    def estimator(w: FloatArray) -> FloatArray:
        pe = _fleiss_pe(data, w)
        return undefined_where(data.observed(w) - pe, 1.0 - pe)

    notes = data.notes()
    pairable = data.pairable.sum() > 0
    est = float(estimator(np.ones((1, data.n_units)))[0]) if pairable else float("nan")
    if not np.isfinite(est):
        notes.append(_UNDEFINED if pairable else "estimate undefined: no unit has two ratings")
    name = "Fleiss' kappa" + ("" if data.scheme == "unweighted" else f" ({data.scheme} weights)")
    result = ReliabilityResult(
        statistic=name,
        estimate=est,
        ci_low=None,
        ci_high=None,
        ci_method=None,
        n_units=data.n_units,
        n_raters=data.n_raters,
        level=_level(data.scheme),
        method="fleiss",
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
    pe = float(_fleiss_pe(data, ones)[0])
    pi = data.propensities(ones)[0]
    pi_w = (data.weights @ pi + data.weights.T @ pi) / 2.0
    unit_pe = (data.counts @ pi_w) / data.per_unit_raters
    se, low, high = linearised_interval(data, est, pe, unit_pe, confidence)
    return result.with_ci(
        low,
        high,
        "analytic",
        (
            f"Gwet (2014) linearisation standard error {fmt(se)}; t interval, df n - 1, "
            "upper bound capped at 1",
        ),
    )
