"""Build the LA x year key-indicator panel from a folder of DfE files laid out like shared/data.

Layout read (any file may be absent except the population file and one CIN or CLA file):
``dfe_csc_ees_la/*.csv`` (EES), ``dfe_lait_csc_indicators/lait_csc_indicators_long.csv``
(LAIT), ``dfe_cla_sfr_underlying_2010_2017/`` (CLA SFR underlying data, 2010-2017),
``dfe_s251_outturn_2008_2014/`` (S251 outturns), ``csc_la_panel/csc_la_panel_long.csv`` (a
cross-check), ``la_reference/{ees_las,ees_regions,statistical_neighbours_*}.csv``. Each series
starts at the earliest year a source holds (:mod:`csceval.data.panel_early`); overlapping
sources are checked and series breaks listed (:mod:`csceval.data.panel_checks`).

The choices made are recorded where they are made: which file gives what and which vintage wins
in :mod:`csceval.data.panel_sources`, the derived rates in :mod:`csceval.data.panel_rates`, each
LA's years in :mod:`csceval.data.panel_reference`. The published rates (EES ``rate_per_10000``,
LAIT) are kept in :attr:`Panel.published`, and :func:`rate_agreement` measures how often the
derived rate equals the published one (the headline check).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csceval.atomic import staged_folder
from csceval.data.ees import read_ees
from csceval.data.la_reference import reorganisations_table
from csceval.data.lait import read_lait
from csceval.data.panel_checks import panel_readme, series_breaks, source_agreement
from csceval.data.panel_early import early_rates, read_csc_panel, read_s251, read_sfr
from csceval.data.panel_rates import DERIVED_RATES, _derive
from csceval.data.panel_reference import EXISTENCE, _local_authorities, _neighbours
from csceval.data.panel_sources import (
    CLA_GLOB,
    COLUMN_MAP,
    EES_DIR,
    LAIT_CHECK_RATES,
    LAIT_CODES,
    LAIT_FILE,
    LAIT_PUBLISHED_RATES,
    LONG_COLUMNS,
    POPULATION_GLOB,
    STABILITY_GLOBS,
    _cla,
    _combine,
    _files,
    _la_rows,
    _missing,
    _stability,
)
from csceval.data.population import POPULATION, read_population
from csceval.errors import InputError, Problem
from csceval.indicators.catalogue import BY_ID

__all__ = [
    "CLA_GLOB",
    "COLUMN_MAP",
    "DERIVED_RATES",
    "EES_DIR",
    "MARKER",
    "POPULATION_GLOB",
    "STABILITY_GLOBS",
    "Panel",
    "Progress",
    "build_panel",
    "rate_agreement",
    "write_panel",
]

Progress = Callable[[str, float], None]

MARKER = "panel_long.csv"
"""The file that marks a folder as a build-panel output (which a new build may replace)."""


@dataclass(frozen=True)
class Panel:
    """The built panel: ``long`` (one row per LA, year, indicator) and its reference tables."""

    long: pd.DataFrame
    published: pd.DataFrame
    local_authorities: pd.DataFrame
    statistical_neighbours: pd.DataFrame
    reorganisations: pd.DataFrame
    agreement: pd.DataFrame | None = None
    """Every pair of sources on the LA-years both give (:func:`source_agreement`)."""
    breaks: pd.DataFrame | None = None
    """Series breaks: source changes, gaps, estimated denominators, reorganisations."""
    neighbours_model: str = ""

    def wide(self) -> pd.DataFrame:
        """One row per LA x year, one column per indicator (NaN where a symbol stands)."""
        return (
            self.long.groupby(["la_code", "year", "indicator"])["value"]
            .first()
            .unstack("indicator")
            .reset_index()
            .rename_axis(columns=None)
        )

    def indicators_table(self) -> pd.DataFrame:
        """The project ``indicators`` table: catalogue ids, inside each LA's years."""
        rows = self.long[self.long["indicator"].isin(BY_ID)]
        window = self.local_authorities.set_index("la_code")[["first_year", "last_year"]]
        rows = rows.join(window, on="la_code", how="inner")
        last = rows["last_year"].fillna(9999)
        rows = rows[(rows["year"] >= rows["first_year"]) & (rows["year"] <= last)]
        # LAIT's "-" (not published: missing, not applicable or suppressed; never nil) is kept
        # as LAIT wrote it; disclosure control shows it as "c" in counts, "x" elsewhere.
        symbol = rows["symbol"]
        text = np.where(symbol != "", symbol, rows["value"].map(_number_text))
        out = pd.DataFrame(
            {
                "la_code": rows["la_code"],
                "year": rows["year"],
                "indicator": rows["indicator"],
                "value": text,
            }
        )
        return out.sort_values(["la_code", "indicator", "year"]).reset_index(drop=True)


def _number_text(value: float) -> str:
    if not np.isfinite(value):
        return "x"
    return str(int(value)) if float(value).is_integer() else repr(round(float(value), 6))


def build_panel(
    source: Path, *, neighbours_model: str = "2025", progress: Progress | None = None
) -> Panel:
    """Read every DfE file under ``source`` and build the panel (all problems raised together)."""
    step = progress or (lambda text, fraction: None)
    ees = source / EES_DIR
    pop_files = _files(ees, POPULATION_GLOB)
    if not pop_files:
        raise _missing(source, f"{EES_DIR}/{POPULATION_GLOB} (ONS population aged 0-17)")
    problems: list[Problem] = []
    parts: list[pd.DataFrame] = []
    published: list[pd.DataFrame] = []
    jobs: list[tuple[str, Callable[[], None]]] = []
    early_checks: list[pd.DataFrame] = []

    def guarded(run: Callable[[], None]) -> Callable[[], None]:
        def wrapped() -> None:
            try:
                run()
            except InputError as exc:
                problems.extend(exc.problems)

        return wrapped

    def population() -> None:
        pop = read_population(pop_files[0])
        la = pop[pop["geographic_level"] == "Local authority"]
        parts.append(
            pd.DataFrame(
                {
                    "la_code": la["la_code"],
                    "year": la["year"],
                    "indicator": POPULATION,
                    "value": la["population"],
                    "symbol": "",
                    "source": pop_files[0].name,
                }
            )
        )

    jobs.append(("population", guarded(population)))
    for pattern, columns in COLUMN_MAP.items():
        for path in _files(ees, pattern):

            def run(path: Path = path, columns: dict[str, str] = columns) -> None:
                table = read_ees(path, indicators=tuple(columns.values()))
                parts.append(_la_rows(table, columns, path.name))

            jobs.append((path.name, guarded(run)))
    for path in _files(ees, CLA_GLOB):

        def cla(path: Path = path) -> None:
            counts, rates = _cla(read_ees(path, indicators=("rate_per_10000",)), path.name)
            parts.append(counts)
            published.append(rates)

        jobs.append((path.name, guarded(cla)))
    for pattern in STABILITY_GLOBS:
        for path in _files(ees, pattern):

            def stability(path: Path = path) -> None:
                parts.append(_stability(read_ees(path, required=("cla_group",)), path.name))

            jobs.append((path.name, guarded(stability)))
    lait_path = source / LAIT_FILE
    if lait_path.is_file():

        def lait() -> None:
            rows = read_lait(lait_path, frozenset(LAIT_CODES))
            rows = rows.assign(indicator=rows["code"].map(LAIT_CODES), source="LAIT")
            rows = rows.dropna(subset=["year"]).astype({"year": "int64"})
            is_rate = rows["indicator"].isin(LAIT_PUBLISHED_RATES)
            check_only = rows["indicator"].isin(LAIT_CHECK_RATES)
            published.append(rows.loc[is_rate, LONG_COLUMNS])
            early_checks.append(rows.loc[check_only, LONG_COLUMNS])
            parts.append(rows.loc[~is_rate & ~check_only, LONG_COLUMNS])

        jobs.append(("LAIT", guarded(lait)))
    early: list[pd.DataFrame] = []

    def sfr() -> None:
        early.append(read_sfr(source))

    def s251() -> None:
        early.append(read_s251(source))

    def csc_panel() -> None:
        early.append(read_csc_panel(source, set(BY_ID)))

    jobs += [
        ("CLA SFR", guarded(sfr)),
        ("S251", guarded(s251)),
        ("csc_la_panel", guarded(csc_panel)),
    ]
    for i, (label, job) in enumerate(jobs):
        step(f"reading {label}", 0.8 * i / len(jobs))
        job()
    if problems:
        raise InputError(problems)
    step("deriving rates", 0.85)
    primary = [*parts, *early[:2]]  # EES and LAIT first, then SFR and S251; csc_la_panel last
    sfr_rows = early[0] if early else pd.DataFrame(columns=LONG_COLUMNS)
    sources = [f for f in (*primary, *early[2:]) if len(f)]
    stacked = pd.concat(sources, ignore_index=True)
    long = _combine(sources)
    long = long[~((long["indicator"] == POPULATION) & long["source"].isin(sfr_rows["source"]))]
    if not long["indicator"].isin(EXISTENCE).any():
        raise _missing(source, f"CIN or CLA file in {EES_DIR}/")
    long = _derive(long)
    early_cla = early_rates(long, sfr_rows)
    long = _combine([long, early_cla]) if len(early_cla) else long
    step("reference tables", 0.9)
    las = _local_authorities(source, long)
    neighbours = _neighbours(source, neighbours_model, set(las["la_code"]))
    pub = (
        pd.concat(published, ignore_index=True) if published else pd.DataFrame(columns=LONG_COLUMNS)
    )
    pub = pub.drop_duplicates(["la_code", "year", "indicator", "source"])
    reorganisations = reorganisations_table()
    step("checking sources", 0.95)
    derived = long[long["source"].str.startswith("derived")]
    checks = [f for f in (stacked, derived, *early_checks, pub) if len(f)]
    agreement = source_agreement(pd.concat(checks, ignore_index=True))
    breaks = series_breaks(long, reorganisations)
    step("done", 1.0)
    return Panel(
        long,
        pub.reset_index(drop=True),
        las,
        neighbours,
        reorganisations,
        agreement,
        breaks,
        neighbours_model,
    )


def rate_agreement(panel: Panel, *, current_only: bool = True) -> pd.DataFrame:
    """Per rate indicator: LA-years with both a derived and a published rate, and % equal.

    ``current_only`` compares with DfE's current publication of each LA-year (the newest
    vintage that has it); otherwise each vintage is compared separately, and superseded ones
    differ where DfE later revised a count or ONS revised a population (e.g. after Census 2021).
    """
    derived = panel.long[panel.long["source"].str.startswith("derived: count /")]
    pub = panel.published.dropna(subset=["value"])
    key = ["la_code", "year", "indicator"]
    if current_only:
        pub = pub.drop_duplicates(key, keep="first").assign(vintage="current")
    else:
        pub = pub.assign(vintage=pub["source"])
    rows = []
    for (indicator, _), p in pub.groupby(["indicator", "vintage"]):
        both = derived[derived["indicator"] == indicator].merge(p, on=key, suffixes=("", "_pub"))
        if both.empty:
            continue
        equal = np.isclose(both["value"], both["value_pub"], rtol=0, atol=1e-9)
        rows.append(
            {
                "indicator": indicator,
                "published_in": ", ".join(sorted(set(both["source_pub"]))),
                "years": f"{both['year'].min()}-{both['year'].max()}",
                "la_years": len(both),
                "equal": int(equal.sum()),
                "pct_equal": round(100 * float(equal.mean()), 2),
            }
        )
    return pd.DataFrame(rows)


def _or_empty(frame: pd.DataFrame | None) -> pd.DataFrame:
    return frame if frame is not None else pd.DataFrame()


def write_panel(panel: Panel, out: Path) -> list[Path]:
    """Write the panel and the project tables into ``out`` (whole, or not at all).

    ``out`` may be new, empty, or an earlier build-panel output (it is then replaced); any other
    folder is refused, so a mistyped ``--out`` cannot delete someone's files.
    """
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise InputError(
            [
                Problem(
                    "CSC-E4051",
                    "the output folder exists and is not an earlier build-panel output",
                    str(out),
                    fix="choose a new or empty folder",
                )
            ]
        )
    files = {
        "panel_long.csv": panel.long,
        "panel_wide.csv": panel.wide(),
        "published_rates.csv": panel.published,
        "rate_agreement.csv": rate_agreement(panel),
        "source_agreement.csv": _or_empty(panel.agreement),
        "series_breaks.csv": _or_empty(panel.breaks),
        "data/local_authorities.csv": panel.local_authorities,
        "data/statistical_neighbours.csv": panel.statistical_neighbours,
        "data/reorganisations.csv": panel.reorganisations,
        "data/indicators.csv": panel.indicators_table(),
    }
    # Staged aside and renamed into place with a manifest (csceval.atomic): complete or absent.
    with staged_folder(out) as tmp:
        (tmp / "data").mkdir()
        for name, frame in files.items():
            frame.to_csv(tmp / name, index=False)
        (tmp / "README.md").write_text(
            panel_readme(panel.agreement, panel.breaks, panel.neighbours_model), encoding="utf-8"
        )
    return [out / name for name in files]
