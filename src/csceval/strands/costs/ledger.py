"""The implementation cost ledger: its rules, its import from XLSX, and its price conversion.

The ledger's columns are declared once in :data:`csceval.project.tables.COST_LEDGER`; the CSV
reader checks the types, and :func:`check_ledger` the rules that make a row a cost (a known
category, no negative hours, a price year, a year of the evaluation, ...), each with a code in
CSC-E3001..E3099 and the row and column (or sheet and cell) of the offending value.
A time row's cost is ``hours x unit_cost_gbp``; a cash row's is ``amount_gbp``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.project.schema import PARSERS, TYPE_HELP, ColumnType
from csceval.project.settings import EvaluationSettings
from csceval.strands.costs.categories import CATEGORIES, KINDS, TIMINGS
from csceval.strands.costs.price_base import Deflator, parse_financial_year
from csceval.strands.costs.tables import COST_LEDGER
from csceval.xlsx_reader import read_sheet

Locate = Callable[[int, str], dict[str, Any]]
"""(0-based data row, column) -> the Problem fields that point at the cell."""


def csv_locator(file: str) -> Locate:
    """Rows as a spreadsheet shows a CSV: the header is row 1."""
    return lambda i, column: {"file": file, "row": i + 2, "column": column}


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def shown(value: object) -> str:
    if is_blank(value):
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def pilot_codes(settings: EvaluationSettings) -> set[str]:
    return {s.la_code for s in settings.sites_with_role("pilot", "exited")}


def check_price_year(
    value: object, deflator: Deflator, where: dict[str, Any], required_code: str = "CSC-E3003"
) -> list[Problem]:
    """A price year must be given, be written 2017-18 and be covered by the deflator."""
    if is_blank(value):
        return [
            Problem(
                required_code,
                "the price year is missing",
                **where,
                fix="give the financial year whose prices the figure is in, e.g. 2017-18",
            )
        ]
    text = str(value).strip()
    if parse_financial_year(text) is None:
        return [
            Problem(
                "CSC-E3004",
                "not a financial year",
                value=text,
                **where,
                fix="write price years as 2017-18",
            )
        ]
    if not deflator.covers(text):
        years = sorted(deflator.index)
        return [
            Problem(
                "CSC-E3004",
                "the deflator series does not cover this price year",
                value=text,
                **where,
                fix=f"use a year from {years[0]} to {years[-1]}, or add it to data/deflators.csv",
            )
        ]
    return []


def check_ledger(
    frame: pd.DataFrame, settings: EvaluationSettings, deflator: Deflator, locate: Locate
) -> list[Problem]:
    """Every rule a ledger row must keep (types are already checked)."""
    problems: list[Problem] = []
    for i, row in enumerate(frame.to_dict("records")):
        problems += _row_problems(i, row, settings, deflator, locate)
    return problems


def _row_problems(
    i: int,
    row: dict[Any, Any],
    settings: EvaluationSettings,
    deflator: Deflator,
    locate: Locate,
) -> list[Problem]:
    years = settings.periods.financial_years
    pilots = pilot_codes(settings)
    problems: list[Problem] = []

    def add(code: str, column: str, message: str, fix: str = "") -> None:
        where = locate(i, column)
        problems.append(Problem(code, message, value=shown(row.get(column)), fix=fix, **where))

    if row["la_code"] not in pilots:
        add(
            "CSC-E3009",
            "la_code",
            "the LA is not a pilot site of the evaluation",
            "give the 3-digit code of a site with role pilot or exited",
        )
    if row["financial_year"] not in years:
        add(
            "CSC-E3005",
            "financial_year",
            "the financial year is not one of the evaluation's financial years",
            f"use one of: {', '.join(years)}"
            if years
            else "list the years in periods.financial_years in evaluation.toml",
        )
    if row["category"] not in CATEGORIES:
        add(
            "CSC-E3001",
            "category",
            "unknown cost category",
            f"use one of: {', '.join(CATEGORIES)}",
        )
    if row["one_off_or_ongoing"] not in TIMINGS:
        add(
            "CSC-E3006",
            "one_off_or_ongoing",
            "must be one_off or ongoing",
            "write one_off or ongoing",
        )
    if row["kind"] not in KINDS:
        add("CSC-E3006", "kind", "must be cash or time", "write cash or time")
    for column in ("amount_gbp", "hours", "unit_cost_gbp"):
        if not is_blank(row[column]) and row[column] < 0:
            add(
                "CSC-E3002",
                column,
                "must not be negative",
                "record a refund or saving as its own row with a note, not a negative cost",
            )
    if row["kind"] == "cash":
        if is_blank(row["amount_gbp"]):
            add("CSC-E3007", "amount_gbp", "a cash row needs amount_gbp")
        if not is_blank(row["hours"]):
            add(
                "CSC-E3007",
                "hours",
                "a cash row has no hours",
                "use kind = time for staff time, or leave hours empty",
            )
    elif row["kind"] == "time":
        for column in ("hours", "unit_cost_gbp"):
            if is_blank(row[column]):
                add("CSC-E3007", column, f"a time row needs {column}")
        if not is_blank(row["amount_gbp"]):
            add(
                "CSC-E3007",
                "amount_gbp",
                "a time row has no amount_gbp",
                "give hours and unit_cost_gbp, or use kind = cash",
            )
    if is_blank(row["source"]):
        add(
            "CSC-E3008",
            "source",
            "the source of the figure is missing",
            "say where the figure comes from (invoice, timesheet, estimate by ...)",
        )
    problems += check_price_year(row["price_year"], deflator, locate(i, "price_year"))
    return problems


def ledger_in_prices(frame: pd.DataFrame, deflator: Deflator, base_year: str) -> pd.DataFrame:
    """The checked ledger with each row's cost in its own prices and in ``base_year`` prices."""
    out = frame.reset_index(drop=True).copy()
    time = out["kind"] == "time"
    out["cost_gbp"] = out["amount_gbp"].where(~time, out["hours"] * out["unit_cost_gbp"])
    out["cost_gbp"] = out["cost_gbp"].astype(float)
    out["deflator_from"] = out["price_year"].map(deflator.index).astype(float)
    out["deflator_to"] = float(deflator.index[base_year])
    out["real_gbp"] = out["cost_gbp"] * out["deflator_to"] / out["deflator_from"]
    return out


# --- XLSX import ---------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_ledger_xlsx(
    path: Path,
    settings: EvaluationSettings,
    deflator: Deflator | None = None,
    sheet: str | None = None,
) -> pd.DataFrame:
    """A cost ledger from a worksheet (header in row 1), checked as the CSV would be.

    Raises :class:`InputError` naming the sheet and cell of every problem; nothing is returned
    half-checked. The web platform's upload calls this.
    """
    from openpyxl.utils import get_column_letter

    name = Path(path).name
    found = read_sheet(Path(path), file=name, sheet=sheet, unreadable_code="CSC-E3010")
    rows = [list(r) for r in found.rows]
    title = found.name
    header = [_cell_text(v) for v in rows[0]] if rows else []
    positions = {h: j for j, h in enumerate(header) if h}
    problems = [
        Problem(
            "CSC-E3011",
            "required column is missing from the header row",
            file=name,
            sheet=title,
            cell="1:1",
            column=c.name,
            fix=f"add a column {c.name}",
        )
        for c in COST_LEDGER.columns
        if c.required and c.name not in positions
    ] + [
        Problem(
            "CSC-E3011",
            "not a ledger column",
            file=name,
            sheet=title,
            cell=f"{get_column_letter(j + 1)}1",
            column=h,
            fix=f"the columns are {', '.join(COST_LEDGER.column_names)}",
        )
        for h, j in positions.items()
        if h not in COST_LEDGER.column_names
    ]
    if problems:
        raise InputError(problems)
    body = [(k + 2, r) for k, r in enumerate(rows[1:]) if any(_cell_text(v) for v in r)]

    def locate(i: int, column: str) -> dict[str, Any]:
        j = positions.get(column)
        cell = f"{get_column_letter(j + 1)}{body[i][0]}" if j is not None else ""
        return {"file": name, "sheet": title, "cell": cell, "column": column}

    values: dict[str, list[Any]] = {c.name: [] for c in COST_LEDGER.columns}
    for i, (_, raw) in enumerate(body):
        for column in COST_LEDGER.columns:
            j = positions.get(column.name)
            text = _cell_text(raw[j]) if j is not None and j < len(raw) else ""
            value: Any = None
            if text:
                try:
                    value = PARSERS[column.type](text)
                except ValueError:
                    problems.append(
                        Problem(
                            "CSC-E2005",
                            f"expected {TYPE_HELP[column.type]}",
                            value=text,
                            **locate(i, column.name),
                        )
                    )
            elif column.required:
                problems.append(
                    Problem("CSC-E2007", "a value is required", **locate(i, column.name))
                )
            values[column.name].append(value)
    frame = _frame(values)
    if not problems:  # as for a CSV: the rules run once every cell has its type
        problems = check_ledger(frame, settings, deflator or Deflator.default(), locate)
    if problems:
        raise InputError(problems)
    return frame


def _frame(values: Mapping[str, list[Any]]) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for column in COST_LEDGER.columns:
        cells = values[column.name]
        if column.type is ColumnType.NUMBER:
            data[column.name] = pd.Series(
                [math.nan if v is None else float(v) for v in cells], dtype=float
            )
        else:
            data[column.name] = pd.Series(cells, dtype=object)
    return pd.DataFrame(data)
