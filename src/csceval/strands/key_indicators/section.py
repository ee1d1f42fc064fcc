"""The report section for key indicators over time: a chart and a table per indicator."""

from __future__ import annotations

import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.indicators.catalogue import Better, Kind
from csceval.report.model import (
    Block,
    Emphasis,
    Finding,
    LineChart,
    Marker,
    Prose,
    Section,
    Series,
    TableBlock,
)
from csceval.strands.key_indicators.pilots_section import render_pilots
from csceval.strands.key_indicators.trends import GROUPS, IndicatorTrend, TrendsResult, mean_gap

LABELS = {"pilots": "Pilots", "comparators": "Comparators", "england": "England"}
EMPHASES: dict[str, Emphasis] = {
    "pilots": "focus",
    "comparators": "comparison",
    "england": "benchmark",
}
ROLES = {Kind.RATE: ColumnRole.RATE, Kind.PERCENT: ColumnRole.PERCENT}
SOURCE = "Project data table data/indicators.csv; group means computed by csceval."


def _units(trend: IndicatorTrend) -> str:
    unit = trend.indicator.unit_label
    return "percentage points" if trend.indicator.kind is Kind.PERCENT else unit


def published_series(trend: IndicatorTrend, block: TableBlock) -> pd.DataFrame:
    """The group means as published (after disclosure control), with their years."""
    return block.table.values.assign(year=trend.series["year"].to_numpy())


def describe_change(trend: IndicatorTrend, published: pd.DataFrame) -> str | None:
    """A plain-English sentence on how the pilot-comparator gap moved, or None if unknown.

    The gaps are computed from the published (disclosure-controlled) group means, so the
    finding quotes nothing the tables do not show.
    """
    ind = trend.indicator
    pre_gap, post_gap = mean_gap(published, trend.pre_years), mean_gap(published, trend.post_years)
    if pre_gap is None or post_gap is None:
        return None
    unit = _units(trend)

    def gap(value: float) -> str:
        side = "above" if value > 0 else "below"
        return f"{abs(value):.1f} {unit} {side}" if round(value, 1) else "level with"

    change = post_gap - pre_gap
    text = (
        f"{ind.title}: before implementation the pilots were on average {gap(pre_gap)} "
        f"their comparators; after embedding they were {gap(post_gap)}"
    )
    if round(change, 1) == 0 or ind.better is Better.NEITHER:
        return text + "."
    favourable = (change < 0) == (ind.better is Better.LOWER)
    verdict = "in the pilots' favour" if favourable else "against the pilots"
    return f"{text}, a shift of {abs(change):.1f} {unit} {verdict} ({ind.better.value} is better)."


def _published(trend: IndicatorTrend, policy: DisclosurePolicy) -> TableBlock:
    ind = trend.indicator
    role = ROLES.get(ind.kind, ColumnRole.VALUE)
    columns = [PublishedColumn("year", "Year ending 31 March", ColumnRole.LABEL)]
    columns += [
        PublishedColumn(g, f"{LABELS[g]} ({ind.unit_label})", role, unit=ind.unit_label, dp=1)
        for g in GROUPS
    ]
    columns += [
        PublishedColumn(f"n_{g}", f"{LABELS[g]}: LAs with a value", ColumnRole.VALUE, dp=0)
        for g in GROUPS
    ]
    frame = trend.series.copy()
    frame["year"] = frame["year"].astype(str)
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    return TableBlock(
        id=f"trend-{ind.id}",
        title=f"{ind.title}: pilots, comparators and England by year",
        table=table,
        caption=f"{ind.title} ({ind.unit_label}), mean over the LAs in each group",
        source=f"{ind.source}. {SOURCE}",
        notes=(ind.definition,),
    )


def _chart(
    trend: IndicatorTrend, result: TrendsResult, block: TableBlock, published: pd.DataFrame
) -> LineChart:
    """The indicator's line chart; its text alternative quotes the published values only."""
    ind = trend.indicator
    last = published.dropna(subset=["pilots", "comparators"]).tail(1)
    latest = (
        f" In {last['year'].iat[0]} the pilots averaged {last['pilots'].iat[0]:.1f} and "
        f"their comparators {last['comparators'].iat[0]:.1f} {ind.unit_label}."
        if len(last)
        else ""
    )
    return LineChart(
        id=f"chart-{ind.id}",
        title=f"{ind.title} by year",
        table_id=block.id,
        x="year",
        series=tuple(Series(g, LABELS[g], EMPHASES[g]) for g in GROUPS),
        y_label=ind.unit_label,
        x_label="Year ending 31 March",
        description=f"Line chart of {ind.title.lower()} for the pilots, their comparators and "
        f"England, by year.{latest}",
        markers=(
            Marker(result.adoption_year, "First pilot starts"),
            Marker(result.embedded_year, "Pilots embedded (median)"),
        ),
    )


def render_trends(result: TrendsResult, policy: DisclosurePolicy) -> Section:
    """The key-indicators section of the report."""
    blocks: list[Block] = [
        Prose(
            f"This section follows {len(result.trends)} key indicators for the "
            f"{len(result.pilot_codes)} pilot LAs, {result.comparators.describe()}, and all "
            "of England.\n\n" + " ".join(result.notes)
        )
    ]
    findings = []
    for trend in result.trends:
        table = _published(trend, policy)
        published = published_series(trend, table)
        blocks += [_chart(trend, result, table, published), table]
        sentence = describe_change(trend, published)
        if sentence:
            findings.append(Finding(sentence))
    if result.pilots is not None:
        pilot_blocks, pilot_findings = render_pilots(result.pilots, policy)
        blocks += pilot_blocks
        findings += pilot_findings
    return Section(
        id="key-indicators",
        title="Key indicators over time",
        summary="How the pilots' key indicators moved, year by year, beside comparable LAs and "
        "England. The comparisons are descriptive: the impact section estimates the effect.",
        findings=tuple(findings),
        blocks=tuple(blocks),
    )
