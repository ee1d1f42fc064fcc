"""Build the LA x year key-indicator panel from a folder of DfE files laid out like shared/data.

Layout read (any file may be absent except the population file and one CIN or CLA file):
``dfe_csc_ees_la/*.csv`` (EES), ``dfe_lait_csc_indicators/lait_csc_indicators_long.csv``
(LAIT), ``la_reference/{ees_las,ees_regions,statistical_neighbours_*}.csv``.

Choices, recorded:

- Counts and percentages are taken as DfE published them. Where two vintages of one EES file
  overlap (the CLA files are five-year windows) the newer file wins.
- Rates per 10,000 are *derived*: count / ONS mid-(Y-1) population aged 0-17 x 10,000, rounded
  as DfE publishes (CIN census rates 1 dp, CLA rates whole numbers). The published rates (EES
  ``rate_per_10000``, LAIT) are kept in :attr:`Panel.published`, and :func:`rate_agreement`
  measures how often the derived rate equals the published one (the headline check).
- Indicators the EES files here lack come from LAIT: assessments within 45 days, ICPCs within 15
  days, and S251 gross spend (used for spend per child, also with the mid-(Y-1) population).
- A workforce row EES prints for a joint return (``314 / 318``: Kingston and Richmond) is given
  to each member LA: the rates describe one shared workforce.
- An LA's ``first_year``/``last_year`` are the first and last years with a CIN or CLA value;
  the project ``indicators`` table keeps only rows inside that window.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from csceval.data.ees import EesTable, read_ees
from csceval.data.la_reference import (
    read_las,
    read_regions,
    read_statistical_neighbours,
    reorganisations_table,
)
from csceval.data.lait import read_lait
from csceval.data.population import POPULATION, add_rates, read_population, round_half_up
from csceval.errors import InputError, Problem
from csceval.indicators.catalogue import BY_ID, CATALOGUE, Kind

Progress = Callable[[str, float], None]

EES_DIR = "dfe_csc_ees_la"
LAIT_FILE = "dfe_lait_csc_indicators/lait_csc_indicators_long.csv"
REF_DIR = "la_reference"
POPULATION_GLOB = "ons_mid-year_population_estimates_*.csv"

COLUMN_MAP: dict[str, dict[str, str]] = {
    "b1_children_in_need_*.csv": {"cin_count_31mar": "At31_episodes"},
    "c1_children_in_need_referrals_and_rereferrals_*.csv": {
        "referrals_count": "referral_count",
        "rereferral_within_12m_pct": "rereferral_percent",
    },
    "c4_children_in_need_section_47s_and_icpcs_*.csv": {
        "s47_count": "Section47",
        "icpc_count": "ICPC",
    },
    "d3_cpps_subsequent_plan_*.csv": {
        "cpp_starts_count": "CPP_start",
        "repeat_cpp_pct": "CPP_subsequent_percent",
    },
    "d5_cpps_at31march_by_duration_*.csv": {
        "cpp_count_31mar": "CPP_At31",
        "cpp_2yrs_plus_pct": "2_years_or_more_percent",
    },
    "csww_indicators_*.csv": {
        "sw_turnover_pct": "turnover_rate_fte",
        "sw_agency_pct": "agency_rate_fte",
        "sw_vacancy_pct": "vacancy_rate_fte",
        "sw_absence_pct": "absence_rate_fte",
        "sw_caseload": "caseload_fte",
        "sw_fte": "inpost_fte",
    },
}
CLA_GLOB = "cla_number_and_rate_per_10k_children_*.csv"
CLA_GROUPS = {
    "Children looked after at 31 March each year": ("cla_count_31mar", "cla_rate_per_10k"),
    "Children looked after on 31 March each year": ("cla_count_31mar", "cla_rate_per_10k"),
    "Children starting to be looked after each year": (
        "cla_starts_count",
        "cla_starts_rate_per_10k",
    ),
}
STABILITY_GLOBS = ("la_cla_placement_stability_*.csv", "la_cla_at_31_march_placement_stability_*")
LAIT_CODES = {
    "Continue_Assess_Comp": "assessments_within_45_days_pct",
    "CP_conf_15days": "icpc_within_15_days_pct",
    "C&YPExpenditure": "spend_cyp_total_gbp",
    "CIN": "cin_rate_per_10k",
    "CPP_rate": "cpp_rate_per_10k",
    "CPP_Total_Rateper10,000": "referral_rate_per_10k",
    "Section_47": "s47_rate_per_10k",
    "ISCP_Conf": "icpc_rate_per_10k",
}
LAIT_PUBLISHED_RATES = frozenset(
    {"cin_rate_per_10k", "cpp_rate_per_10k", "referral_rate_per_10k", "s47_rate_per_10k"}
    | {"icpc_rate_per_10k"}
)
SPEND = "spend_cyp_total_gbp"
DERIVED_RATES: dict[str, tuple[str, int]] = {
    i.id: (i.numerator, i.decimals if i.decimals is not None else 1)
    for i in CATALOGUE
    if i.kind is Kind.RATE and i.numerator is not None
}
EXISTENCE = frozenset({"cin_count_31mar", "referrals_count", "cla_count_31mar"})
LONG_COLUMNS = ["la_code", "year", "indicator", "value", "symbol", "source"]
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
        text = np.where(rows["symbol"] != "", rows["symbol"], rows["value"].map(_number_text))
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


def _files(folder: Path, pattern: str) -> list[Path]:
    """Matching files, newest coverage first (the later end year in the name wins)."""
    return sorted(folder.glob(pattern), key=lambda p: (p.stem.split("_")[-1], p.name), reverse=True)


def _la_rows(table: EesTable, columns: dict[str, str], source: str) -> pd.DataFrame:
    la = table.level("Local authority")
    la = la.assign(la_code=la["old_la_code"].str.split(" / ")).explode("la_code")
    parts = []
    for indicator, column in columns.items():
        parts.append(
            pd.DataFrame(
                {
                    "la_code": la["la_code"],
                    "year": la["year"],
                    "indicator": indicator,
                    "value": la[column],
                    "symbol": la[f"{column}_symbol"],
                    "source": source,
                }
            )
        )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=LONG_COLUMNS)


def _first_of(*names: str, among: pd.Index) -> str:
    return next(n for n in names if n in among)


def _cla(table: EesTable, source: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    la = table.level("Local authority")
    group = _first_of("population_type", "population_count", among=la.columns)
    count = _first_of("children_count", "number", among=la.columns)
    counts, rates = [], []
    for label, (count_id, rate_id) in CLA_GROUPS.items():
        rows = la[la[group] == label]
        base = {"la_code": rows["old_la_code"], "year": rows["year"], "source": source}
        counts.append(
            pd.DataFrame(
                {
                    **base,
                    "indicator": count_id,
                    "value": rows[count],
                    "symbol": rows[f"{count}_symbol"],
                }
            )
        )
        rates.append(
            pd.DataFrame(
                {
                    **base,
                    "indicator": rate_id,
                    "value": rows["rate_per_10000"],
                    "symbol": rows["rate_per_10000_symbol"],
                }
            )
        )
    return pd.concat(counts, ignore_index=True), pd.concat(rates, ignore_index=True)


def _stability(table: EesTable, source: str) -> pd.DataFrame:
    la = table.level("Local authority")
    label = _first_of("placement_stability", "characteristic", among=la.columns)
    value = _first_of("children_percent", "percentage", among=la.columns)
    group = la["cla_group"]
    short = group.str.match(r"^(CLA on|Children looked after at) 31 March$") & la[
        label
    ].str.startswith("With 3 or more placements during the year")
    long_term = group.str.startswith("Children looked after continuously") & la[
        label
    ].str.startswith("Living ")
    parts = []
    for mask, indicator in (
        (short, "cla_3plus_placements_pct"),
        (long_term, "cla_long_term_stability_pct"),
    ):
        rows = la[mask]
        parts.append(
            pd.DataFrame(
                {
                    "la_code": rows["old_la_code"],
                    "year": rows["year"],
                    "indicator": indicator,
                    "value": rows[value],
                    "symbol": rows[f"{value}_symbol"],
                    "source": source,
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def _missing(folder: Path, what: str) -> InputError:
    return InputError(
        [
            Problem(
                "CSC-E4050",
                f"the source folder has no {what}",
                str(folder),
                fix="lay it out like shared/data (dfe_csc_ees_la/, la_reference/, ...)",
            )
        ]
    )


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
            published.append(rows.loc[is_rate, LONG_COLUMNS])
            parts.append(rows.loc[~is_rate, LONG_COLUMNS])

        jobs.append(("LAIT", guarded(lait)))
    for i, (label, job) in enumerate(jobs):
        step(f"reading {label}", 0.8 * i / len(jobs))
        job()
    if problems:
        raise InputError(problems)
    step("deriving rates", 0.85)
    long = _combine(parts)
    if not long["indicator"].isin(EXISTENCE).any():
        raise _missing(source, f"CIN or CLA file in {EES_DIR}/")
    long = _derive(long)
    step("reference tables", 0.9)
    las = _local_authorities(source, long)
    neighbours = _neighbours(source, neighbours_model, set(las["la_code"]))
    pub = (
        pd.concat(published, ignore_index=True) if published else pd.DataFrame(columns=LONG_COLUMNS)
    )
    pub = pub.drop_duplicates(["la_code", "year", "indicator", "source"])
    step("done", 1.0)
    return Panel(long, pub.reset_index(drop=True), las, neighbours, reorganisations_table())


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack the sources; where several give one LA-year-indicator the first (newest) wins."""
    long = pd.concat(parts, ignore_index=True)[LONG_COLUMNS]
    long["year"] = long["year"].astype("int64")
    long["value"] = long["value"].astype("float64")
    return long.drop_duplicates(["la_code", "year", "indicator"], keep="first").reset_index(
        drop=True
    )


def _derive(long: pd.DataFrame) -> pd.DataFrame:
    base = long[~long["indicator"].isin(DERIVED_RATES)]
    rates = {**DERIVED_RATES, "spend_per_child_gbp": (SPEND, 0)}
    derived = add_rates(base[["la_code", "year", "indicator", "value"]], rates)
    derived = derived.iloc[len(base) :]
    derived = derived.assign(symbol="", source="derived: count / ONS mid-(Y-1) population")
    # Spend per child is per child, not per 10,000.
    per_child = derived["indicator"] == "spend_per_child_gbp"
    derived.loc[per_child, "value"] = round_half_up(
        derived.loc[per_child, "value"].to_numpy() / 10_000, 0
    )
    # A rate whose count is suppressed carries the count's symbol.
    symbols = long[(long["symbol"] != "") & long["indicator"].isin({n for n, _ in rates.values()})]
    carried = []
    for rate_id, (numerator, _) in rates.items():
        rows = symbols[symbols["indicator"] == numerator]
        carried.append(rows.assign(indicator=rate_id, source="derived: count suppressed"))
    return pd.concat([base, derived[LONG_COLUMNS], *carried], ignore_index=True)


def _local_authorities(source: Path, long: pd.DataFrame) -> pd.DataFrame:
    ref = source / REF_DIR
    if not (ref / "ees_las.csv").is_file():
        raise _missing(source, f"{REF_DIR}/ees_las.csv")
    las = read_las(ref / "ees_las.csv")
    las = las[las["la_code"].str.fullmatch(r"\d{3}")].copy()
    regions = read_regions(ref / "ees_regions.csv") if (ref / "ees_regions.csv").is_file() else {}
    # The latest GSS code of each 3-digit code: live rows first, then the latest operation date.
    las["op"] = pd.to_datetime(las["date_of_operation"], format="%d/%m/%Y", errors="coerce")
    latest = (
        las.sort_values(["status", "op"], ascending=[True, False])
        .drop_duplicates("la_code")
        .set_index("la_code")
    )
    shown = long["value"].notna() | ~long["symbol"].isin(["", "x", "z"])  # c: exists, hidden
    present = long[long["indicator"].isin(EXISTENCE) & shown]
    span = present.groupby("la_code")["year"].agg(["min", "max"])
    last_year = int(long.loc[long["indicator"].isin(EXISTENCE), "year"].max())
    rows = []
    for code, first, last in zip(span.index, span["min"], span["max"], strict=True):
        ref_row = latest.loc[str(code)] if code in latest.index else None
        region = "" if ref_row is None else str(ref_row["region_code"])
        rows.append(
            {
                "la_code": code,
                "gss_code": "" if ref_row is None else ref_row["gss_code"],
                "la_name": "" if ref_row is None else ref_row["la_name"],
                "region_code": region,
                "region_name": regions.get(region, ""),
                "first_year": int(first),
                "last_year": None if int(last) == last_year else int(last),
                "neighbour_group": "",
            }
        )
    frame = pd.DataFrame(rows)
    frame["last_year"] = frame["last_year"].astype("Int64")
    return frame.sort_values("la_code").reset_index(drop=True)


def _neighbours(source: Path, model: str, universe: set[str]) -> pd.DataFrame:
    ref = source / REF_DIR
    pattern = {"2021": "statistical_neighbours_*2021*.csv", "2025": "statistical_neighbours_*2025*"}
    files = sorted(ref.glob(pattern.get(model, "")))
    if not files:
        return pd.DataFrame(columns=["la_code", "rank", "neighbour_code", "closeness"])
    frame = read_statistical_neighbours(files[0])
    frame = frame[frame["current"]]
    frame = frame[frame["la_code"].isin(universe) & frame["neighbour_code"].isin(universe)]
    frame = frame.assign(closeness=frame["closeness"].replace("Extremely close", "Very Close"))
    return frame[["la_code", "rank", "neighbour_code", "closeness"]].reset_index(drop=True)


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
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".build-panel-", dir=out.parent))
    try:
        (tmp / "data").mkdir()
        files = {
            "panel_long.csv": panel.long,
            "panel_wide.csv": panel.wide(),
            "published_rates.csv": panel.published,
            "rate_agreement.csv": rate_agreement(panel),
            "data/local_authorities.csv": panel.local_authorities,
            "data/statistical_neighbours.csv": panel.statistical_neighbours,
            "data/reorganisations.csv": panel.reorganisations,
            "data/indicators.csv": panel.indicators_table(),
        }
        for name, frame in files.items():
            frame.to_csv(tmp / name, index=False)
        if out.exists():
            shutil.rmtree(out)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [out / name for name in files]
