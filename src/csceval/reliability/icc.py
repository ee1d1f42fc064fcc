"""The six Shrout & Fleiss (1979) intraclass correlations with F-based confidence intervals.

Names follow Shrout & Fleiss; McGraw & Wong (1996) equivalents are ICC(1,1) = ICC(1),
ICC(2,1) = ICC(A,1) (absolute agreement, two-way random), ICC(3,1) = ICC(C,1) (consistency,
two-way mixed), and likewise for the average-measure ``k`` forms.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from csceval.reliability.bootstrap import attach_bootstrap_ci
from csceval.reliability.layout import as_matrix
from csceval.reliability.result import FloatArray, ReliabilityResult, fmt

__all__ = ["ICC_FORMS", "MeanSquares", "anova_mean_squares", "icc", "icc_f_test"]

ICC_FORMS = ("icc1", "icc2", "icc3", "icc1k", "icc2k", "icc3k")

_NAMES = {
    "icc1": "ICC(1,1)",
    "icc2": "ICC(2,1) = ICC(A,1)",
    "icc3": "ICC(3,1) = ICC(C,1)",
    "icc1k": "ICC(1,k)",
    "icc2k": "ICC(2,k) = ICC(A,k)",
    "icc3k": "ICC(3,k) = ICC(C,k)",
}
_MODELS = {
    "1": "one-way random effects (each target rated by different raters)",
    "2": "two-way random effects, absolute agreement",
    "3": "two-way mixed effects, consistency",
}


@dataclass(frozen=True, slots=True)
class MeanSquares:
    """ANOVA mean squares of a complete n targets x k judges matrix (Shrout & Fleiss 1979)."""

    bms: float
    wms: float
    jms: float
    ems: float
    n: int
    k: int


class _Anova:
    """Two-way ANOVA mean squares under unit (target) frequency weights."""

    def __init__(self, x: FloatArray) -> None:
        self.k = int(x.shape[1])
        self.x = x - x.mean()  # centring: ANOVA is shift-invariant, and this limits cancellation
        self.row_sum = self.x.sum(axis=1)
        self.row_sq = (self.x**2).sum(axis=1)

    def __call__(self, w: FloatArray) -> tuple[FloatArray, ...]:
        k = self.k
        n = w.sum(axis=1)
        correction = (w @ self.row_sum) ** 2 / (n * k)
        ss_total = w @ self.row_sq - correction
        ss_rows = (w @ self.row_sum**2) / k - correction
        ss_cols = ((w @ self.x) ** 2).sum(axis=1) / n - correction
        ss_err = ss_total - ss_rows - ss_cols
        bms = np.maximum(ss_rows, 0.0) / (n - 1.0)
        wms = np.maximum(ss_total - ss_rows, 0.0) / (n * (k - 1.0))
        jms = np.maximum(ss_cols, 0.0) / (k - 1.0)
        ems = np.maximum(ss_err, 0.0) / ((n - 1.0) * (k - 1.0))
        return bms, wms, jms, ems, n


def _estimate(
    form: str,
    bms: FloatArray,
    wms: FloatArray,
    jms: FloatArray,
    ems: FloatArray,
    n: FloatArray,
    k: int,
) -> FloatArray:
    """Shrout & Fleiss (1979) Table 2 / eq. 2-6 (``nan`` when the denominator is 0)."""
    if form == "icc1":
        num, den = bms - wms, bms + (k - 1.0) * wms
    elif form == "icc2":
        num, den = bms - ems, bms + (k - 1.0) * ems + k * (jms - ems) / n
    elif form == "icc3":
        num, den = bms - ems, bms + (k - 1.0) * ems
    elif form == "icc1k":
        num, den = bms - wms, bms
    elif form == "icc2k":
        num, den = bms - ems, bms + (jms - ems) / n
    else:
        num, den = bms - ems, bms
    ok = den > 1e-12 * (np.abs(bms) + np.abs(wms) + np.abs(jms) + 1e-300)
    return np.asarray(np.where(ok, num / np.where(ok, den, 1.0), np.nan), dtype=np.float64)


def _f_test(form: str, ms: MeanSquares) -> tuple[float, int, int]:
    n, k = ms.n, ms.k
    if form.startswith("icc1"):
        return ms.bms / ms.wms if ms.wms > 0 else np.inf, n - 1, n * (k - 1)
    return ms.bms / ms.ems if ms.ems > 0 else np.inf, n - 1, (n - 1) * (k - 1)


def _f_interval(form: str, ms: MeanSquares, confidence: float) -> tuple[float, float]:
    """McGraw & Wong (1996) Tables 7-8 intervals (as R psych::ICC and pingouin)."""
    n, k = ms.n, ms.k
    q = 0.5 + confidence / 2.0
    f_obs, df1, df2 = _f_test(form, ms)
    if form in ("icc2", "icc2k"):
        single = (ms.bms - ms.ems) / (ms.bms + (k - 1.0) * ms.ems + k * (ms.jms - ms.ems) / n)
        fj = ms.jms / ms.ems
        a = k * single * fj + n * (1.0 + (k - 1.0) * single) - k * single
        v = (
            (k - 1.0)
            * (n - 1.0)
            * a**2
            / (
                (n - 1.0) * k**2 * single**2 * fj**2
                + (n * (1.0 + (k - 1.0) * single) - k * single) ** 2
            )
        )
        f_star = float(stats.f.ppf(q, n - 1, v))
        f_2star = float(stats.f.ppf(q, v, n - 1))
        base = k * ms.jms + (k * n - k - n) * ms.ems
        low = n * (ms.bms - f_star * ms.ems) / (f_star * base + n * ms.bms)
        high = n * (f_2star * ms.bms - ms.ems) / (base + n * f_2star * ms.bms)
        if form == "icc2k":  # Spearman-Brown of the single-measure bounds (= M&W Table 8, A,k)
            low, high = k * low / (1.0 + (k - 1.0) * low), k * high / (1.0 + (k - 1.0) * high)
        return float(low), float(high)
    f_low = f_obs / float(stats.f.ppf(q, df1, df2))
    f_high = f_obs * float(stats.f.ppf(q, df2, df1))
    if form.endswith("k"):
        return 1.0 - 1.0 / f_low, 1.0 - 1.0 / f_high
    return (f_low - 1.0) / (f_low + k - 1.0), (f_high - 1.0) / (f_high + k - 1.0)


def _complete(ratings: object) -> tuple[FloatArray, int]:
    matrix = as_matrix(ratings)
    if matrix.shape[1] < 2:
        raise ValueError(f"an ICC needs at least 2 raters (columns); got {matrix.shape[1]}")
    keep = ~np.isnan(matrix).any(axis=1)
    return matrix[keep], int((~keep).sum())


def anova_mean_squares(ratings: object) -> MeanSquares:
    """BMS, WMS, JMS and EMS of the complete units (Shrout & Fleiss 1979, Table 1)."""
    x, _ = _complete(ratings)
    if x.shape[0] < 2:
        raise ValueError("mean squares need at least 2 units with complete ratings")
    bms, wms, jms, ems, _n = _Anova(x)(np.ones((1, x.shape[0])))
    return MeanSquares(float(bms[0]), float(wms[0]), float(jms[0]), float(ems[0]), *x.shape)


def icc_f_test(ratings: object, form: str = "icc2") -> tuple[float, int, int, float]:
    """F test of H0: ICC = 0 for a form: ``(F, df1, df2, p)`` (Shrout & Fleiss 1979).

    Forms 1 use F = BMS/WMS on (n - 1, n(k - 1)) df; forms 2 and 3 use F = BMS/EMS on
    (n - 1, (n - 1)(k - 1)) df. Complete units only.
    """
    if form not in ICC_FORMS:
        raise ValueError(f"unknown ICC form {form!r}; allowed: {', '.join(ICC_FORMS)}")
    f_obs, df1, df2 = _f_test(form, anova_mean_squares(ratings))
    return float(f_obs), df1, df2, float(stats.f.sf(f_obs, df1, df2))


def icc(
    ratings: object,
    form: str = "icc2",
    *,
    ci: bool = False,
    ci_method: str = "F",
    n_boot: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> ReliabilityResult:
    """One of the six Shrout & Fleiss intraclass correlations.

    Parameters
    ----------
    ratings
        Targets (units) x judges (raters) matrix of interval-scaled ratings. Units with any
        missing rating are dropped (listwise, as pingouin ``nan_policy='omit'``).
    form
        ``"icc1"``, ``"icc2"``, ``"icc3"`` (single rater) or ``"icc1k"``, ``"icc2k"``,
        ``"icc3k"`` (mean of the k raters).
    ci
        Whether to add a confidence interval.
    ci_method
        ``"F"`` (exact/approximate F intervals, McGraw & Wong 1996) or ``"bootstrap"``.
    n_boot, seed, confidence
        Bootstrap settings and confidence level.

    Notes
    -----
    With BMS (targets, df n-1), WMS (within targets, df n(k-1)), JMS (judges, df k-1) and EMS
    (residual, df (n-1)(k-1)), Shrout & Fleiss (1979):
    ICC(1,1) = (BMS - WMS)/(BMS + (k-1)WMS); ICC(2,1) = (BMS - EMS)/(BMS + (k-1)EMS +
    k(JMS - EMS)/n); ICC(3,1) = (BMS - EMS)/(BMS + (k-1)EMS); ICC(1,k) = (BMS - WMS)/BMS;
    ICC(2,k) = (BMS - EMS)/(BMS + (JMS - EMS)/n); ICC(3,k) = (BMS - EMS)/BMS.
    Intervals for forms 1 and 3 use F = BMS/WMS or BMS/EMS; for form 2, Satterthwaite's
    approximate df ``v`` (McGraw & Wong 1996, Table 7), with the k-form bounds the
    Spearman-Brown step-up of the single-measure bounds (identical to their Table 8).
    """
    if form not in ICC_FORMS:
        raise ValueError(f"unknown ICC form {form!r}; allowed: {', '.join(ICC_FORMS)}")
    x, dropped = _complete(ratings)
    n, k = int(x.shape[0]), int(x.shape[1])
    notes = [f"{_MODELS[form[3]]}; {'mean of k' if form.endswith('k') else 'single'} rater(s)"]
    if dropped:
        notes.append(f"missing ratings: {dropped} unit(s) with a missing rating dropped (listwise)")
    anova = _Anova(x) if n >= 2 else None

    def estimator(w: FloatArray) -> FloatArray:
        assert anova is not None
        bms, wms, jms, ems, nn = anova(w)
        return _estimate(form, bms, wms, jms, ems, nn, k)

    ms: MeanSquares | None = None
    if anova is None:
        est = float("nan")
        notes.append("estimate undefined: fewer than 2 units with complete ratings")
    else:
        ms = anova_mean_squares(x)
        est = float(estimator(np.ones((1, n)))[0])
        f_obs, df1, df2 = _f_test(form, ms)
        if not np.isfinite(est):
            notes.append("estimate undefined: the ratings have no variance")
        elif np.isfinite(f_obs):
            p = float(stats.f.sf(f_obs, df1, df2))
            notes.append(f"F({df1}, {df2}) = {fmt(f_obs)}, p = {fmt(p)} (H0: ICC = 0)")
    result = ReliabilityResult(
        statistic=_NAMES[form],
        estimate=est,
        ci_low=None,
        ci_high=None,
        ci_method=None,
        n_units=n,
        n_raters=k,
        level="interval",
        method=form,
        notes=tuple(notes),
    )
    if not ci:
        return result
    if ci_method == "bootstrap":
        return attach_bootstrap_ci(
            result, estimator, n, n_boot=n_boot, seed=seed, confidence=confidence
        )
    if ci_method != "F":
        raise ValueError(f"unknown ci_method {ci_method!r}; allowed: 'F', 'bootstrap'")
    method = "F (McGraw & Wong 1996)"
    if ms is None or not result.is_defined or ms.ems <= 0 or ms.wms <= 0:
        return result.with_ci(
            None, None, method, ("interval undefined (no residual variance or too few units)",)
        )
    low, high = _f_interval(form, ms, confidence)
    return result.with_ci(low, high, method, (f"{confidence:.0%} F-based interval",))
