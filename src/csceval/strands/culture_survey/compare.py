"""Framework against contrast sites: respondents in teams in sites, with few sites.

Notes
-----
The unit of assignment is the site, so inference is at site level:

- each team's mean is the mean of its respondents' subscale scores, and each site's mean the
  mean of its team means (every team counts equally: climate is a property of teams);
- the difference is the mean of framework site means minus the mean of contrast site means;
- its interval is a two-sample t interval on the site means with pooled variance and
  ``J - 2`` degrees of freedom (``J`` sites): with four sites that is 2 degrees of freedom,
  which is honest about how little four sites can say;
- the permutation p-value relabels whole sites (every assignment of ``J_f`` of the ``J``
  sites to the framework is enumerated); with 2 against 2 there are 6 and the smallest
  possible two-sided p-value is 1/3, which the report states;
- the effect size is the difference over the total respondent-level standard deviation
  (``d_T``, Hedges 2007, for cluster designs), its interval the difference's interval over the
  same SD (the SD's own uncertainty is ignored);
- the minimum detectable effect (80% power, two-sided 5% test) for this design is
  ``(t_{0.975, J-2} + t_{0.80, J-2}) SE``, where ``SE = s_p sqrt(1/J_f + 1/J_c)`` uses the
  pooled variance of the site means (so it includes team and site variation as observed),
  in scale points and in SD units (Bloom 1995).

With fewer than 3 sites, or one group without 2 sites and the other without 1, no interval is
given. This is equivalent to a three-level model's site-level test when sites and teams are
balanced, and it does not pretend that respondents are independent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from csceval.site_comparison import (
    ContrastVerdict,
    contrast_verdict,
    mde_multiplier,
    site_mean_t_test,
    site_permutation_test,
)


@dataclass(frozen=True)
class SiteComparison:
    """Framework minus contrast sites on one subscale at one time point."""

    subscale: str
    time_point: str
    n_sites_framework: int
    n_sites_contrast: int
    n_respondents: int
    mean_framework: float
    mean_contrast: float
    difference: float
    se: float
    df: int
    low: float
    high: float
    p_t: float
    p_permutation: float
    smallest_p: float
    sd_total: float
    effect_size: float
    effect_low: float
    effect_high: float
    mde: float
    mde_sd: float
    verdict: ContrastVerdict
    method: str = "site-means t (pooled, J-2 df) and site permutation"


def compare_sites(
    site_means: pd.Series,
    framework: pd.Series,
    sd_total: float,
    n_respondents: int,
    subscale: str,
    time_point: str,
    confidence: float = 0.95,
) -> SiteComparison:
    """Compare site means (indexed by site) where ``framework`` is True for framework sites."""
    values = site_means.to_numpy(dtype=float)
    mask = framework.reindex(site_means.index).to_numpy(dtype=bool)
    a, b = values[mask], values[~mask]
    n_a, n_b = len(a), len(b)
    nan = math.nan
    test = site_mean_t_test(a, b, confidence)
    diff, se, low, high, p_t, df = (
        test.difference,
        test.se,
        test.low,
        test.high,
        test.p_value,
        test.df,
    )
    mde = mde_multiplier(df) * se if math.isfinite(se) else nan
    permutation = site_permutation_test(values, mask)
    p_perm, smallest = permutation.p_value, permutation.smallest_p
    ok = sd_total > 0 and math.isfinite(sd_total)
    scale = sd_total if ok else nan
    return SiteComparison(
        subscale=subscale,
        time_point=time_point,
        n_sites_framework=n_a,
        n_sites_contrast=n_b,
        n_respondents=n_respondents,
        mean_framework=float(a.mean()) if n_a else nan,
        mean_contrast=float(b.mean()) if n_b else nan,
        difference=diff,
        se=se,
        df=max(df, 0),
        low=low,
        high=high,
        p_t=p_t,
        p_permutation=p_perm,
        smallest_p=smallest,
        sd_total=scale,
        effect_size=diff / scale,
        effect_low=low / scale,
        effect_high=high / scale,
        mde=mde,
        mde_sd=mde / scale,
        verdict=contrast_verdict(values, mask, p_perm, mde),
    )
