"""Reading the Key indicators sheet of an uploaded return: one value per template indicator.

A row must name an indicator of the template, once; its value must be a number within the
indicator's bounds (a percentage at most 100, a count whole, at most the template's decimal
places). The sheet may not have more rows than the template has indicators.
"""

from __future__ import annotations

from typing import Any

from csceval.indicators.catalogue import Indicator
from csceval.web.returns import layout
from csceval.web.returns.upload_cells import _headers_ok, _number, _Reader, _text


def _indicators(reader: _Reader, ws: Any) -> None:
    sheet = layout.INDICATORS_SHEET
    if not _headers_ok(reader, ws, sheet, layout.INDICATOR_HEADERS):
        return
    known: dict[str, Indicator] = {i.id: i for i in layout.return_indicators()}
    limit = len(known) + 1
    seen: dict[str, int] = {}
    col = layout.INDICATOR_VALUE_COLUMN
    for row_number, row in enumerate(
        ws.iter_rows(min_row=2, max_row=limit + 1, max_col=5, values_only=True), start=2
    ):
        cells = list(row) + [None] * (5 - len(row))
        ident, value = _text(cells[0]), cells[4]
        if not ident and all(_text(v) == "" for v in cells):
            continue
        if row_number > limit:
            reader.problem(
                "CSC-E6111",
                f"The sheet has more rows than the template's {limit - 1} indicators",
                sheet=sheet,
                cell=f"A{row_number}",
                value=ident,
            )
            break
        indicator = known.get(ident)
        if indicator is None:
            reader.problem(
                "CSC-E6106",
                "This is not an indicator of the template; do not change the Indicator id column",
                sheet=sheet,
                cell=f"A{row_number}",
                value=ident,
            )
            continue
        if ident in seen:
            reader.problem(
                "CSC-E6110",
                f"This indicator is listed twice (also in row {seen[ident]})",
                sheet=sheet,
                cell=f"A{row_number}",
                value=ident,
            )
            continue
        seen[ident] = row_number
        _indicator_value(reader, indicator, value, f"{col}{row_number}")


def _indicator_value(reader: _Reader, indicator: Indicator, value: Any, cell: str) -> None:
    sheet = layout.INDICATORS_SHEET
    label = f"{indicator.title} ({indicator.id})"
    number = _number(reader, value, sheet=sheet, cell=cell, label=label)
    if number is None:
        return
    top = layout.upper_bound(indicator)
    if top is not None and number > top:
        reader.problem(
            "CSC-E6108",
            f"{label} is a percentage: enter a number from 0 to 100",
            sheet=sheet,
            cell=cell,
            value=value,
        )
    elif layout.is_whole(indicator) and number != number.to_integral_value():
        reader.problem(
            "CSC-E6109",
            f"{label} is a count: enter a whole number",
            sheet=sheet,
            cell=cell,
            value=value,
        )
    elif -number.as_tuple().exponent > layout.MAX_DECIMAL_PLACES:  # type: ignore[operator]
        reader.problem(
            "CSC-E6109",
            f"{label}: give at most {layout.MAX_DECIMAL_PLACES} decimal places",
            sheet=sheet,
            cell=cell,
            value=value,
        )
    else:
        reader.out.indicators[indicator.id] = number
