"""Reading an uploaded return: every problem at once, or the values; never half of them.

Safety (SEC-E5): the upload is limited in size; it must be a zip whose entries are few, small
when unpacked and not compressed beyond a plausible ratio (zip bombs) before openpyxl sees it;
openpyxl reads it in read-only mode, values only (formulas are not evaluated), and only the rows
and columns the template has (plus one to detect extra rows) are read.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import load_workbook

from csceval.errors import Problem
from csceval.indicators.catalogue import Indicator
from csceval.web.returns import layout
from csceval.web.returns.models import period_label

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_UNPACKED_BYTES = 50 * 1024 * 1024
MAX_ENTRIES = 200
MAX_RATIO = 100
XLSX_CONTENT_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/octet-stream",
    "application/zip",
    "",
}


@dataclass(frozen=True)
class CostData:
    row: int
    category: str
    description: str
    recurrence: str
    kind: str
    amount: Decimal | None
    hours: Decimal | None
    cost_per_hour: Decimal | None
    source: str


@dataclass
class ParsedReturn:
    indicators: dict[str, Decimal] = field(default_factory=dict)
    costs: list[CostData] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.out = ParsedReturn()

    def problem(
        self, code: str, message: str, *, sheet: str = "", cell: str = "", value: Any = ""
    ) -> None:
        shown = "" if value is None else str(value)
        if len(shown) > 80:
            shown = shown[:77] + "..."
        self.out.problems.append(
            Problem(
                code=code,
                message=message,
                file=self.filename,
                sheet=sheet,
                cell=cell,
                value=shown,
            )
        )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _number(reader: _Reader, value: Any, *, sheet: str, cell: str, label: str) -> Decimal | None:
    """A non-negative decimal, None for a blank cell; problems reported on ``reader``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        try:
            number = Decimal(str(value).strip().replace(",", ""))
        except InvalidOperation:
            number = None
    if number is None or not number.is_finite():
        reader.problem(
            "CSC-E6107", f"{label} must be a number", sheet=sheet, cell=cell, value=value
        )
        return None
    if number < 0:
        reader.problem(
            "CSC-E6108", f"{label} must be 0 or more", sheet=sheet, cell=cell, value=value
        )
        return None
    if number > layout.MAX_VALUE:
        reader.problem(
            "CSC-E6108", f"{label} is too large to be right", sheet=sheet, cell=cell, value=value
        )
        return None
    return number


def _check_zip(reader: _Reader, data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        reader.problem("CSC-E6101", "The file is not an Excel workbook (.xlsx)")
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        reader.problem("CSC-E6101", "The file is damaged or not an Excel workbook (.xlsx)")
        return False
    unpacked = sum(i.file_size for i in infos)
    ratio_bad = any(i.file_size > MAX_RATIO * max(i.compress_size, 1) for i in infos)
    if len(infos) > MAX_ENTRIES or unpacked > MAX_UNPACKED_BYTES or ratio_bad:
        reader.problem(
            "CSC-E6102",
            "The workbook is too large when unpacked; use the template and upload it without "
            "extra sheets or pictures",
        )
        return False
    return True


def _instructions(reader: _Reader, ws: Any, la_code: str, year: int) -> None:
    sheet = layout.INSTRUCTIONS_SHEET
    cells = {
        f"B{n}": [*row, None, None][1]
        for n, row in enumerate(
            ws.iter_rows(min_row=1, max_row=6, max_col=2, values_only=True), start=1
        )
    }
    found_la = _text(cells.get(layout.LA_CODE_CELL))
    found_period = _text(cells.get(layout.PERIOD_CELL))
    if found_la != la_code:
        reader.problem(
            "CSC-E6105",
            f"This template is for another LA: download the template for LA {la_code} from "
            "this return's page",
            sheet=sheet,
            cell=layout.LA_CODE_CELL,
            value=found_la,
        )
    if found_period != period_label(year):
        reader.problem(
            "CSC-E6105",
            f"This template is for another period: download the template for "
            f"{period_label(year)} from this return's page",
            sheet=sheet,
            cell=layout.PERIOD_CELL,
            value=found_period,
        )


def _headers_ok(reader: _Reader, ws: Any, sheet: str, headers: tuple[str, ...]) -> bool:
    row = next(ws.iter_rows(min_row=1, max_row=1, max_col=len(headers), values_only=True), ())
    found = [_text(v) for v in row] + [""] * (len(headers) - len(row))
    ok = True
    for col, (want, got) in enumerate(zip(headers, found, strict=False), start=1):
        if want != got:
            letter = chr(ord("A") + col - 1)
            reader.problem(
                "CSC-E6104",
                f"The column heading should be '{want}': use the template without moving or "
                "renaming columns",
                sheet=sheet,
                cell=f"{letter}1",
                value=got,
            )
            ok = False
    return ok


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


def _choice(
    reader: _Reader, value: Any, options: dict[str, str], *, code: str, cell: str, label: str
) -> str | None:
    text = _text(value)
    for key, shown in options.items():
        if text.casefold() in (key.casefold(), shown.casefold()):
            return key
    if text:
        reader.problem(
            code,
            f"{label} must be one of: {', '.join(options.values())}",
            sheet=layout.COSTS_SHEET,
            cell=cell,
            value=text,
        )
    else:
        reader.problem(
            code, f"Choose the {label.lower()}", sheet=layout.COSTS_SHEET, cell=cell, value=""
        )
    return None


def _costs(reader: _Reader, ws: Any) -> None:
    sheet = layout.COSTS_SHEET
    if not _headers_ok(reader, ws, sheet, layout.COST_HEADERS):
        return
    last = layout.COST_ROWS + 1
    categories = {c.id: c.label for c in layout.COST_CATEGORIES}
    width = len(layout.COST_HEADERS)
    for r, row in enumerate(
        ws.iter_rows(min_row=2, max_row=last + 1, max_col=width, values_only=True), start=2
    ):
        cells = list(row) + [None] * (width - len(row))
        if all(_text(v) == "" for v in cells):
            continue
        if r > last:
            reader.problem(
                "CSC-E6111",
                f"Costs go beyond the template's {layout.COST_ROWS} lines; combine small items",
                sheet=sheet,
                cell=f"A{r}",
                value=_text(cells[0]),
            )
            break
        before = len(reader.out.problems)
        category = _choice(
            reader, cells[0], categories, code="CSC-E6112", cell=f"A{r}", label="Category"
        )
        recurrence = _choice(
            reader,
            cells[2],
            layout.RECURRENCE_LABELS,
            code="CSC-E6113",
            cell=f"C{r}",
            label="One-off or ongoing",
        )
        kind = _choice(
            reader,
            cells[3],
            layout.KIND_LABELS,
            code="CSC-E6114",
            cell=f"D{r}",
            label="Cash or time",
        )
        amount = _number(reader, cells[4], sheet=sheet, cell=f"E{r}", label="Amount")
        hours = _number(reader, cells[5], sheet=sheet, cell=f"F{r}", label="Hours")
        rate = _number(reader, cells[6], sheet=sheet, cell=f"G{r}", label="Cost per hour")
        description, source = _text(cells[1]), _text(cells[7])
        for text, letter, what in (
            (description, "B", "what the cost was"),
            (source, "H", "where the figure comes from"),
        ):
            if not text:
                reader.problem(
                    "CSC-E6116", f"Say {what}", sheet=sheet, cell=f"{letter}{r}", value=text
                )
            elif len(text) > 500:
                reader.problem(
                    "CSC-E6116",
                    "Keep this text under 500 characters",
                    sheet=sheet,
                    cell=f"{letter}{r}",
                    value=text,
                )
        if kind == "cash" and amount is None and cells[4] is None:
            reader.problem(
                "CSC-E6115", "A cash cost needs the amount in pounds", sheet=sheet, cell=f"E{r}"
            )
        if kind == "time":
            for value, parsed, letter, what in (
                (cells[5], hours, "F", "the hours"),
                (cells[6], rate, "G", "the cost per hour"),
            ):
                if parsed is None and value is None:
                    reader.problem(
                        "CSC-E6115",
                        f"A staff-time cost needs {what}",
                        sheet=sheet,
                        cell=f"{letter}{r}",
                    )
        if kind == "cash" and (hours is not None or rate is not None):
            reader.problem(
                "CSC-E6115",
                "A cash cost has an amount only: clear Hours and Cost per hour, or choose Time",
                sheet=sheet,
                cell=f"F{r}",
            )
        if kind == "time" and amount is not None:
            reader.problem(
                "CSC-E6115",
                "A staff-time cost has hours and a cost per hour: clear Amount, or choose Cash",
                sheet=sheet,
                cell=f"E{r}",
                value=cells[4],
            )
        if len(reader.out.problems) == before:
            assert category
            assert recurrence
            assert kind
            reader.out.costs.append(
                CostData(r, category, description, recurrence, kind, amount, hours, rate, source)
            )


def read_upload(data: bytes, *, filename: str, la_code: str, year: int) -> ParsedReturn:
    """Read an uploaded return for ``la_code`` and ``year``; ``problems`` lists everything wrong."""
    reader = _Reader(filename)
    if not filename.lower().endswith(".xlsx"):
        reader.problem("CSC-E6101", "The file must be an Excel workbook ending in .xlsx")
        return reader.out
    if len(data) > MAX_UPLOAD_BYTES:
        reader.problem(
            "CSC-E6102", f"The file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
        )
        return reader.out
    if not _check_zip(reader, data):
        return reader.out
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # any failure to open is the user's file, not our bug
        reader.problem("CSC-E6101", "The file cannot be opened as an Excel workbook (.xlsx)")
        return reader.out
    try:
        sheets = {
            layout.INSTRUCTIONS_SHEET: None,
            layout.INDICATORS_SHEET: _indicators,
            layout.COSTS_SHEET: _costs,
        }
        missing = [name for name in sheets if name not in wb.sheetnames]
        for name in missing:
            reader.problem(
                "CSC-E6103",
                f"The workbook has no sheet called '{name}': use the template without renaming "
                "sheets",
                sheet=name,
            )
        if layout.INSTRUCTIONS_SHEET not in missing:
            _instructions(reader, wb[layout.INSTRUCTIONS_SHEET], la_code, year)
        for name, read in sheets.items():
            if read is not None and name not in missing:
                read(reader, wb[name])
    finally:
        wb.close()
    if not reader.out.problems and not reader.out.indicators and not reader.out.costs:
        reader.problem(
            "CSC-E6119",
            "The workbook has no values: fill in the Key indicators or Costs sheet",
            sheet=layout.INDICATORS_SHEET,
        )
    if reader.out.problems:
        reader.out.indicators.clear()
        reader.out.costs.clear()
    return reader.out
