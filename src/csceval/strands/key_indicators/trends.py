"""Key indicators over time: pilots against comparators and England (descriptive).

This is the first, descriptive look at the key indicators: group averages by year and the change
in the pilot-comparator gap from before implementation to after embedding. It makes no causal
claim; :mod:`csceval.impact` estimates the framework's effect.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.indicators.catalogue import BY_ID, Better, Indicator, Kind
from csceval.indicators.panel import (
    denominator_weights,
    group_mean,
    wide_panel,
    year_ending_march,
)
from csceval.project import ProjectData
from csceval.project.comparators import ComparatorSet, choose_comparators
from csceval.strands.key_indicators.pilots import PilotAnalysis, analyse_pilots

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
    before_year: int = 0
    """Group "before" years are those before this one: the median pilot's adoption year."""
    pilots: PilotAnalysis | None = None
    """Each pilot against its own comparators (pre-adoption, baseline/follow-up, entry)."""

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator, group and year (in that order), before disclosure control.

        Columns: ``indicator`` (catalogue id), ``title``, ``unit``, ``group`` (``pilots``,
        ``comparators`` or ``england``), ``year`` (DfE year Y), ``value`` (the group mean, NaN
        when no LA of the group has a value), ``n_las`` (LAs with a value) and ``period``
        (``before`` implementation, ``after`` embedding, else empty).
        """
        frames = []
        for trend in self.trends:
            s = trend.series
            long = s.melt("year", list(GROUPS), var_name="group", value_name="value")
            counts = s.melt("year", [f"n_{g}" for g in GROUPS], value_name="n_las")["n_las"]
            period = np.select(
                [long["year"].isin(trend.pre_years), long["year"].isin(trend.post_years)],
                ["before", "after"],
                "",
            )
            ind = trend.indicator
            frames.append(
                long.assign(
                    indicator=ind.id,
                    title=ind.title,
                    unit=ind.unit_label,
                    n_las=counts.to_numpy(),
                    period=period,
                )
            )
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return frame.reindex(columns=list(TREND_COLUMNS))

    def summary(self) -> str:
        """The pilot-comparator gap on each indicator before implementation and after embedding."""
        lines, moved = [], {"favour": 0, "against": 0}
        for trend in self.trends:
            ind = trend.indicator
            unit = "percentage points" if ind.kind is Kind.PERCENT else ind.unit_label
            before, after = (mean_gap(trend.series, y) for y in (trend.pre_years, trend.post_years))
            directed = ind.better is not Better.NEITHER
            if directed and before is not None and after is not None and round(after - before, 1):
                better = (after < before) == (ind.better is Better.LOWER)
                moved["favour" if better else "against"] += 1
            before_text, after_text = ("n/a" if g is None else f"{g:+.1f}" for g in (before, after))
            lines.append(
                f"{ind.title}: pilots minus comparators {before_text} before, {after_text} after "
                f"({unit})."
            )
        headline = (
            f"Gap to comparators, before implementation to after embedding: in the pilots' "
            f"favour on {moved['favour']} of {len(self.trends)} indicators, against them on "
            f"{moved['against']} (descriptive)."
        )
        scope = (
            f"{len(self.pilot_codes)} pilots against {len(self.comparators.la_codes)} comparator "
            f"LAs; before implementation: to {(self.before_year or self.adoption_year) - 1}; "
            "after embedding: from "
            f"{self.embedded_year}; no better direction for "
            f"{sum(t.indicator.better is Better.NEITHER for t in self.trends)} indicators."
        )
        return "\n".join([headline, scope, *lines])


TREND_COLUMNS = ("indicator", "title", "unit", "group", "year", "value", "n_las", "period")
"""The columns of :meth:`TrendsResult.to_frame`."""


def mean_gap(series: pd.DataFrame, years: tuple[int, ...]) -> float | None:
    """Mean of pilots minus comparators over ``years`` (None when no year has both)."""
    rows = series[series["year"].isin(years)]
    gap = (rows["pilots"] - rows["comparators"]).dropna()
    return float(gap.mean()) if len(gap) else None


def analyse_trends(project: ProjectData) -> TrendsResult:
    """Group averages by year for each indicator in the analysis plan."""
    pilots = project.pilots
    starts = [s.implementation_start for s in pilots if s.implementation_start]
    embeds = [s.fully_embedded or s.implementation_start for s in pilots if s.implementation_start]
    adoption_year = year_ending_march(min(starts))
    adoptions = sorted(year_ending_march(d) for d in starts)
    before_year = adoptions[(len(adoptions) - 1) // 2]
    embedded_year = year_ending_march(sorted(d for d in embeds if d)[len(embeds) // 2])
    comparators = choose_comparators(project)
    pilot_codes = sorted(s.la_code for s in pilots)
    england_codes = sorted(project.table("local_authorities")["la_code"])
    weights = denominator_weights(project)
    # Years with no population at all (before the ONS series) fall back on equal weights.
    weights.loc[:, weights.columns[weights.isna().all(axis=0)]] = 1.0
    first, last = project.settings.periods.first_year, project.settings.periods.last_year
    pre_years = tuple(range(first, before_year))
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
        f"Before implementation: years up to {before_year - 1}, before the median pilot's "
        f"adoption year ({before_year}; the first pilot started in the year ending March "
        f"{adoption_year}, so {sum(a < before_year for a in adoptions)} of {len(adoptions)} "
        f"pilots had started before {before_year}). After embedding: from {embedded_year} "
        "(the median year pilots were fully embedded). The per-pilot tables below compare "
        "each pilot with its own comparators over its own pre-adoption years.",
        "These are descriptive comparisons, not estimates of the framework's effect.",
    )
    return TrendsResult(
        trends=tuple(trends),
        comparators=comparators,
        pilot_codes=tuple(pilot_codes),
        adoption_year=adoption_year,
        embedded_year=embedded_year,
        notes=notes,
        before_year=before_year,
        pilots=analyse_pilots(project, comparators),
    )
