"""Key indicators over time: pilots against comparators and England (descriptive).

This is the first, descriptive look at the key indicators: group averages by year and the change
in the pilot-comparator gap from before implementation to after embedding. It makes no causal
claim; :mod:`csceval.impact` estimates the framework's effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.impact import ComparatorSet, choose_comparators
from csceval.indicators.catalogue import BY_ID, Indicator, Kind
from csceval.indicators.panel import denominator_weights, wide_panel, year_ending_march
from csceval.project import Project

GROUPS = ("pilots", "comparators", "england")


@dataclass(frozen=True)
class IndicatorTrend:
    """One indicator's yearly group averages and the years before and after adoption."""

    indicator: Indicator
    series: pd.DataFrame
    """One row per year: ``year``, ``pilots``, ``comparators``, ``england`` and ``n_<group>``."""
    pre_years: tuple[int, ...]
    post_years: tuple[int, ...]


@dataclass(frozen=True)
class TrendsResult:
    """The key-indicator trends of an evaluation."""

    trends: tuple[IndicatorTrend, ...]
    comparators: ComparatorSet
    pilot_codes: tuple[str, ...]
    adoption_year: int
    embedded_year: int
    notes: tuple[str, ...]


def group_mean(values: pd.DataFrame, weights: pd.DataFrame | None, codes: list[str]) -> pd.Series:
    """Yearly mean over the LAs in ``codes`` that have a value, weighted where weights exist.

    Notes
    -----
    For rates per 10,000 the weight is the LA's denominator population, which makes the mean
    equal to the pooled rate of the group. Percentages and ratios are unweighted means of the
    LA values because their denominators are not published. LAs with a suppressed or missing
    value in a year are left out of that year's mean.
    """
    block = values.reindex(index=codes)
    if weights is None:
        return block.mean(axis=0)
    w = weights.reindex(index=codes, columns=block.columns)
    w = w.where(block.notna()).fillna(w.mean(axis=0)).where(block.notna())
    total = w.sum(axis=0).replace(0.0, np.nan)
    return (block * w).sum(axis=0, min_count=1) / total


def mean_gap(series: pd.DataFrame, years: tuple[int, ...]) -> float | None:
    """Mean of pilots minus comparators over ``years`` (None when no year has both)."""
    rows = series[series["year"].isin(years)]
    gap = (rows["pilots"] - rows["comparators"]).dropna()
    return float(gap.mean()) if len(gap) else None


def analyse_trends(project: Project) -> TrendsResult:
    """Group averages by year for each indicator in the analysis plan."""
    pilots = project.pilots
    starts = [s.implementation_start for s in pilots if s.implementation_start]
    embeds = [s.fully_embedded or s.implementation_start for s in pilots if s.implementation_start]
    adoption_year = year_ending_march(min(starts))
    embedded_year = year_ending_march(sorted(d for d in embeds if d)[len(embeds) // 2])
    comparators = choose_comparators(project)
    pilot_codes = sorted(s.la_code for s in pilots)
    england_codes = sorted(project.table("local_authorities")["la_code"])
    weights = denominator_weights(project)
    first, last = project.settings.periods.first_year, project.settings.periods.last_year
    pre_years = tuple(range(first, adoption_year))
    post_years = tuple(range(embedded_year, last + 1))
    trends = []
    for indicator_id in project.settings.analysis.indicators:
        indicator = BY_ID[indicator_id]
        values = wide_panel(project, indicator_id)
        w = weights if indicator.kind is Kind.RATE else None
        series = pd.DataFrame({"year": values.columns.astype(int)})
        for group, codes in zip(
            GROUPS, (pilot_codes, list(comparators.la_codes), england_codes), strict=True
        ):
            series[group] = group_mean(values, w, codes).to_numpy()
            series[f"n_{group}"] = values.reindex(index=codes).notna().sum(axis=0).to_numpy()
        series = series[series[[f"n_{g}" for g in GROUPS]].sum(axis=1) > 0].reset_index(drop=True)
        trends.append(
            IndicatorTrend(
                indicator=indicator,
                series=series,
                pre_years=tuple(y for y in pre_years if y in set(series["year"])),
                post_years=tuple(y for y in post_years if y in set(series["year"])),
            )
        )
    notes = (
        "Group values are means over the LAs with a published value that year; rates are "
        "weighted by the population aged 0-17, so they equal the group's pooled rate.",
        f"Before implementation: years up to {adoption_year - 1} (the first pilot started in "
        f"the year ending March {adoption_year}). After embedding: from {embedded_year} (the "
        "median year pilots were fully embedded).",
        "These are descriptive comparisons, not estimates of the framework's effect.",
    )
    return TrendsResult(
        trends=tuple(trends),
        comparators=comparators,
        pilot_codes=tuple(pilot_codes),
        adoption_year=adoption_year,
        embedded_year=embedded_year,
        notes=notes,
    )
