"""The strength word of a framework-against-contrast comparison, and how it behaves on the design.

The rule
--------
"low" when the site permutation test (:mod:`.permutation`) gives a two-sided p at most 0.05,
"none" otherwise. Never stronger: a contrast study compares a few sites that were chosen, not
randomised, so a difference that predates the framework cannot be told apart from its effect.

What the word means on the project's own sites
----------------------------------------------
- **With no effect** (:attr:`ContrastVerdict.null_rate`): the share of the test's site
  labellings whose own p-value is at most 0.05. When the framework made no difference every
  labelling of these site means was as likely as the observed one, so this is exactly how often
  the rule says "low" with no effect: 0 with 2 sites against 2 (no p-value below 1/3), about
  5% once there are enough sites. It is computed on the observed site means.
- **With an effect the size of the minimum detectable effect** (:attr:`power_at_mde`): the
  share of simulated studies with these numbers of sites in which the rule says "low" when the
  framework sites are better by the MDE. Site means are drawn normal with the spread that the
  MDE itself assumes (``MDE / (M sqrt(1/J_F + 1/J_C))``, M Bloom's multiplier on J - 2 degrees
  of freedom, :func:`.cluster.mde_multiplier`), so the site-mean t-test has 80% power there by
  construction and this is the permutation rule's power beside it: lower with few sites, 0 when
  no p-value can reach 0.05. ``n_sim`` studies (1,000 by default, seeded: the same figures every
  run), each tested against the same labellings as the observed data.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from csceval.report.model import Strength
from csceval.site_comparison.cluster import ALPHA, mde_multiplier
from csceval.site_comparison.permutation import labelling_differences, site_labellings

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class ContrastVerdict:
    """The rule's word for one comparison and how often it says "low" on this design."""

    strength: Strength
    null_rate: float
    """Share of site labellings rated "low": the word's rate with no effect (exact)."""
    power_at_mde: float
    """Share of simulated studies with a difference of the MDE rated "low"."""

    def clause(self) -> str:
        """What the word means here, for the finding's sentence."""
        if not math.isfinite(self.null_rate):
            return "not rated (too few sites)"
        if self.null_rate == 0:  # no labelling of these sites reaches 0.05
            return (
                'rated "low" only when the site permutation p is at most 0.05, which so few '
                "sites can never give"
            )
        text = (
            'rated "low" when the site permutation p is at most 0.05, which on these sites '
            f"happens in {100 * self.null_rate:.0f}% of studies with no difference"
        )
        if math.isfinite(self.power_at_mde):
            text += f" and {100 * self.power_at_mde:.0f}% with a difference of the MDE"
        return text

    def columns(self) -> dict[str, object]:
        """The verdict as a results table's columns."""
        return {
            "strength": self.strength,
            "strength_null_rate": self.null_rate,
            "strength_power_at_mde": self.power_at_mde,
        }


VERDICT_COLUMNS = ("strength", "strength_null_rate", "strength_power_at_mde")
"""The columns :meth:`ContrastVerdict.columns` adds to a comparison's row."""


def flat_row(comparison: Any) -> dict[str, object]:
    """A comparison dataclass with a ``verdict`` field as one table row: its other fields, then
    the verdict's columns (a results frame has no nested values)."""
    row = {k: v for k, v in asdict(comparison).items() if k != "verdict"}
    return {**row, **comparison.verdict.columns()}


def _null_rate(values: FloatArray, masks: BoolArray, alpha: float) -> float:
    """The share of labellings whose own permutation p is at most ``alpha``: a labelling's p is
    the share of labellings at least as extreme (ties counted against it, as the test does)."""
    stat = np.abs(labelling_differences(masks, values))
    as_extreme = len(stat) - np.searchsorted(np.sort(stat), stat - 1e-12, side="left")
    return float(np.mean(as_extreme / len(stat) <= alpha + 1e-12))


def contrast_verdict(
    site_means: npt.ArrayLike,
    in_framework: npt.ArrayLike,
    p_value: float,
    mde: float,
    *,
    alpha: float = ALPHA,
    n_sim: int = 1000,
    seed: int = 0,
) -> ContrastVerdict:
    """The word for a comparison whose site permutation p is ``p_value`` (see the module notes)."""
    values = np.asarray(site_means, dtype=float)
    labels = np.asarray(in_framework, dtype=bool)
    n, k = len(values), int(labels.sum())
    strength: Strength = "low" if math.isfinite(p_value) and p_value <= alpha else "none"
    if k == 0 or k == n or not np.isfinite(values).all():
        return ContrastVerdict(strength, math.nan, math.nan)
    masks, _ = site_labellings(labels, seed=seed)  # the labellings the test itself uses
    null_rate = _null_rate(values, masks, alpha)
    df = n - 2
    if df < 1 or not math.isfinite(mde) or mde <= 0:
        return ContrastVerdict(strength, null_rate, math.nan)
    spread = mde / (mde_multiplier(df) * math.sqrt(1 / k + 1 / (n - k)))
    rng = np.random.default_rng([seed, 1])
    studies = rng.normal(0.0, spread, size=(n, n_sim)) + mde * labels[:, None]
    return ContrastVerdict(strength, null_rate, _power(studies, masks, labels, alpha))


def _power(studies: FloatArray, masks: BoolArray, labels: BoolArray, alpha: float) -> float:
    """Share of simulated studies whose observed labelling's permutation p is at most alpha."""
    stat = np.abs(labelling_differences(masks, studies))
    observed = np.abs(studies[labels].mean(axis=0) - studies[~labels].mean(axis=0))
    p = (stat >= observed[None, :] - 1e-12).mean(axis=0)
    return float(np.mean(p <= alpha + 1e-12))
