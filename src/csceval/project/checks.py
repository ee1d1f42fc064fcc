"""Rules that span fields or tables of a project, each with its own error code."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping

import pandas as pd

from csceval.errors import Problem
from csceval.indicators import BY_ID, Kind
from csceval.project.register import check_register
from csceval.project.schema import LA_CODE_PATTERN
from csceval.project.settings import COMPARATOR_METHODS, SITE_ROLES, EvaluationSettings

TOML = "evaluation.toml"
FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
CORE_ESTIMATORS: tuple[str, ...] = ("descriptive",)
"""Estimators an analysis plan may always name; strands declare theirs (``Strand.estimators``)."""


def check_settings(
    settings: EvaluationSettings, estimators: tuple[str, ...] = CORE_ESTIMATORS
) -> list[Problem]:
    """Rules on ``evaluation.toml`` alone; ``estimators`` are the names a plan may use."""
    return [
        *_check_sites(settings),
        *_check_periods(settings),
        *_check_plan(settings, estimators),
        *_check_disclosure(settings),
    ]


def _problem(code: str, message: str, column: str, value: object = "", fix: str = "") -> Problem:
    return Problem(code, message, file=TOML, column=column, value=str(value), fix=fix)


def _check_sites(settings: EvaluationSettings) -> Iterator[Problem]:
    first_seen: dict[str, int] = {}
    frameworks = set(settings.evaluation.frameworks)
    for i, site in enumerate(settings.sites):
        where = f"sites[{i}]"
        if not LA_CODE_PATTERN.match(site.la_code):
            yield _problem(
                "CSC-E1101",
                "LA code is not a 3-digit DfE LA number",
                f"{where}.la_code",
                site.la_code,
                "use the 3-digit DfE LA number, e.g. 871",
            )
        if site.la_code in first_seen:
            yield _problem(
                "CSC-E1102",
                f"the same LA is already listed as sites[{first_seen[site.la_code]}]",
                f"{where}.la_code",
                site.la_code,
                "list each LA once",
            )
        first_seen.setdefault(site.la_code, i)
        if site.role not in SITE_ROLES:
            yield _problem(
                "CSC-E1108",
                "unknown site role",
                f"{where}.role",
                site.role,
                f"use one of: {', '.join(SITE_ROLES)}",
            )
        if site.role in ("pilot", "exited") and site.implementation_start is None:
            yield _problem(
                "CSC-E1104",
                "a pilot needs its implementation start date",
                f"{where}.implementation_start",
                fix="add implementation_start = YYYY-MM-DD",
            )
        start, embedded = site.implementation_start, site.fully_embedded
        if start and embedded and embedded < start:
            yield _problem(
                "CSC-E1105",
                "fully embedded before implementation started",
                f"{where}.fully_embedded",
                embedded,
                f"the date must be on or after implementation_start ({start})",
            )
        if site.exit_date and site.role != "exited":
            yield _problem(
                "CSC-E1109",
                "only a site with role 'exited' has an exit date",
                f"{where}.exit_date",
                site.exit_date,
                'set role = "exited" or remove exit_date',
            )
        if site.exit_date and start and site.exit_date < start:
            yield _problem(
                "CSC-E1105",
                "exit date before implementation started",
                f"{where}.exit_date",
                site.exit_date,
                f"the date must be on or after implementation_start ({start})",
            )
        if site.framework and site.role != "contrast" and site.framework not in frameworks:
            yield _problem(
                "CSC-E1107",
                "framework is not one of the evaluation's frameworks",
                f"{where}.framework",
                site.framework,
                f"use one of: {', '.join(sorted(frameworks))}, or add it to evaluation.frameworks",
            )


def _check_periods(settings: EvaluationSettings) -> Iterator[Problem]:
    periods = settings.periods
    if periods.first_year > periods.last_year:
        yield _problem(
            "CSC-E1203",
            "first_year is after last_year",
            "periods.first_year",
            periods.first_year,
        )
    if not 2000 <= periods.first_year <= 2100:
        yield _problem(
            "CSC-E1203",
            "analysis years must lie between 2000 and 2100",
            "periods.first_year",
            periods.first_year,
        )
    for i, fy in enumerate(periods.financial_years):
        if not _is_financial_year(fy):
            yield _problem(
                "CSC-E1202",
                "not a financial year",
                f"periods.financial_years[{i}]",
                fy,
                "write financial years as 2017-18",
            )
    ids = Counter(tp.id for tp in periods.time_points)
    previous = None
    for i, tp in enumerate(periods.time_points):
        where = f"periods.time_points[{i}]"
        if ids[tp.id] > 1:
            yield _problem("CSC-E1204", "duplicate time point id", f"{where}.id", tp.id)
        if tp.end < tp.start:
            yield _problem(
                "CSC-E1201",
                "time point ends before it starts",
                f"{where}.end",
                tp.end,
                f"end must be on or after start ({tp.start})",
            )
        if previous is not None and tp.start < previous.start:
            yield _problem(
                "CSC-E1201",
                f"time point {tp.id} starts before {previous.id}",
                f"{where}.start",
                tp.start,
                "list time points in order (T1 before T2)",
            )
        previous = tp


def _is_financial_year(text: str) -> bool:
    """``2017-18`` is; ``2017/18`` and ``2017-19`` are not."""
    match = FINANCIAL_YEAR.match(text)
    return match is not None and (int(match[1]) + 1) % 100 == int(match[2])


def _check_outcomes(
    indicators: list[str], primary: str | None, secondary: list[str]
) -> Iterator[Problem]:
    """Primary and secondary outcomes must be the plan's indicators, each named once."""
    named = [("analysis.primary", primary)] if primary is not None else []
    named += [(f"analysis.secondary[{i}]", s) for i, s in enumerate(secondary)]
    seen: set[str | None] = set()
    for where, ind in named:
        if ind not in indicators or ind in seen:
            what = "primary/secondary outcome not among the plan's indicators, or named twice"
            fix = "name each outcome once, from analysis.indicators"
            yield _problem("CSC-E1306", what, where, ind, fix)
        seen.add(ind)


def _check_plan(settings: EvaluationSettings, estimators: tuple[str, ...]) -> Iterator[Problem]:
    plan = settings.analysis
    for i, ind in enumerate(plan.indicators):
        if ind not in BY_ID:
            yield _problem(
                "CSC-E1301",
                "unknown indicator",
                f"analysis.indicators[{i}]",
                ind,
                "see docs/indicators.md for the indicator ids",
            )
    for i, est in enumerate(plan.estimators):
        if est not in estimators:
            yield _problem(
                "CSC-E1302",
                "unknown estimator",
                f"analysis.estimators[{i}]",
                est,
                f"use one of: {', '.join(estimators)}",
            )
    yield from _check_outcomes(plan.indicators, plan.primary, plan.secondary)
    if plan.comparators not in COMPARATOR_METHODS:
        yield _problem(
            "CSC-E1303",
            "unknown way of choosing comparators",
            "analysis.comparators",
            plan.comparators,
            f"use one of: {', '.join(COMPARATOR_METHODS)}",
        )
    if plan.comparators == "named" and not settings.sites_with_role("comparator"):
        yield _problem(
            "CSC-E1304",
            "comparators are 'named' but no site has role 'comparator'",
            "analysis.comparators",
            fix='add [[sites]] with role = "comparator"',
        )
    if not settings.sites_with_role("pilot", "exited"):
        yield _problem(
            "CSC-E1305",
            "the evaluation has no pilot site",
            "sites",
            fix='give at least one site role = "pilot"',
        )
    if not _is_financial_year(settings.evaluation.price_year):
        yield _problem(
            "CSC-E1202",
            "price year is not a financial year",
            "evaluation.price_year",
            settings.evaluation.price_year,
            "write it as 2019-20",
        )


def _check_disclosure(settings: EvaluationSettings) -> Iterator[Problem]:
    policy = settings.disclosure
    for name in ("min_count", "round_aggregates_to"):
        if getattr(policy, name) < 0:
            yield _problem(
                "CSC-E1401", "must not be negative", f"disclosure.{name}", getattr(policy, name)
            )
    for name in ("percent_dp", "rate_dp"):
        if not 0 <= getattr(policy, name) <= 4:
            yield _problem(
                "CSC-E1401",
                "decimal places must be between 0 and 4",
                f"disclosure.{name}",
                getattr(policy, name),
            )


def check_tables(settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]) -> list[Problem]:
    """Rules linking the core tables to each other and to ``evaluation.toml``.

    Strands check their own tables (``Strand.checks``); the loader runs those after these.
    """
    las = tables["local_authorities"]
    known = set(las["la_code"])
    problems: list[Problem] = []
    for i, site in enumerate(settings.sites):
        if LA_CODE_PATTERN.match(site.la_code) and site.la_code not in known:
            problems.append(
                _problem(
                    "CSC-E1106",
                    "site is not in data/local_authorities.csv",
                    f"sites[{i}].la_code",
                    site.la_code,
                    "add the LA to local_authorities.csv",
                )
            )
    ended_early = (las["last_year"] < las["first_year"]).fillna(False).to_numpy(dtype=bool)
    problems += [
        Problem(
            "CSC-E2016",
            "last_year is before first_year",
            file="data/local_authorities.csv",
            row=int(i) + 2,
            column="last_year",
            value=str(las["last_year"].iat[i]),
        )
        for i in ended_early.nonzero()[0]
    ]
    problems += _unknown_codes(
        tables["statistical_neighbours"],
        "data/statistical_neighbours.csv",
        ("la_code", "neighbour_code"),
        known,
    )
    problems += _unknown_codes(
        tables["reorganisations"], "data/reorganisations.csv", ("old_la_code", "new_la_code"), known
    )
    problems += _check_neighbour_model(settings, tables["statistical_neighbours"])
    if "framework_register" in tables:
        problems += check_register(tables["framework_register"], known)
    problems += _check_indicator_rows(settings, tables["indicators"], las)
    return problems


def _check_neighbour_model(settings: EvaluationSettings, frame: pd.DataFrame) -> list[Problem]:
    """``[comparators] model`` must be the model ``data/statistical_neighbours.csv`` holds."""
    wanted = settings.comparators.model
    if wanted is None or frame.empty:
        return []
    held = sorted({str(m) for m in frame.get("model", pd.Series(dtype=str)).dropna() if str(m)})
    if not held or held == [wanted]:  # rows that do not say their model cannot be checked
        return []
    return [
        Problem(
            "CSC-E2019",
            f"evaluation.toml asks for DfE's {wanted} statistical-neighbour model but the table "
            f"holds {', '.join(held) or 'rows without a model column'}",
            file="data/statistical_neighbours.csv",
            column="model",
            value=", ".join(held),
            fix=f"rebuild the data with csceval data build-panel --neighbours {wanted}, or change "
            "[comparators] model",
        )
    ]


def _unknown_codes(
    frame: pd.DataFrame, file: str, columns: tuple[str, ...], known: set[str]
) -> list[Problem]:
    return [
        Problem(
            "CSC-E2010",
            "LA code is not in data/local_authorities.csv",
            file=file,
            row=i + 2,
            column=col,
            value=str(code),
            fix="add the LA to local_authorities.csv or correct the code",
        )
        for col in columns
        for i, code in enumerate(frame[col])
        if code not in known
    ]


def _check_indicator_rows(
    settings: EvaluationSettings, frame: pd.DataFrame, las: pd.DataFrame
) -> list[Problem]:
    file = "data/indicators.csv"
    problems = _unknown_codes(frame, file, ("la_code",), set(las["la_code"]))
    first, last = settings.periods.first_year, settings.periods.last_year
    rows = frame.reset_index(drop=True)
    unknown = ~rows["indicator"].isin(list(BY_ID))
    lifetimes = las.set_index("la_code")
    start = rows["la_code"].map(lifetimes["first_year"])
    end = rows["la_code"].map(lifetimes["last_year"])
    kinds = rows["indicator"].map({k: v.kind for k, v in BY_ID.items()})
    negative = rows["value"] < 0
    over_100 = (kinds == Kind.PERCENT) & (rows["value"] > 100)
    checks: list[tuple[str, pd.Series, str, str, str]] = [
        (
            "CSC-E2012",
            unknown,
            "indicator",
            "unknown indicator",
            "see docs/indicators.md for the indicator ids",
        ),
        (
            "CSC-E2011",
            ~unknown & ~rows["year"].between(first, last),
            "year",
            f"year outside the analysis years {first}-{last}",
            "change the year or periods",
        ),
        (
            "CSC-E2017",
            ~unknown & ((rows["year"] < start) | (rows["year"] > end)).fillna(False),
            "year",
            "a value for a year in which the LA did not exist",
            "check first_year/last_year in local_authorities.csv",
        ),
        (
            "CSC-E2015",
            ~unknown & (negative | over_100).fillna(False),
            "value",
            "value out of range for its indicator",
            "percentages lie between 0 and 100; counts and rates are not negative",
        ),
    ]
    for code, mask, column, message, fix in checks:
        for i in rows.index[mask.to_numpy(dtype=bool)]:
            value = rows.at[i, column]
            problems.append(
                Problem(
                    code,
                    message,
                    file=file,
                    row=int(i) + 2,
                    column=column,
                    value=f"{value:g}" if isinstance(value, float) else str(value),
                    fix=fix,
                )
            )
    return problems
