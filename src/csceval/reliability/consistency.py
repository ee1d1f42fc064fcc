"""Scale consistency and within-group agreement: Cronbach's alpha, r_wg, r_wg(j), ICC(1)/ICC(2).

These support aggregating staff survey scores (e.g. organisational climate) to team or authority
level. Layout note: :func:`cronbach_alpha`, :func:`rwg` and :func:`rwg_j` take *respondents in
rows and items in columns* (the survey layout, as R ``psych::alpha`` and ``multilevel::rwg.j``);
for Cronbach's alpha that is the units x raters layout with items playing the raters.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from csceval.reliability.bootstrap import attach_bootstrap_ci
from csceval.reliability.layout import as_matrix
from csceval.reliability.result import FloatArray, ReliabilityResult, fmt

__all__ = ["aggregation_icc", "cronbach_alpha", "rwg", "rwg_j", "uniform_null_variance"]


def _weighted_var(x: FloatArray, w: FloatArray) -> FloatArray:
    """Frequency-weighted sample variances (ddof = 1) of the columns of ``x``: (B, items)."""
    n = w.sum(axis=1, keepdims=True)
    mean = (w @ x) / n
    return np.asarray(((w @ x**2) - n * mean**2) / (n - 1.0), dtype=np.float64)


def cronbach_alpha(
    ratings: object,
    *,
    ci: bool = False,
    ci_method: str = "feldt",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ReliabilityResult:
    """Cronbach's (1951) alpha of a respondents (units) x items (raters) matrix.

    Parameters
    ----------
    ratings
        Respondents x items; respondents with any missing item are dropped (listwise).
    ci
        Whether to add a confidence interval.
    ci_method
        ``"feldt"`` (F-based, Feldt 1965; as pingouin) or ``"bootstrap"``.
    n_boot, seed, confidence
        Bootstrap settings and confidence level.

    Notes
    -----
    ``alpha = k/(k - 1) * (1 - sum_i s_i^2 / s_X^2)`` with sample variances (ddof = 1) of the
    items and of the total score. It equals ICC(3,k) of the same matrix. Feldt's interval:
    ``1 - (1 - alpha) F_{1-a/2}(n-1, (n-1)(k-1))`` to ``1 - (1 - alpha) F_{a/2}(...)``.
    """
    matrix = as_matrix(ratings)
    k = int(matrix.shape[1])
    if k < 2:
        raise ValueError(f"Cronbach's alpha needs at least 2 items (columns); got {k}")
    keep = ~np.isnan(matrix).any(axis=1)
    x = matrix[keep] - np.nanmean(matrix[keep]) if keep.any() else matrix[keep]
    n = int(x.shape[0])
    items_and_total = np.column_stack([x, x.sum(axis=1)]) if n else np.zeros((0, k + 1))

    def estimator(w: FloatArray) -> FloatArray:
        var = _weighted_var(items_and_total, w)
        total = var[:, -1]
        ok = total > 1e-12
        alpha = k / (k - 1.0) * (1.0 - var[:, :-1].sum(axis=1) / np.where(ok, total, 1.0))
        return np.asarray(np.where(ok, alpha, np.nan), dtype=np.float64)

    notes = ["item and total-score variances with ddof = 1"]
    if (~keep).any():
        notes.append(f"missing ratings: {int((~keep).sum())} respondent(s) dropped (listwise)")
    est = float(estimator(np.ones((1, n)))[0]) if n >= 2 else float("nan")
    if not np.isfinite(est):
        notes.append("estimate undefined: fewer than 2 respondents or no total-score variance")
    result = ReliabilityResult(
        statistic="Cronbach's alpha",
        estimate=est,
        ci_low=None,
        ci_high=None,
        ci_method=None,
        n_units=n,
        n_raters=k,
        level="interval",
        method="cronbach",
        notes=tuple(notes),
    )
    if not ci:
        return result
    if ci_method == "bootstrap":
        return attach_bootstrap_ci(
            result, estimator, n, n_boot=n_boot, seed=seed, confidence=confidence
        )
    if ci_method != "feldt":
        raise ValueError(f"unknown ci_method {ci_method!r}; allowed: 'feldt', 'bootstrap'")
    if not result.is_defined:
        return result.with_ci(None, None, "F (Feldt 1965)", ("interval undefined",))
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1.0 - confidence) / 2.0
    low = 1.0 - (1.0 - est) * float(stats.f.isf(tail, df1, df2))
    high = 1.0 - (1.0 - est) * float(stats.f.isf(1.0 - tail, df1, df2))
    return result.with_ci(low, high, "F (Feldt 1965)", (f"F df ({df1}, {df2})",))


def uniform_null_variance(n_options: int) -> float:
    """Variance of a uniform ("rectangular") null over ``A`` options: ``(A^2 - 1) / 12``."""
    if n_options < 2:
        raise ValueError(f"n_options must be at least 2; got {n_options}")
    return (n_options**2 - 1.0) / 12.0


def _null(n_options: int | None, null_variance: float | None) -> tuple[float, str]:
    if null_variance is not None:
        if null_variance <= 0:
            raise ValueError("null_variance must be positive")
        return float(null_variance), f"null variance {fmt(null_variance)} (supplied)"
    if n_options is None:
        raise ValueError("give n_options (response options A) or null_variance")
    var = uniform_null_variance(n_options)
    return var, f"uniform null variance (A^2 - 1)/12 = {fmt(var)} for A = {n_options}"


def rwg(
    ratings: object, n_options: int | None = None, *, null_variance: float | None = None
) -> ReliabilityResult:
    """Single-item within-group agreement r_wg (James, Demaree & Wolf 1984).

    Parameters
    ----------
    ratings
        The group members' ratings of one item (1-D; ``nan`` ignored).
    n_options
        Number of response options ``A`` (uniform null variance ``(A^2 - 1)/12``).
    null_variance
        Alternative null variance (LeBreton & Senter 2008), overriding ``n_options``.

    Notes
    -----
    ``r_wg = 1 - s^2 / sigma^2_EU`` with ``s^2`` the sample variance (ddof = 1); when
    ``s^2 > sigma^2_EU`` the variance is truncated to ``sigma^2_EU`` so r_wg = 0 (R
    ``multilevel::rwg``). One member gives ``nan``.
    """
    values = np.asarray(ratings, dtype=np.float64).ravel()
    values = values[~np.isnan(values)]
    return _rwg_core(values[:, None], n_options, null_variance, lindell=False, single=True)


def rwg_j(
    ratings: object,
    n_options: int | None = None,
    *,
    null_variance: float | None = None,
    lindell: bool = False,
) -> ReliabilityResult:
    """Multi-item within-group agreement r_wg(j) (James, Demaree & Wolf 1984) for one group.

    Parameters
    ----------
    ratings
        Group members (rows) x J parallel items (columns); ``nan`` ignored per item.
    n_options, null_variance
        As for :func:`rwg`.
    lindell
        Return Lindell, Brandt & Whitney's (1999) ``r*_wg(j) = 1 - mean s^2 / sigma^2_EU``
        (no truncation; can be negative) instead.

    Notes
    -----
    ``r_wg(j) = J (1 - m/sigma^2_EU) / (J (1 - m/sigma^2_EU) + m/sigma^2_EU)`` where ``m`` is the
    mean of the J item variances (ddof = 1), truncated to ``sigma^2_EU`` (R
    ``multilevel::rwg.j``). A group with one member gives ``nan``.
    """
    return _rwg_core(as_matrix(ratings), n_options, null_variance, lindell=lindell, single=False)


def _rwg_core(
    x: FloatArray,
    n_options: int | None,
    null_variance: float | None,
    *,
    lindell: bool,
    single: bool,
) -> ReliabilityResult:
    sigma2, null_note = _null(n_options, null_variance)
    members = int((~np.isnan(x)).any(axis=1).sum())
    j = int(x.shape[1])
    notes = [null_note, "item variances with ddof = 1, missing ratings ignored per item"]
    counts = (~np.isnan(x)).sum(axis=0)
    if members < 2 or (counts < 2).any():
        est = float("nan")
        notes.append("estimate undefined: fewer than 2 group members rated an item")
    else:
        mean_var = float(np.nanvar(x, axis=0, ddof=1).mean())
        if lindell:
            est = 1.0 - mean_var / sigma2
            notes.append("Lindell, Brandt & Whitney (1999) r*_wg(j): no truncation")
        else:
            if mean_var > sigma2:
                notes.append("observed variance exceeded the null variance: truncated (r_wg = 0)")
            ratio = min(mean_var, sigma2) / sigma2
            est = j * (1.0 - ratio) / (j * (1.0 - ratio) + ratio)
    name = "r_wg" if single else ("r*_wg(j)" if lindell else "r_wg(j)")
    return ReliabilityResult(
        statistic=name,
        estimate=float(est),
        ci_low=None,
        ci_high=None,
        ci_method=None,
        n_units=j,
        n_raters=members,
        level="interval",
        method="rwg" if single else ("rwg_j_lindell" if lindell else "rwg_j"),
        notes=tuple(notes),
    )


def aggregation_icc(
    values: object, groups: Sequence[Hashable] | object
) -> tuple[ReliabilityResult, ReliabilityResult]:
    """ICC(1) and ICC(2) of individual scores nested in groups (Bliese 2000).

    Parameters
    ----------
    values
        One score per individual (1-D; ``nan`` rows are dropped).
    groups
        The group (team, authority) of each individual.

    Returns
    -------
    tuple
        ``(ICC(1), ICC(2))``. ``n_units`` is the number of groups and ``n_raters`` the number of
        individuals.

    Notes
    -----
    From the one-way ANOVA of score on group: ``ICC(1) = (MSB - MSW)/(MSB + (k - 1) MSW)`` with
    ``k`` the mean group size N/G (as R ``multilevel::ICC1``, not the unbalanced-design n0),
    and ``ICC(2) = (MSB - MSW)/MSB`` (the reliability of group means; Shrout-Fleiss ICC(1,k)).
    """
    y = np.asarray(values, dtype=np.float64).ravel()
    g = pd.Series(np.asarray(groups, dtype=object).ravel())
    if g.size != y.size:
        raise ValueError(f"values ({y.size}) and groups ({g.size}) must have the same length")
    if g.isna().any():
        raise ValueError("groups contain a missing group identifier")
    keep = ~np.isnan(y)
    frame = pd.DataFrame({"y": y[keep], "g": g[keep].to_numpy()})
    stats_by = frame.groupby("g", sort=False)["y"].agg(["count", "mean"])
    n_total, n_groups = len(frame), len(stats_by)
    notes = [f"one-way ANOVA of {n_total} individuals in {n_groups} groups"]
    if (~keep).any():
        notes.append(f"missing values: {int((~keep).sum())} individual(s) dropped")
    icc1 = icc2 = float("nan")
    if n_groups >= 2 and n_total > n_groups:
        grand = frame["y"].mean()
        msb = float((stats_by["count"] * (stats_by["mean"] - grand) ** 2).sum() / (n_groups - 1))
        resid = frame["y"] - frame["g"].map(stats_by["mean"])
        msw = float((resid**2).sum() / (n_total - n_groups))
        k_bar = n_total / n_groups
        notes.append(f"MSB = {fmt(msb)}, MSW = {fmt(msw)}, mean group size k = {fmt(k_bar)}")
        if msb + (k_bar - 1.0) * msw > 0:
            icc1 = (msb - msw) / (msb + (k_bar - 1.0) * msw)
        if msb > 0:
            icc2 = (msb - msw) / msb
    else:
        notes.append("estimate undefined: needs 2+ groups and more individuals than groups")

    def make(name: str, value: float, method: str) -> ReliabilityResult:
        return ReliabilityResult(
            statistic=name,
            estimate=float(value),
            ci_low=None,
            ci_high=None,
            ci_method=None,
            n_units=n_groups,
            n_raters=n_total,
            level="interval",
            method=method,
            notes=tuple(notes),
        )

    return (
        make("ICC(1) (Bliese 2000)", icc1, "icc1_aggregation"),
        make("ICC(2) (Bliese 2000)", icc2, "icc2_aggregation"),
    )
