"""Benchmarking: each pilot against its statistical neighbours, its region and England.

For every pilot and every indicator of the analysis plan, year by year:

- the pilot's own value (a suppressed cell stays suppressed);
- the mean of its DfE statistical neighbours with a value that year: an unweighted mean, as
  DfE's LAIT computes its statistical-neighbour average;
- its region and England: for rates, the pooled rate (LA rates weighted by the mid-(Y-1)
  population aged 0-17, :func:`csceval.indicators.panel.group_mean`); for percentages
  and other
  indicators, the unweighted mean of LA values (their denominators are not published);
- its rank among all LAs with a value that year, 1 being the best when the catalogue says which
  direction is better (lower or higher), else 1 being the highest value; ties share the better
  rank. The quartile is ``ceil(4 x rank / n)``, so quartile 1 holds the best quarter.

:func:`benchmark_la` is the entry point for one LA (the web platform's pilot page);
:func:`analyse_benchmarks` runs it for every pilot of a project and :func:`render_benchmarks`
reports it, every table through :func:`csceval.disclosure.protect`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.disclosure import ColumnRole, DisclosurePolicy, PublishedColumn, TableSpec, protect
from csceval.indicators.catalogue import BY_ID, Better, Indicator, Kind
from csceval.indicators.panel import (
    denominator_weights,
    group_mean,
    indicator_rows,
    wide_panel,
)
from csceval.project import ProjectData
from csceval.report.model import (
    Block,
    DetailPage,
    Finding,
    LineChart,
    Prose,
    Section,
    Series,
    TableBlock,
)

COMPARISONS = ("neighbours", "region", "england")
LABELS = {
    "la": "",
    "neighbours": "Statistical neighbours",
    "region": "Region",
    "england": "England",
}
ROLES = {Kind.RATE: ColumnRole.RATE, Kind.PERCENT: ColumnRole.PERCENT}


@dataclass(frozen=True)
class Benchmark:
    """One LA and indicator over time: ``series`` has a row per year with ``la`` (value or
    DfE symbol), ``neighbours``, ``region``, ``england``, ``rank``, ``n_ranked``, ``quartile``."""

    la_code: str
    la_name: str
    indicator: Indicator
    series: pd.DataFrame
    n_neighbours: int


@dataclass(frozen=True)
class BenchmarkResult:
    """The benchmarks of every pilot of a project."""

    benchmarks: tuple[Benchmark, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per pilot, indicator and year, before disclosure control.

        Columns: ``la_code``, ``la_name``, ``indicator`` (catalogue id), ``title``, ``unit``,
        ``year``, ``value`` (the pilot's own value, NaN when DfE published a symbol instead),
        ``symbol`` (that symbol, e.g. ``c`` for suppressed, else empty), ``neighbours``,
        ``region``, ``england`` (the comparisons), ``rank`` (1 = best, or highest when neither
        direction is better), ``n_ranked`` and ``quartile`` (1 = best quarter).
        """
        frames = []
        for bench in self.benchmarks:
            own = pd.to_numeric(bench.series["la"], errors="coerce")
            symbol = bench.series["la"].where(own.isna(), "").fillna("").astype(str)
            ind = bench.indicator
            frames.append(
                bench.series.drop(columns="la").assign(
                    la_code=bench.la_code,
                    la_name=bench.la_name,
                    indicator=ind.id,
                    title=ind.title,
                    unit=ind.unit_label,
                    value=own.astype(float),
                    symbol=symbol,
                )
            )
        frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return frame.reindex(columns=list(BENCHMARK_COLUMNS))

    def summary(self) -> str:
        """Pilot-indicator pairs in the best and worst quartile among all LAs, latest year."""
        latest: dict[str, list[int]] = {}  # la_name -> quartiles, indicators with a direction
        for bench in self.benchmarks:
            quartiles = bench.series["quartile"].dropna()
            if bench.indicator.better is not Better.NEITHER and len(quartiles):
                latest.setdefault(bench.la_name, []).append(int(quartiles.iloc[-1]))
        every = [q for qs in latest.values() for q in qs]
        lines = [
            f"Latest ranked year among all LAs: {every.count(1)} of {len(every)} pilot-indicator "
            f"pairs in the best quartile, {every.count(4)} in the worst ({len(latest)} pilots, "
            "indicators with a better direction)."
        ]
        lines += [
            f"{name}: best quartile on {qs.count(1)}, worst on {qs.count(4)} of {len(qs)} "
            "indicators."
            for name, qs in latest.items()
        ]
        return "\n".join(lines)


BENCHMARK_COLUMNS = (
    "la_code", "la_name", "indicator", "title", "unit", "year", "value", "symbol",
    "neighbours", "region", "england", "rank", "n_ranked", "quartile",
)  # fmt: skip
"""The columns of :meth:`BenchmarkResult.to_frame`."""


def rank_and_quartile(values: pd.Series, better: Better) -> tuple[pd.Series, int]:
    """Rank (1 = best) and the number ranked, for one year's LA values."""
    present = values.dropna()
    ascending = better is Better.LOWER
    return present.rank(method="min", ascending=ascending), len(present)


def benchmark_la(
    project: ProjectData, la_code: str, indicator_ids: tuple[str, ...] | None = None
) -> tuple[Benchmark, ...]:
    """The benchmarks of one LA for the given indicators (default: the analysis plan)."""
    las = project.table("local_authorities").set_index("la_code")
    neighbours = project.table("statistical_neighbours")
    their = neighbours.loc[neighbours["la_code"] == la_code].sort_values("rank")
    neighbour_codes = [c for c in their["neighbour_code"] if c != la_code]
    region = str(las.at[la_code, "region_code"]) if la_code in las.index else ""
    region_codes = list(las.index[las["region_code"] == region]) if region else []
    england_codes = list(las.index)
    weights = denominator_weights(project)
    ids = indicator_ids or tuple(project.settings.analysis.indicators)
    out = []
    for indicator_id in ids:
        indicator = BY_ID[indicator_id]
        values = wide_panel(project, indicator_id)
        of_indicator = indicator_rows(project, indicator_id)
        symbols = of_indicator[of_indicator["la_code"] == la_code]
        symbol_of = dict(zip(symbols["year"], symbols.get("value_symbol", ""), strict=True))
        w = weights if indicator.kind is Kind.RATE else None
        series = pd.DataFrame({"year": values.columns.astype(int)})
        own = values.reindex(index=[la_code]).iloc[0] if la_code in values.index else None
        series["la"] = [
            (symbol_of.get(y) or (np.nan if own is None else own.get(y, np.nan)))
            for y in series["year"]
        ]
        series["neighbours"] = values.reindex(index=neighbour_codes).mean(axis=0).to_numpy()
        series["region"] = group_mean(values, w, region_codes).to_numpy()
        series["england"] = group_mean(values, w, england_codes).to_numpy()
        ranks, counts = [], []
        for year in series["year"]:
            rank, n = rank_and_quartile(values[year], indicator.better)
            ranks.append(rank.get(la_code, np.nan))
            counts.append(n)
        series["rank"] = ranks
        series["n_ranked"] = counts
        series["quartile"] = [
            math.ceil(4 * r / n) if n and not math.isnan(r) else np.nan
            for r, n in zip(ranks, counts, strict=True)
        ]
        keep = series[["neighbours", "region", "england"]].notna().any(axis=1)
        out.append(
            Benchmark(
                la_code=la_code,
                la_name=str(las.at[la_code, "la_name"]) if la_code in las.index else la_code,
                indicator=indicator,
                series=series[keep].reset_index(drop=True),
                n_neighbours=len(neighbour_codes),
            )
        )
    return tuple(out)


def benchmarks_available(project: ProjectData) -> bool:
    """The strand runs when the project has pilots, neighbours and indicator values."""
    return (
        bool(project.pilots)
        and not project.table("statistical_neighbours").empty
        and not project.table("indicators").empty
    )


def analyse_benchmarks(project: ProjectData) -> BenchmarkResult:
    """Benchmarks of every pilot for every indicator in the analysis plan."""
    pilots = sorted({s.la_code for s in project.pilots})
    return BenchmarkResult(tuple(b for code in pilots for b in benchmark_la(project, code)))


def _table(bench: Benchmark, policy: DisclosurePolicy) -> TableBlock:
    ind = bench.indicator
    own_role = (
        ColumnRole.COUNT
        if ind.kind in (Kind.COUNT, Kind.PERSONS)
        else ROLES.get(ind.kind, ColumnRole.VALUE)
    )
    columns = [
        PublishedColumn("year", "Year", ColumnRole.LABEL),
        PublishedColumn("la", f"{bench.la_name} ({ind.unit_label})", own_role, dp=1),
        *(
            PublishedColumn(g, LABELS[g], ROLES.get(ind.kind, ColumnRole.VALUE), dp=1)
            for g in COMPARISONS
        ),
        PublishedColumn("rank", "Rank among LAs (1 = best)", ColumnRole.VALUE, dp=0),
        PublishedColumn("n_ranked", "LAs ranked", ColumnRole.VALUE, dp=0),
        PublishedColumn("quartile", "Quartile (1 = best)", ColumnRole.VALUE, dp=0),
    ]
    if ind.better is Better.NEITHER:
        columns[-3] = PublishedColumn("rank", "Rank (1 = highest)", ColumnRole.VALUE, dp=0)
        columns[-1] = PublishedColumn("quartile", "Quartile (1 = highest)", ColumnRole.VALUE, dp=0)
    frame = bench.series.assign(year=bench.series["year"].astype(str))
    table = protect(frame, TableSpec(columns=tuple(columns)), policy)
    return TableBlock(
        id=f"bench-{bench.la_code}-{ind.id}",
        title=f"{ind.title}: {bench.la_name} against its neighbours, region and England",
        table=table,
        caption=f"{ind.title} ({ind.unit_label}) by year; rank and quartile among all LAs "
        f"with a value ({ind.better.value} is better)"
        if ind.better is not Better.NEITHER
        else f"{ind.title} ({ind.unit_label}) by year; rank by value, highest first",
        source=f"{ind.source}. Project data tables data/indicators.csv and "
        "data/statistical_neighbours.csv; comparisons computed by csceval.",
        notes=(
            ind.definition,
            f"Statistical neighbours: unweighted mean of the {bench.n_neighbours} DfE "
            "statistical neighbours with a value that year. Region and England: "
            + (
                "pooled rates (weighted by population aged 0-17)."
                if ind.kind is Kind.RATE
                else "unweighted means of LA values."
            ),
        ),
    )


def _chart(bench: Benchmark, block: TableBlock) -> LineChart:
    ind = bench.indicator
    return LineChart(
        id=f"chart-bench-{bench.la_code}-{ind.id}",
        title=f"{ind.title}: {bench.la_name} and its benchmarks",
        table_id=block.id,
        x="year",
        series=(
            Series("la", bench.la_name, "focus"),
            Series("neighbours", LABELS["neighbours"], "comparison"),
            Series("region", LABELS["region"], "comparison"),
            Series("england", LABELS["england"], "benchmark"),
        ),
        y_label=ind.unit_label,
        x_label="Year",
        description=f"Line chart of {ind.title.lower()} for {bench.la_name}, the mean of its "
        "statistical neighbours, its region and England, by year.",
    )


def _finding(bench: Benchmark, block: TableBlock) -> Finding | None:
    published = block.table.values.assign(year=bench.series["year"].to_numpy())
    last = published.dropna(subset=["quartile", "rank"]).tail(1)
    if last.empty:
        return None
    row = last.iloc[0]
    order = "best" if bench.indicator.better is not Better.NEITHER else "highest"
    return Finding(
        f"{bench.la_name}, {bench.indicator.title.lower()} in {int(row['year'])}: ranked "
        f"{int(row['rank'])} of {int(row['n_ranked'])} LAs (quartile {int(row['quartile'])}, "
        f"1 = {order})."
    )


def render_benchmarks(result: BenchmarkResult, policy: DisclosurePolicy) -> Section:
    """The benchmarking section: a page per pilot with a chart and a table per indicator."""
    blocks: dict[str, list[Block]] = {}
    findings: dict[str, list[Finding]] = {}
    names: dict[str, str] = {}
    for bench in result.benchmarks:
        if bench.series.empty:
            continue
        table = _table(bench, policy)
        names[bench.la_code] = bench.la_name
        blocks.setdefault(bench.la_code, []).extend([_chart(bench, table), table])
        finding = _finding(bench, table)
        if finding is not None:
            findings.setdefault(bench.la_code, []).append(finding)
    pages = tuple(
        DetailPage(
            id=f"benchmarks-{code}",
            title=f"{names[code]}: benchmarks",
            summary=f"Where {names[code]} stands on each key indicator beside its statistical "
            "neighbours, its region and England.",
            findings=tuple(findings.get(code, ())),
            blocks=tuple(blocks[code]),
        )
        for code in blocks
    )
    return Section(
        id="benchmarking",
        title="Benchmarking against statistical neighbours, region and England",
        summary="Where each pilot stands on each key indicator beside similar LAs, its region "
        "and England, with its rank and quartile among all LAs.",
        blocks=(
            Prose(
                "Each pilot is compared with the mean of its DfE statistical neighbours, its "
                "region and England, year by year, with its rank and quartile among all LAs. "
                "These are descriptive benchmarks, not estimates of the framework's effect. "
                "Each pilot has a page of its own."
            ),
        ),
        pages=pages,
    )
