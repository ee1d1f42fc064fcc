"""Checks on the joined panel: do overlapping sources agree, and where does a series break?

Every value the panel holds comes from one source (the first in priority order: EES, LAIT, CLA
SFR underlying data, S251 outturn, ``csc_la_panel``), but every source's value is kept for
the checks here:

- :func:`source_agreement`: for each indicator and each pair of sources that both give an
  LA-year, how many LA-years, how many are equal, and how many agree within
  :data:`TOLERANCE_TEXT`.
- :func:`series_breaks`: every place a series changes source from one year to the next, a
  year missing inside a series, a denominator that is not the ONS mid-(Y-1) estimate, and the
  LA reorganisations (an old code's series ends and a new one starts). A break is recorded,
  never smoothed: values on either side are as their sources published them.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from csceval.data.panel_early import EARLY_RATE_SOURCE
from csceval.indicators.catalogue import BY_ID

REL_TOLERANCE = 0.01
ABS_TOLERANCE = 0.05
TOLERANCE_TEXT = "1% of the value or 0.05, whichever is larger"
AGREEMENT_COLUMNS = [
    "indicator",
    "source_a",
    "source_b",
    "years",
    "la_years",
    "equal",
    "within_tolerance",
    "pct_within_tolerance",
    "max_abs_difference",
    "tolerance",
]
BREAK_COLUMNS = ["indicator", "year", "kind", "description"]


def source_family(source: str) -> str:
    """The source a row's ``source`` text names (file names are grouped by publication)."""
    if source.startswith("csc_la_panel"):
        return "csc_la_panel"
    if source == "LAIT":
        return "LAIT"
    if source.startswith("s251_"):
        return "S251 outturn"
    if source.startswith(("SFR", "SFE")):
        return "CLA SFR underlying"
    if source == EARLY_RATE_SOURCE:
        return "derived (SFR or interpolated population)"
    if source.startswith("derived"):
        return "derived (ONS population)"
    return "EES"


def source_agreement(stacked: pd.DataFrame) -> pd.DataFrame:
    """Agreement of every pair of sources on the LA-years both give (catalogue indicators)."""
    rows = stacked[stacked["value"].notna() & stacked["indicator"].isin(BY_ID)]
    rows = rows.assign(family=rows["source"].map(source_family))
    rows = rows.drop_duplicates(["la_code", "year", "indicator", "family"], keep="first")
    key = ["la_code", "year", "indicator"]
    out = []
    for indicator, group in rows.groupby("indicator"):
        families = list(dict.fromkeys(group["family"]))
        for i, a in enumerate(families):
            for b in families[i + 1 :]:
                both = group[group["family"] == a].merge(
                    group[group["family"] == b], on=key, suffixes=("_a", "_b")
                )
                if both.empty:
                    continue
                diff = (both["value_a"] - both["value_b"]).abs()
                limit = np.maximum(ABS_TOLERANCE, REL_TOLERANCE * both["value_b"].abs())
                within = int((diff <= limit).sum())
                out.append(
                    {
                        "indicator": indicator,
                        "source_a": a,
                        "source_b": b,
                        "years": f"{both['year'].min()}-{both['year'].max()}",
                        "la_years": len(both),
                        "equal": int((diff <= 1e-9).sum()),
                        "within_tolerance": within,
                        "pct_within_tolerance": round(100 * within / len(both), 2),
                        "max_abs_difference": round(float(diff.max()), 6),
                        "tolerance": TOLERANCE_TEXT,
                    }
                )
    return pd.DataFrame(out, columns=AGREEMENT_COLUMNS)


def series_breaks(long: pd.DataFrame, reorganisations: pd.DataFrame) -> pd.DataFrame:
    """Source changes, gaps, estimated denominators and reorganisations, by indicator and year."""
    rows = long[long["indicator"].isin(BY_ID) & long["value"].notna()]
    rows = rows.assign(family=rows["source"].map(source_family))
    out: list[dict[str, object]] = []
    for indicator, group in rows.groupby("indicator"):
        by_year = group.groupby("year")["family"].agg(lambda s: s.value_counts().index[0])
        years = sorted(int(y) for y in by_year.index)
        for before, year in itertools.pairwise(years):
            if year - before > 1:
                out.append(
                    {
                        "indicator": indicator,
                        "year": before + 1,
                        "kind": "gap",
                        "description": f"no source has {before + 1}-{year - 1}; the series "
                        "resumes in " + str(year),
                    }
                )
            if by_year[year] != by_year[before]:
                out.append(
                    {
                        "indicator": indicator,
                        "year": year,
                        "kind": "source change",
                        "description": f"{by_year[before]} to {year - 1}, {by_year[year]} from "
                        f"{year} (agreement where both give a year: source_agreement.csv)",
                    }
                )
        estimated = group[group["source"] == EARLY_RATE_SOURCE]
        for year in sorted(set(estimated["year"])):
            out.append(
                {
                    "indicator": indicator,
                    "year": int(year),
                    "kind": "denominator",
                    "description": "rate over the SFR mid-2009 population (2010) or a population "
                    "interpolated between mid-2009 and ONS mid-2012 (2011-2012), not the ONS "
                    "mid-(Y-1) estimate",
                }
            )
    for row in reorganisations.itertuples():
        out.append(
            {
                "indicator": "(all)",
                "year": int(str(row.year)),
                "kind": "reorganisation",
                "description": f"{row.kind}: LA {row.old_la_code}'s area continues in LA "
                f"{row.new_la_code} from {row.year} (separate series; data/reorganisations.csv "
                "maps them)",
            }
        )
    return pd.DataFrame(out, columns=BREAK_COLUMNS)


def panel_readme(
    agreement: pd.DataFrame | None, breaks: pd.DataFrame | None, neighbours_model: str
) -> str:
    """The build's README.md: what the checks found, in a few lines."""
    lines = [
        "# The LA x year panel built by `csceval data build-panel`",
        "",
        f"Statistical neighbours: DfE's {neighbours_model or 'default'} model "
        "(`data/statistical_neighbours.csv`, column `model`).",
        "",
        "## Sources that overlap (`source_agreement.csv`)",
        "",
        f"Tolerance: {TOLERANCE_TEXT}.",
        "",
        "| indicator | sources | years | LA-years | equal | within tolerance |",
        "|---|---|---|---|---|---|",
    ]
    for row in (agreement if agreement is not None else pd.DataFrame()).itertuples():
        lines.append(
            f"| {row.indicator} | {row.source_a} / {row.source_b} | {row.years} | "
            f"{row.la_years} | {row.equal} | {row.pct_within_tolerance}% |"
        )
    lines += ["", "## Series breaks (`series_breaks.csv`)", ""]
    for row in (breaks if breaks is not None else pd.DataFrame()).itertuples():
        lines.append(f"- {row.indicator}, {row.year}, {row.kind}: {row.description}")
    return "\n".join(lines) + "\n"
