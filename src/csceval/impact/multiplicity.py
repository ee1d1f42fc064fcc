"""Evidence thresholds and the multiplicity adjustment shared by the impact strands' verdicts.

The LA-level impact strand (:mod:`csceval.strands.impact.verdicts`) and the child-level one
(:mod:`csceval.strands.child_impact.verdicts`) give a word the same meaning: "moderate" needs a
p-value at most :data:`MODERATE_P` and a family-wise one at most :data:`FAMILY_P`; "low" a
p-value below :data:`LOW_P` (or another signal). Both read the thresholds and :func:`holm` here,
so the two sections cannot drift apart; and :func:`rank_p`, the p-value of a statistic among
its null draws, with which both calibrate their tests on the project's own design.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from scipy.stats import norm

MODERATE_P, FAMILY_P, LOW_P = 0.02, 0.05, 0.10
MIN_RANK_DRAWS = round(1 / MODERATE_P) - 1
"""The fewest null draws with which :func:`rank_p` can reach :data:`MODERATE_P`
(``1 / (1 + n) <= 0.02`` needs ``n >= 49``): with fewer, a design-calibrated "moderate" cannot
occur, so both strands fall back to their nominal rule."""
MDE_FACTOR = float(norm.ppf(0.975) + norm.ppf(0.8))
"""``z_0.975 + z_0.8``: the minimum detectable effect in null standard deviations (80% power,
5% two-sided); the cost-benefit analysis turns an estimate's MDE back into its null spread."""


def holm(p: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values (NaN stays NaN and does not count)."""
    values = np.asarray(p, dtype=np.float64)
    ok = np.flatnonzero(np.isfinite(values))
    order = ok[np.argsort(values[ok], kind="stable")]
    out = np.full(values.shape, np.nan)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(order) - rank) * float(values[i])))
        out[i] = running
    return [float(x) for x in out]


def rank_p(t: npt.ArrayLike, null: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """``(1 + #{null >= t}) / (1 + n)`` for each ``t`` (NaN where ``t`` is): the p-value of a
    statistic (larger: stronger evidence) among ``n`` null draws of it."""
    tv = np.atleast_1d(np.asarray(t, dtype=np.float64))
    ordered = np.sort(np.asarray(null, dtype=np.float64))
    above = len(ordered) - np.searchsorted(ordered, tv, side="left")
    p = (1 + above) / (1 + len(ordered))
    return np.asarray(np.where(np.isfinite(tv), p, np.nan), dtype=np.float64)
