"""Is this synthetic world an unlucky draw? Coverage on one world against what to expect.

Notes
-----
Two probabilities of seeing *so few* intervals cover their truth (``k`` or fewer of ``n``):

- against the nominal 95%: ``P(Binomial(n, 0.95) <= k)``;
- against the coverage the recovery study measured for each indicator and method
  (:data:`DOCUMENTED_COVERAGE`, docs/methods.md "Recovery on synthetic England": the 600
  seeds of its three blocks of 200, every method of the demo's plan):
  a Poisson-binomial with those per-estimate coverages. This is "how often such a world
  occurs".

Both treat the estimates as independent, which they are not: the methods share one world's
pilots, comparators and yearly pressure, so when one interval misses, others tend to miss too.
Correlation fattens the tail, so bad worlds are *more* common than these figures say; they are
a floor and a guide, not an exact rate. The report calls a world unlucky when the
documented-coverage probability is below :data:`UNLUCKY`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import stats

NOMINAL = 0.95
UNLUCKY = 0.05
RECOVERY_SOURCE = (
    'docs/methods.md, "Recovery on synthetic England" (three blocks of 200 seeds from 1, 5,001 '
    "and 10,001)"
)
DOCUMENTED_COVERAGE: dict[tuple[str, str], float] = {
    ("referral_rate_per_10k", "random_trend"): 0.947,
    ("referral_rate_per_10k", "synth_pooled"): 0.932,
    ("referral_rate_per_10k", "did"): 0.957,
    ("referral_rate_per_10k", "sdid"): 0.945,
    ("cin_rate_per_10k", "random_trend"): 0.945,
    ("cin_rate_per_10k", "synth_pooled"): 0.938,
    ("cin_rate_per_10k", "did"): 0.957,
    ("cin_rate_per_10k", "sdid"): 0.933,
    ("rereferral_within_12m_pct", "random_trend"): 0.958,
    ("rereferral_within_12m_pct", "synth_pooled"): 0.935,
    ("rereferral_within_12m_pct", "did"): 0.962,
    ("rereferral_within_12m_pct", "sdid"): 0.943,
    ("cpp_rate_per_10k", "random_trend"): 0.947,
    ("cpp_rate_per_10k", "synth_pooled"): 0.917,
    ("cpp_rate_per_10k", "did"): 0.953,
    ("cpp_rate_per_10k", "sdid"): 0.940,
    ("cla_rate_per_10k", "random_trend"): 0.933,
    ("cla_rate_per_10k", "synth_pooled"): 0.942,
    ("cla_rate_per_10k", "did"): 0.955,
    ("cla_rate_per_10k", "sdid"): 0.972,
}
"""Coverage of the 95% intervals in the recovery study, by indicator and method."""
MEAN_DOCUMENTED = float(np.mean(list(DOCUMENTED_COVERAGE.values())))
"""Used for an indicator or method the recovery study did not measure."""
DOCUMENTED_RANGE = (
    f"{100 * min(DOCUMENTED_COVERAGE.values()):g}-{100 * max(DOCUMENTED_COVERAGE.values()):g}%"
)
"""The span of the measured coverages, as the report quotes it (``91.7-97.2%``)."""


def documented_coverage(indicator: str, method: str) -> float:
    """The recovery study's coverage for this estimate (its mean where unmeasured)."""
    return DOCUMENTED_COVERAGE.get((indicator, method), MEAN_DOCUMENTED)


def at_most_nominal(k: int, n: int) -> float:
    """``P(Binomial(n, 0.95) <= k)``: so few covered if each covered 95% of the time."""
    return float(stats.binom.cdf(k, n, NOMINAL)) if n else 1.0


def at_most(k: int, coverages: Sequence[float]) -> float:
    """``P(at most k covered)`` when interval ``i`` covers with probability ``coverages[i]``
    independently (Poisson-binomial, by convolution)."""
    dist = np.array([1.0])
    for p in coverages:
        dist = np.convolve(dist, np.array([1.0 - p, p]))
    return float(dist[: k + 1].sum())


def one_in(p: float) -> str:
    """``about 1 world in 180`` (or ``most worlds`` when the probability is a half or more)."""
    if p >= 0.5:
        return "most worlds"
    if p <= 0:
        return "almost never"
    n = 1.0 / p
    rounded = round(n) if n < 20 else int(round(n, -1 if n < 1000 else -2))
    return f"about 1 world in {rounded:,}"
