"""The panel values one LA-year's child-level records must reproduce, and the codes both use.

:class:`Targets` holds the simulator's published (``observed``) counts and, for every
percentage, its numerator and denominator; values the panel lacks (unavailable, or before a
series starts) are left out and so not constrained.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PERCENT_IDS = (
    "rereferral_within_12m_pct",
    "icpc_within_15_days_pct",
    "assessments_within_45_days_pct",
    "repeat_cpp_pct",
    "cpp_2yrs_plus_pct",
    "cla_3plus_placements_pct",
    "cla_long_term_stability_pct",
)
COUNT_IDS = (
    "referrals_count",
    "cin_count_31mar",
    "s47_count",
    "icpc_count",
    "cpp_count_31mar",
    "cpp_starts_count",
    "cla_count_31mar",
    "cla_starts_count",
)


_ETHNIC = ("WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "BCRB", "CHNE", "OOTH")


class ChildLevelError(ValueError):
    """The panel's values for an LA-year cannot be realised as child-level records."""


@dataclass(frozen=True)
class Targets:
    """The panel's published values for one LA-year: counts, and numerators/denominators."""

    la_code: str
    year: int
    counts: dict[str, int]
    ratios: dict[str, tuple[int, int]]

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    def ratio(self, name: str) -> tuple[int, int]:
        return self.ratios.get(name, (0, 0))


def targets_from_panel(panel: pd.DataFrame, la_code: str, year: int) -> Targets:
    """The observed counts and percentage numerators/denominators of one LA-year."""
    rows = panel[(panel["la_code"] == la_code) & (panel["year"] == year) & panel["available"]]
    if rows.empty:
        raise KeyError(f"LA {la_code} has no values for {year} in the panel")
    by_id = rows.set_index("indicator")
    observed: dict[str, float] = {str(k): float(v) for k, v in by_id["observed"].items()}
    num: dict[str, float] = {str(k): float(v) for k, v in by_id["numerator"].items()}
    den: dict[str, float] = {str(k): float(v) for k, v in by_id["denominator"].items()}
    counts = {i: int(observed[i]) for i in COUNT_IDS if np.isfinite(observed.get(i, np.nan))}
    ratios = {i: (int(num[i]), int(den[i])) for i in PERCENT_IDS if np.isfinite(den.get(i, np.nan))}
    return Targets(la_code, year, counts, ratios)
