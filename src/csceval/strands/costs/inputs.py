"""The cost strand's project inputs: deflators, unit costs and activity changes, checked.

:func:`check_cost_tables` is called by the project loader, so a project with a bad ledger or
unit-cost table is rejected whole, with coded problems pointing at the row and column.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import pandas as pd

from csceval.errors import Problem
from csceval.project.settings import EvaluationSettings
from csceval.strands.costs.cba import ActivityChange
from csceval.strands.costs.ledger import (
    check_ledger,
    check_price_year,
    csv_locator,
    is_blank,
    shown,
)
from csceval.strands.costs.ledger import pilot_codes as _pilot_codes
from csceval.strands.costs.price_base import Deflator, parse_financial_year
from csceval.strands.costs.tables import ACTIVITY_CHANGES, COST_LEDGER, DEFLATORS, UNIT_COSTS
from csceval.strands.costs.unit_costs import UnitCost, unit_cost_table


def deflator_of(tables: Mapping[str, pd.DataFrame]) -> Deflator:
    """The default deflator with the project's ``data/deflators.csv`` rows on top."""
    frame = tables[DEFLATORS.name]
    overrides = {
        str(r["financial_year"]): (float(r["index"]), str(r["source"]))
        for r in frame.to_dict("records")
    }
    return Deflator.default(overrides)


def unit_costs_of(tables: Mapping[str, pd.DataFrame]) -> dict[str, UnitCost]:
    """Default unit costs with the project's ``data/unit_costs.csv`` rows added or replacing."""
    rows = [
        UnitCost(
            activity=str(r["activity"]),
            unit=str(r["unit"]),
            cost_gbp=float(r["cost_gbp"]),
            price_year=str(r["price_year"]),
            source=str(r["source"]),
            se_gbp=None if is_blank(r["se_gbp"]) else float(r["se_gbp"]),
        )
        for r in tables[UNIT_COSTS.name].to_dict("records")
    ]
    return unit_cost_table(rows)


def activity_changes_of(tables: Mapping[str, pd.DataFrame]) -> tuple[ActivityChange, ...]:
    """The user's ``data/activity_changes.csv`` as :class:`ActivityChange` values."""
    return tuple(
        ActivityChange(
            activity=str(r["activity"]),
            change=float(r["change"]),
            se=float(r["se"]),
            source=str(r["source"]),
            la_code="" if is_blank(r["la_code"]) else str(r["la_code"]),
        )
        for r in tables[ACTIVITY_CHANGES.name].to_dict("records")
    )


def check_cost_tables(
    settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]
) -> list[Problem]:
    """Rules on the cost tables (called by the project loader once every table has parsed)."""
    problems = list(_check_deflators(tables[DEFLATORS.name]))
    if problems:
        return problems
    deflator = deflator_of(tables)
    problems += _check_unit_costs(tables[UNIT_COSTS.name], deflator)
    problems += _check_activity_changes(settings, tables)
    ledger = tables[COST_LEDGER.name]
    if len(ledger):
        problems += check_ledger(ledger, settings, deflator, csv_locator(COST_LEDGER.file))
        if not is_blank(settings.evaluation.price_year) and not deflator.covers(
            settings.evaluation.price_year
        ):
            problems += check_price_year(
                settings.evaluation.price_year,
                deflator,
                {"file": "evaluation.toml", "column": "evaluation.price_year"},
            )
    return problems


def _check_deflators(frame: pd.DataFrame) -> Iterator[Problem]:
    where = csv_locator(DEFLATORS.file)
    for i, r in enumerate(frame.to_dict("records")):
        if parse_financial_year(str(r["financial_year"])) is None:
            yield Problem(
                "CSC-E3004",
                "not a financial year",
                value=str(r["financial_year"]),
                fix="write financial years as 2017-18",
                **where(i, "financial_year"),
            )
        if not r["index"] > 0:
            yield Problem(
                "CSC-E3014",
                "a deflator index must be above zero",
                value=shown(r["index"]),
                **where(i, "index"),
            )


def _check_unit_costs(frame: pd.DataFrame, deflator: Deflator) -> Iterator[Problem]:
    where = csv_locator(UNIT_COSTS.file)
    for i, r in enumerate(frame.to_dict("records")):
        if not r["cost_gbp"] > 0:
            yield Problem(
                "CSC-E3014",
                "a unit cost must be above zero",
                value=shown(r["cost_gbp"]),
                **where(i, "cost_gbp"),
            )
        if not is_blank(r["se_gbp"]) and r["se_gbp"] < 0:
            yield Problem(
                "CSC-E3013",
                "a standard error must not be negative",
                value=shown(r["se_gbp"]),
                **where(i, "se_gbp"),
            )
        yield from check_price_year(r["price_year"], deflator, where(i, "price_year"))


def _check_activity_changes(
    settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]
) -> Iterator[Problem]:
    frame = tables[ACTIVITY_CHANGES.name]
    if not len(frame):
        return
    where = csv_locator(ACTIVITY_CHANGES.file)
    known = unit_costs_of(tables)
    pilots = _pilot_codes(settings)
    for i, r in enumerate(frame.to_dict("records")):
        if r["activity"] not in known:
            yield Problem(
                "CSC-E3012",
                "no unit cost for this activity",
                value=str(r["activity"]),
                fix=f"add it to data/unit_costs.csv, or use one of: {', '.join(sorted(known))}",
                **where(i, "activity"),
            )
        if math.isnan(r["se"]) or r["se"] < 0:
            yield Problem(
                "CSC-E3013",
                "a standard error must not be negative",
                value=shown(r["se"]),
                **where(i, "se"),
            )
        if not is_blank(r["la_code"]) and r["la_code"] not in pilots:
            yield Problem(
                "CSC-E3009",
                "the LA is not a pilot site of the evaluation",
                value=str(r["la_code"]),
                **where(i, "la_code"),
            )
