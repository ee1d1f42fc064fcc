"""Where each panel indicator is in the DfE files, and reading the files' LA rows into one table.

Every source gives rows of :data:`LONG_COLUMNS` (``la_code``, ``year``, ``indicator``, ``value``,
``symbol``, ``source``). Choices, recorded:

- Counts and percentages are taken as DfE published them. Where two vintages of one EES file
  overlap (the CLA files are five-year windows) the newer file wins.
- Indicators the EES files here lack come from LAIT: assessments within 45 days, ICPCs within 15
  days, and S251 gross spend (used for spend per child, also with the mid-(Y-1) population);
  so do the CLA counts of 2015-2018, between the SFR underlying data and the EES CLA files.
- A workforce row EES prints for a joint return (``314 / 318``: Kingston and Richmond) is given
  to each member LA: the rates describe one shared workforce.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from csceval.data.ees import EesTable
from csceval.errors import InputError, Problem

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
    "LACnum": "cla_count_31mar",
    "LACnum_Start": "cla_starts_count",
    "LAC": "cla_rate_per_10k",
    "LAC_Start_Rate": "cla_starts_rate_per_10k",
}
LAIT_PUBLISHED_RATES = frozenset(
    {"cin_rate_per_10k", "cpp_rate_per_10k", "referral_rate_per_10k", "s47_rate_per_10k"}
    | {"icpc_rate_per_10k"}
)
LAIT_CHECK_RATES = frozenset({"cla_rate_per_10k", "cla_starts_rate_per_10k"})
"""LAIT's CLA rates of 2015-2018 were published over the population estimates of the time (they
differ from the same counts over the current ONS series in about a fifth of LA-years); the panel
derives every year from the current series and uses these only in the source-agreement check."""


LONG_COLUMNS = ["la_code", "year", "indicator", "value", "symbol", "source"]


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


def _combine(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Stack the sources; where several give one LA-year-indicator the first (newest) wins."""
    long = pd.concat(parts, ignore_index=True)[LONG_COLUMNS]
    long["year"] = long["year"].astype("int64")
    long["value"] = long["value"].astype("float64")
    return long.drop_duplicates(["la_code", "year", "indicator"], keep="first").reset_index(
        drop=True
    )
