"""Interrupted time series for one pilot, controlled by a comparison series.

Segmented regression (Wagner et al. 2002) of a yearly series on

    y_t = b0 + b1 * (t - start) + b2 * post_t + b3 * post_t * (t - start) + e_t,

``post_t = 1`` from the start year: ``b2`` is the change in level at the start, ``b3`` the
change in slope. In the *controlled* design (the default when comparison units are given) the
series is the pilot minus the mean of the comparison units in each year, which removes shocks
common to both; without comparison units it is the pilot's own series.

Standard errors are Newey-West (HAC, Bartlett kernel) computed with numpy: lag
``L = floor(4 * (n / 100) ** (2 / 9))`` (Newey and West 1994's rule of thumb; 2 for 10-16
years) unless given, and the small-sample factor ``n / (n - k)`` -- the same as statsmodels'
``OLS.fit(cov_type="HAC", cov_kwds={"maxlags": L, "use_correction": True})``. Intervals and
p-values use Student's t with ``n - k`` degrees of freedom, not the normal, because the
series are short (10-16 points); even so HAC errors are unreliable at this length, which is
why the report leads with randomization inference and states each test's calibrated size.

**The effect** is the mean of the observed post-period gaps: the mean of the modelled series
from ``start`` minus its mean before ``start`` (for the controlled design, the change in the
pilot's gap to its comparators). The pre-period line is *not* extrapolated: ``b2 + b3 (t -
start)`` averaged over the post-period projects the pre-trend as far as the data run (up to 11
years on a log scale gave +128% on real data), so the segmented coefficients describe the chart
but never the effect. Its standard error is the Newey-West one of the ``post`` coefficient in
``y_t = a + d post_t + e_t`` (``d`` equals the effect), with the same lag rule; at these lengths
it is not a valid test (calibrated size 28-48%), so the impact strand draws ITS as a chart.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import t as student_t

from csceval.impact.synth_data import SynthPanel
from csceval.impact.synth_fit import json_float

FloatArray = npt.NDArray[np.float64]
TERMS: tuple[str, ...] = ("intercept", "pre_trend", "level_change", "slope_change")


def nw_lags(n: int) -> int:
    """Newey-West (1994) rule of thumb: ``floor(4 * (n / 100) ** (2 / 9))``."""
    lags: int = math.floor(4 * (n / 100) ** (2 / 9))
    return lags


def hac_cov(x: FloatArray, resid: FloatArray, lags: int, correction: bool = True) -> FloatArray:
    """Newey-West covariance of OLS coefficients (Bartlett weights ``1 - l / (L + 1)``)."""
    n, k = x.shape
    scores = x * resid[:, None]
    meat = scores.T @ scores
    for lag in range(1, lags + 1):
        gamma = scores[lag:].T @ scores[:-lag]
        meat += (1 - lag / (lags + 1)) * (gamma + gamma.T)
    bread = np.linalg.inv(x.T @ x)
    cov: FloatArray = bread @ meat @ bread
    if correction:
        cov *= n / (n - k)
    return cov


@dataclass(frozen=True, eq=False)
class ITSResult:
    """A segmented-regression fit with HAC standard errors."""

    treated: str
    comparison: tuple[str, ...]
    outcome: str
    start: int
    times: tuple[int, ...]
    series: FloatArray  # the modelled series (pilot minus comparison mean, or pilot)
    coef: FloatArray
    cov: FloatArray
    lags: int
    df: int
    effect: float
    effect_se: float
    level: float

    @property
    def se(self) -> FloatArray:
        """Standard errors of the four coefficients."""
        out: FloatArray = np.sqrt(np.diag(self.cov))
        return out

    def ci(self, value: float, se: float) -> tuple[float, float]:
        """Two-sided interval at :attr:`level` with Student's t on :attr:`df`."""
        q = float(student_t.ppf(0.5 + self.level / 2, self.df))
        return value - q * se, value + q * se

    def p_value(self, value: float, se: float) -> float:
        """Two-sided p-value of ``value / se`` against Student's t on :attr:`df`."""
        return float(2 * student_t.sf(abs(value / se), self.df)) if se > 0 else float("nan")

    @property
    def fitted(self) -> FloatArray:
        """The fitted series."""
        out: FloatArray = design(self.times, self.start) @ self.coef
        return out

    @property
    def counterfactual(self) -> FloatArray:
        """The pre-period line extended: the series had nothing changed at the start."""
        out: FloatArray = design(self.times, self.start)[:, :2] @ self.coef[:2]
        return out

    def to_dict(self) -> dict[str, object]:
        """JSON-safe mapping."""
        terms = {}
        for i, name in enumerate(TERMS):
            value, se = float(self.coef[i]), float(self.se[i])
            low, high = self.ci(value, se)
            terms[name] = {
                "estimate": value,
                "se": se,
                "ci": [low, high],
                "p_value": json_float(self.p_value(value, se)),
            }
        low, high = self.ci(self.effect, self.effect_se)
        return {
            "treated": self.treated,
            "comparison": list(self.comparison),
            "controlled": bool(self.comparison),
            "outcome": self.outcome,
            "start": self.start,
            "effect": self.effect,
            "effect_se": self.effect_se,
            "effect_ci": [low, high],
            "effect_p_value": json_float(self.p_value(self.effect, self.effect_se)),
            "terms": terms,
            "hac_lags": self.lags,
            "df": self.df,
            "level": self.level,
            "series": {str(t): float(v) for t, v in zip(self.times, self.series, strict=True)},
        }


def design(times: Sequence[int], start: int) -> FloatArray:
    """Columns: 1, t - start, post, post * (t - start)."""
    t = np.asarray(times, dtype=np.float64) - start
    post = (t >= 0).astype(np.float64)
    return np.column_stack([np.ones_like(t), t, post, post * t])


def its(
    panel: SynthPanel,
    outcome: str,
    treated: str,
    start: int,
    *,
    comparison: Sequence[str] = (),
    lags: int | None = None,
    level: float = 0.95,
) -> ITSResult:
    """Controlled (with ``comparison`` units) or single interrupted time series for one pilot.

    Years where the pilot or every comparison unit is missing are dropped; at least three
    years before and two from ``start`` must remain (``ValueError`` otherwise).
    """
    y = panel.variable(outcome)
    series = y[:, panel.index_of(treated)].copy()
    comp = tuple(str(c) for c in comparison if str(c) != str(treated))
    if comp:
        cols = [panel.index_of(c) for c in comp]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a year with no comparison value
            series = series - np.nanmean(y[:, cols], axis=1)
    times = np.asarray(panel.times)
    ok = np.isfinite(series)
    n_pre, n_post = int((ok & (times < start)).sum()), int((ok & (times >= start)).sum())
    if n_pre < 3 or n_post < 2:
        raise ValueError(
            f"{treated}: {n_pre} observed year(s) before {start} and {n_post} from it; "
            "interrupted time series needs at least 3 and 2"
        )
    kept = tuple(int(t) for t in times[ok])
    x = design(kept, start)
    s = series[ok]
    coef, *_ = np.linalg.lstsq(x, s, rcond=None)
    resid = s - x @ coef
    n, k = x.shape
    lag = nw_lags(n) if lags is None else lags
    if lag < 0 or lag >= n:
        raise ValueError(f"HAC lags must be between 0 and {n - 1}, got {lag}")
    cov = hac_cov(x, resid, lag)
    x_gap = x[:, [0, 2]]  # intercept and post: the post coefficient is mean(post) - mean(pre)
    gap, *_ = np.linalg.lstsq(x_gap, s, rcond=None)
    gap_cov = hac_cov(x_gap, s - x_gap @ gap, lag)
    return ITSResult(
        treated=str(treated),
        comparison=comp,
        outcome=outcome,
        start=start,
        times=kept,
        series=s,
        coef=coef,
        cov=cov,
        lags=lag,
        df=n - k,
        effect=float(gap[1]),
        effect_se=float(np.sqrt(gap_cov[1, 1])),
        level=level,
    )
