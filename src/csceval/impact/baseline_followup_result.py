"""The typed results of :mod:`csceval.impact.baseline_followup`."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import pandas as pd


@dataclass(frozen=True)
class Windows:
    """The baseline and follow-up windows (years ending 31 March, inclusive)."""

    baseline: tuple[int, int] = (2013, 2016)
    followup: tuple[int, int] = (2018, 2020)

    def text(self, which: str) -> str:
        first, last = self.baseline if which == "baseline" else self.followup
        return f"{first}-{last}" if first != last else str(first)


@dataclass(frozen=True)
class PilotComparison:
    """One pilot against its comparators: window means and changes (the indicator's units)."""

    la_code: str
    baseline: float
    comparators_baseline: float
    followup: float
    comparators_followup: float
    change: float
    comparators_change: float
    n_comparators: int
    entered: bool
    reason: str

    @property
    def baseline_gap(self) -> float:
        return self.baseline - self.comparators_baseline

    @property
    def change_difference(self) -> float:
        return self.change - self.comparators_change


@dataclass(frozen=True)
class CausalEntry:
    """Whether a pilot can enter the causal estimators on an indicator, and why not."""

    la_code: str
    adoption_year: int
    pre_years: int
    entered: bool
    reason: str


@dataclass(frozen=True)
class BaselineFollowupResult:
    """Pilots against comparators in a baseline and a follow-up window, with permutation tests.

    ``baseline_gap``: mean over pilots minus mean over the comparator pool of the baseline
    level; ``change_difference``: the same for the change from baseline to follow-up;
    ``p_baseline`` / ``p_change``: their two-sided permutation p-values over LA labels.
    """

    windows: Windows
    pilots: tuple[PilotComparison, ...]
    baseline_gap: float
    change_difference: float
    p_baseline: float
    p_change: float
    n_comparators_baseline: int
    n_comparators_change: int
    n_permutations: int
    method: str = "baseline/follow-up comparison, permutation test over LA labels"

    @property
    def entered(self) -> tuple[str, ...]:
        return tuple(p.la_code for p in self.pilots if p.entered)

    def to_frame(self) -> pd.DataFrame:
        """One row per pilot: its fields plus ``baseline_gap`` and ``change_difference``."""
        rows = [
            {**asdict(p), "baseline_gap": p.baseline_gap, "change_difference": p.change_difference}
            for p in self.pilots
        ]
        return pd.DataFrame(rows)

    def summary(self) -> str:
        def num(x: float) -> str:
            return "n/a" if not math.isfinite(x) else f"{x:+.2f}"

        return (
            f"{len(self.entered)} of {len(self.pilots)} pilots; baseline "
            f"{self.windows.text('baseline')}: pilots minus comparators {num(self.baseline_gap)} "
            f"(permutation p = {self.p_baseline:.3f}); change to follow-up "
            f"{self.windows.text('followup')}: pilots' change minus comparators' "
            f"{num(self.change_difference)} (p = {self.p_change:.3f}); {self.method}, "
            f"{self.n_permutations} draws."
        )
