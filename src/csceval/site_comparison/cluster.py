"""Framework against contrast sites as a cluster design: site-mean t-test, spread, MDE.

Sites are the units of inference when the framework is a property of the site: with few sites
per group, the honest tests work on site means.

- **Site-mean t-test**: the difference between the groups' means of site means, its standard
  error from the pooled variance of site means, and a t interval and p-value on ``J - 2``
  degrees of freedom (J sites in all): the cluster-level analysis of Donner & Klar (2000),
  valid with few sites when site means are roughly normal.
- **Within-group spread**: the SD of unit scores around their group's mean (both variance
  components, N - 2 degrees of freedom) and the ICC(1) of sites within groups, floored at 0:
  the scale of a standardised difference and the design effect of the MDE.
- **Minimum detectable effect** (Bloom 1995; 2005): with ``J_F`` and ``J_C`` sites of ``m``
  units and intraclass correlation ``rho``, ``MDES = M * sqrt((rho + (1 - rho)/m) *
  (1/J_F + 1/J_C))`` in SD units, ``M = t(1 - alpha/2, J - 2) + t(power, J - 2)`` (two-sided
  alpha 0.05, power 0.8).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from csceval.reliability import aggregation_icc

ALPHA, POWER = 0.05, 0.8


@dataclass(frozen=True)
class SiteMeanTest:
    """The site-mean t-test's difference, standard error, interval and p-value."""

    difference: float
    se: float
    df: int
    low: float
    high: float
    p_value: float


def site_mean_t_test(
    framework: np.ndarray, contrast: np.ndarray, confidence: float = 0.95
) -> SiteMeanTest:
    """Difference of the groups' mean site means, pooled-variance t on J - 2 df."""
    a = np.asarray(framework, dtype=float)
    b = np.asarray(contrast, dtype=float)
    diff = float(a.mean() - b.mean()) if len(a) and len(b) else math.nan
    df = len(a) + len(b) - 2
    if len(a) < 1 or len(b) < 1 or df < 1:
        return SiteMeanTest(diff, math.nan, max(df, 0), math.nan, math.nan, math.nan)
    ss = float(((a - a.mean()) ** 2).sum() + ((b - b.mean()) ** 2).sum())
    se = math.sqrt(ss / df * (1 / len(a) + 1 / len(b)))
    if se == 0:
        return SiteMeanTest(diff, 0.0, df, diff, diff, math.nan)
    crit = float(stats.t.ppf(0.5 + confidence / 2, df))
    p = float(2 * stats.t.sf(abs(diff / se), df))
    return SiteMeanTest(diff, se, df, diff - crit * se, diff + crit * se, p)


@dataclass(frozen=True)
class Spread:
    """Within-group spread of family scores: SD and intraclass correlation of sites."""

    sd_within: float
    icc: float


def within_group_spread(values: np.ndarray, sites: np.ndarray, in_framework: np.ndarray) -> Spread:
    """SD of family scores around their group's mean, and the ICC of sites within groups.

    Notes
    -----
    The ICC is ICC(1) of the residuals around each group's mean (one-way ANOVA by site through
    :func:`csceval.reliability.aggregation_icc`), floored at 0; the SD uses N - 2 degrees of
    freedom (two group means estimated).
    """
    y = np.asarray(values, dtype=float)
    group = np.asarray(in_framework, dtype=bool)
    resid = y.copy()
    for flag in (True, False):
        if (group == flag).any():
            resid[group == flag] -= y[group == flag].mean()
    n = len(y)
    sd = math.sqrt(float((resid**2).sum()) / (n - 2)) if n > 2 else math.nan
    icc1, _ = aggregation_icc(resid, np.asarray(sites, dtype=object))
    icc = max(0.0, icc1.estimate) if math.isfinite(icc1.estimate) else math.nan
    return Spread(sd, icc)


def mde_multiplier(df: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """Bloom's multiplier t(1 - alpha/2, df) + t(power, df) (about 2.80 for large df)."""
    if df < 1:
        return math.nan
    return float(stats.t.ppf(1 - alpha / 2, df) + stats.t.ppf(power, df))


def minimum_detectable_effect_size(
    n_framework: int, n_contrast: int, per_site: float, icc: float
) -> float:
    """MDES in SD units for a two-group cluster design (Bloom 2005), alpha 0.05, power 0.8."""
    if n_framework < 1 or n_contrast < 1 or per_site <= 0 or not math.isfinite(icc):
        return math.nan
    m = mde_multiplier(n_framework + n_contrast - 2)
    var = (icc + (1 - icc) / per_site) * (1 / n_framework + 1 / n_contrast)
    return m * math.sqrt(var)
