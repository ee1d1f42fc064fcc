"""The return datasets offered for export (registered in ``ReturnsConfig.ready``).

- ``return_values`` (row-level): one row per return x indicator, every status, with the return's
  dates; the return id is an identifier and the dates are shifted when de-identified.
- ``return_costs`` (row-level): one row per cost line; description and source are free text.
- ``return_indicators`` (aggregate): approved and locked values, one row per LA x year and one
  column per indicator, through disclosure control (counts of 1..min_count become ``c``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from csceval.disclosure import ColumnRole
from csceval.indicators.catalogue import Indicator, Kind
from csceval.web.exports.registry import Dataset, Level, Privacy, Variable, VarType
from csceval.web.returns.layout import COST_CATEGORIES, KIND_LABELS, RECURRENCE_LABELS
from csceval.web.returns.layout import return_indicators as _indicators
from csceval.web.returns.models import FEEDS_ANALYSIS, CostLine, ReturnValue, Status

_SOURCE = "csceval pilot data return"
_STATUS = tuple((str(value), str(label)) for value, label in Status.choices)

_RETURN_VARS = (
    Variable(
        "return_id", "Return identifier", VarType.STRING, source=_SOURCE, privacy=Privacy.IDENTIFIER
    ),
    Variable("la_code", "DfE LA code", VarType.STRING, source=_SOURCE),
    Variable("year", "Year ending 31 March", VarType.INTEGER, unit="year", source=_SOURCE),
    Variable("status", "Status of the return", VarType.CATEGORY, source=_SOURCE, values=_STATUS),
    Variable(
        "submitted_on",
        "Date the return was submitted",
        VarType.DATE,
        source=_SOURCE,
        privacy=Privacy.DATE,
    ),
    Variable(
        "reviewed_on",
        "Date the return was last reviewed",
        VarType.DATE,
        source=_SOURCE,
        privacy=Privacy.DATE,
    ),
)


def _date(value: Any) -> Any:
    return value.date() if value is not None else None


def _return_columns(ret: Any) -> list[Any]:
    return [
        str(ret.pk),
        ret.site.la_code,
        ret.year,
        ret.status,
        _date(ret.submitted_at),
        _date(ret.reviewed_at),
    ]


def _frame(rows: list[list[Any]], variables: Sequence[Variable]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[v.name for v in variables])


VALUE_VARS = (
    *_RETURN_VARS,
    Variable(
        "indicator",
        "Indicator id (csceval catalogue)",
        VarType.CATEGORY,
        source="csceval.indicators.catalogue",
        values=tuple((i.id, i.title) for i in _indicators()),
    ),
    Variable("value", "Value as returned", VarType.NUMBER, unit="see indicator", source=_SOURCE),
)


def build_values(la_codes: Sequence[str]) -> pd.DataFrame:
    rows = [
        [*_return_columns(v.pilot_return), v.indicator, float(v.value)]
        for v in ReturnValue.objects.filter(pilot_return__site__la_code__in=la_codes)
        .select_related("pilot_return__site")
        .order_by("pilot_return__site__la_code", "pilot_return__year", "pk")
    ]
    return _frame(rows, VALUE_VARS)


COST_VARS = (
    *_RETURN_VARS,
    Variable("line", "Row of the Costs sheet", VarType.INTEGER, source=_SOURCE),
    Variable(
        "category",
        "Cost category",
        VarType.CATEGORY,
        source=_SOURCE,
        values=tuple((c.id, c.label) for c in COST_CATEGORIES),
    ),
    Variable(
        "description",
        "Description of the cost",
        VarType.STRING,
        source=_SOURCE,
        privacy=Privacy.FREE_TEXT,
    ),
    Variable(
        "recurrence",
        "One-off or ongoing",
        VarType.CATEGORY,
        source=_SOURCE,
        values=tuple(RECURRENCE_LABELS.items()),
    ),
    Variable(
        "kind",
        "Cash or staff time",
        VarType.CATEGORY,
        source=_SOURCE,
        values=tuple(KIND_LABELS.items()),
    ),
    Variable("amount", "Cash amount", VarType.NUMBER, unit="GBP, cash prices", source=_SOURCE),
    Variable("hours", "Staff hours", VarType.NUMBER, unit="hours", source=_SOURCE),
    Variable(
        "cost_per_hour", "Cost per staff hour", VarType.NUMBER, unit="GBP per hour", source=_SOURCE
    ),
    Variable(
        "total",
        "Cost of the line (amount, or hours x cost per hour)",
        VarType.NUMBER,
        unit="GBP, cash prices",
        source=_SOURCE,
    ),
    Variable(
        "figure_source",
        "Where the figure comes from",
        VarType.STRING,
        source=_SOURCE,
        privacy=Privacy.FREE_TEXT,
    ),
)


def _num(value: Any) -> float | None:
    return None if value is None else float(value)


def build_costs(la_codes: Sequence[str]) -> pd.DataFrame:
    rows = [
        [
            *_return_columns(c.pilot_return),
            c.row,
            c.category,
            c.description,
            c.recurrence,
            c.kind,
            _num(c.amount),
            _num(c.hours),
            _num(c.cost_per_hour),
            _num(c.total),
            c.source,
        ]
        for c in CostLine.objects.filter(pilot_return__site__la_code__in=la_codes)
        .select_related("pilot_return__site")
        .order_by("pilot_return__site__la_code", "pilot_return__year", "row")
    ]
    return _frame(rows, COST_VARS)


def _role(indicator: Indicator) -> ColumnRole:
    return {
        Kind.COUNT: ColumnRole.COUNT,
        Kind.PERSONS: ColumnRole.COUNT,
        Kind.RATE: ColumnRole.RATE,
        Kind.PERCENT: ColumnRole.PERCENT,
    }.get(indicator.kind, ColumnRole.VALUE)


WIDE_VARS = (
    Variable("la_code", "DfE LA code", VarType.STRING, source=_SOURCE),
    Variable("year", "Year ending 31 March", VarType.INTEGER, unit="year", source=_SOURCE),
    *(
        Variable(
            i.id,
            i.title,
            VarType.NUMBER,
            unit=i.unit_label,
            source=f"{_SOURCE} ({i.source} definition)",
            role=_role(i),
        )
        for i in _indicators()
    ),
)


def build_wide(la_codes: Sequence[str]) -> pd.DataFrame:
    values = ReturnValue.objects.filter(
        pilot_return__site__la_code__in=la_codes, pilot_return__status__in=FEEDS_ANALYSIS
    ).values_list("pilot_return__site__la_code", "pilot_return__year", "indicator", "value")
    table: dict[tuple[str, int], dict[str, Any]] = {}
    for la_code, year, indicator, value in values:
        table.setdefault((la_code, year), {})[indicator] = float(value)
    rows = [
        [la_code, str(year), *(cells.get(v.name) for v in WIDE_VARS[2:])]
        for (la_code, year), cells in sorted(table.items())
    ]
    return _frame(rows, WIDE_VARS)


DATASETS = (
    Dataset(
        id="return_values",
        title="Pilot return values by LA and year (row-level)",
        description="Every indicator value of every pilot data return, with the return's status "
        "and dates.",
        level=Level.ROWLEVEL,
        variables=VALUE_VARS,
        build=build_values,
        record_key="return_id",
    ),
    Dataset(
        id="return_costs",
        title="Pilot return cost lines (row-level)",
        description="Every cost line of every pilot data return.",
        level=Level.ROWLEVEL,
        variables=COST_VARS,
        build=build_costs,
        record_key="return_id",
    ),
    Dataset(
        id="return_indicators",
        title="Approved pilot return indicators by LA and year",
        description="Approved and locked return values, one row per LA and year, with small "
        "counts suppressed.",
        level=Level.AGGREGATE,
        variables=WIDE_VARS,
        build=build_wide,
    ),
)
