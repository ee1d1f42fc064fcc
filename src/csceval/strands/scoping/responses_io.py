"""Scoping responses collected elsewhere (CSV or XLSX): read, check, merge and write.

Reading is bounded (:data:`MAX_BYTES`) and all-or-nothing: every problem is collected with its
file, sheet, row, column and value, and nothing is written unless the whole file is valid. The
project's table is written beside itself and renamed into place when complete.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

import pandas as pd

from csceval.atomic import write_file
from csceval.errors import InputError, Problem
from csceval.project.schema import PARSERS, TYPE_HELP, ColumnType, TableSchema
from csceval.project.tables import DIRECT_IDENTIFIER_NAMES
from csceval.strands.scoping.survey import framework_list, parse_since
from csceval.strands.scoping.tables import SCOPING_RESPONSES
from csceval.xlsx_reader import XlsxLimits, read_sheet

MAX_BYTES = 5_000_000
MAX_ROWS = 20_000
Grid = tuple[list[str], list[list[str]], str]
LIMITS = XlsxLimits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS + 1)


def _grid(name: str, content: bytes, sheet: str | None) -> Grid:
    """Header, body rows (as text) and the sheet read ("" for CSV)."""
    if name.lower().endswith(".xlsx"):
        found = read_sheet(
            content, file=name, sheet=sheet, limits=LIMITS, unreadable_code="CSC-E3501"
        )
        rows = [["" if v is None else _cell_text(v) for v in r] for r in found.rows]
        title = found.name
    else:
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
        title = ""
    if len(rows) > MAX_ROWS + 1:
        raise ValueError(f"the file has {len(rows) - 1:,} rows; at most {MAX_ROWS:,} are read")
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ValueError("the file has no header row")
    return [h.strip() for h in rows[0]], [[c.strip() for c in r] for r in rows[1:]], title


def _cell_text(value: object) -> str:
    if hasattr(value, "date") and callable(value.date):
        return str(value.date().isoformat())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_responses(
    name: str, content: bytes, known_las: set[str], sheet: str | None = None
) -> pd.DataFrame:
    """The responses in a CSV or XLSX file, checked; raises :class:`InputError` (E3501-E3507)."""
    if len(content) > MAX_BYTES:
        raise InputError([Problem("CSC-E3501", f"the file is over {MAX_BYTES:,} bytes", name)])
    try:
        header, body, sheet_name = _grid(name, content, sheet)
    except (UnicodeDecodeError, csv.Error, ValueError, KeyError, OSError, BadZipFile) as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E3501",
                    f"cannot read the file ({exc})",
                    name,
                    fix="save it as CSV UTF-8 or an Excel .xlsx workbook with a header row",
                )
            ]
        ) from None
    problems = _header_problems(SCOPING_RESPONSES, header, name, sheet_name)
    if problems:
        raise InputError(problems)
    records: list[dict[str, Any]] = []
    for offset, raw in enumerate(body):
        row = offset + 2
        record: dict[str, Any] = {}
        for column in SCOPING_RESPONSES.columns:
            j = header.index(column.name) if column.name in header else -1
            text = raw[j] if 0 <= j < len(raw) else ""
            where = {
                "file": name,
                "sheet": sheet_name,
                "row": row,
                "column": column.name,
                "cell": f"{_column_letter(j)}{row}" if sheet_name and j >= 0 else "",
            }
            record[column.name], problem = _cell(column.name, text, where)
            problems += [problem] if problem else []
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(SCOPING_RESPONSES.column_names))
    if not problems:
        problems = response_problems(frame, known_las, name, sheet_name)
    if problems:
        raise InputError(problems)
    return frame


def _header_problems(
    schema: TableSchema, header: list[str], name: str, sheet: str
) -> list[Problem]:
    problems = []
    for h in header:
        if h.lower() in DIRECT_IDENTIFIER_NAMES or "name" in h.lower() or "email" in h.lower():
            problems.append(
                Problem(
                    "CSC-E3502",
                    "the column looks like names or contact details, which csceval refuses",
                    name,
                    1,
                    h,
                    sheet=sheet,
                    fix="remove it: give the respondent's role only",
                )
            )
        elif h not in schema.column_names:
            problems.append(
                Problem(
                    "CSC-E3502",
                    "unknown column",
                    name,
                    1,
                    h,
                    sheet=sheet,
                    fix=f"the columns are {', '.join(schema.column_names)}",
                )
            )
    for column in schema.columns:
        if column.required and column.name not in header:
            problems.append(
                Problem(
                    "CSC-E3502",
                    "required column is missing",
                    name,
                    1,
                    column.name,
                    sheet=sheet,
                    fix=column.description,
                )
            )
    return problems


def _cell(name: str, text: str, where: dict[str, Any]) -> tuple[Any, Problem | None]:
    column = SCOPING_RESPONSES.column(name)
    if not text:
        if column.required:
            return None, Problem("CSC-E3503", "a value is required", value=text, **where)
        return None, None
    try:
        value = PARSERS[column.type](text)
    except ValueError:
        help_text = TYPE_HELP[column.type]
        return None, Problem("CSC-E3503", f"expected {help_text}", value=text, **where)
    if column.allowed and text not in column.allowed:
        fix = f"use one of: {', '.join(column.allowed)}"
        return None, Problem("CSC-E3503", "value not allowed", value=text, fix=fix, **where)
    return (value if column.type is not ColumnType.TEXT else text), None


Rule = tuple[str, str, str, object, str]
"""A broken rule: code, message, column, value, fix."""


def _row_rules(r: dict[str, Any], known_las: set[str], first_row: int | None) -> list[Rule]:
    rules: list[Rule] = []
    try:
        parse_since(str(r["since"] or ""))
    except ValueError:
        fix = "write 2016 (year ending 31 March), 2016-04 or 2016-04-01"
        rules.append(("CSC-E3504", "not a year, month or date", "since", r["since"], fix))
    if r["la_code"] not in known_las:
        message = "LA code is not in data/local_authorities.csv"
        rules.append(("CSC-E3505", message, "la_code", r["la_code"], "correct the code"))
    if first_row is not None:
        message = f"the response id is repeated (first in row {first_row})"
        fix = "give every response its own id"
        rules.append(("CSC-E3506", message, "response_id", r["response_id"], fix))
    reviewed = r["reviewed"]
    if reviewed is not None and not pd.isna(reviewed) and reviewed < r["received"]:
        message = f"reviewed before it was received ({r['received']})"
        rules.append(("CSC-E3507", message, "reviewed", reviewed, "check the two dates"))
    named = framework_list(str(r["frameworks"]))
    if r["review_status"] == "accepted" and not named and str(r["frameworks"]).strip() != "none":
        fix = "name the framework(s), or write none"
        rules.append(
            (
                "CSC-E3507",
                "an accepted response names no framework",
                "frameworks",
                r["frameworks"],
                fix,
            )
        )
    return rules


def response_problems(
    frame: pd.DataFrame, known_las: set[str], file: str, sheet: str = ""
) -> list[Problem]:
    """Rules on parsed responses: since, known LAs, unique ids, review dates (E3504-E3507)."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for offset, record in enumerate(frame.to_dict("records")):
        r = {str(k): v for k, v in record.items()}
        row, rid = offset + 2, str(r["response_id"])
        for code, message, column, value, fix in _row_rules(r, known_las, seen.get(rid)):
            problems.append(Problem(code, message, file, row, column, str(value), fix, sheet))
        seen.setdefault(rid, row)
    return problems


def merge_responses(existing: pd.DataFrame, new: pd.DataFrame, name: str) -> pd.DataFrame:
    """Existing responses plus new ones; an id already present must carry the same content."""
    columns = list(SCOPING_RESPONSES.column_names)
    before = {str(r["response_id"]): r for r in existing[columns].to_dict("records")}
    problems = []
    fresh = []
    for offset, record in enumerate(new[columns].to_dict("records")):
        old = before.get(str(record["response_id"]))
        if old is None:
            fresh.append(record)
        elif _text(old) != _text(record):
            problems.append(
                Problem(
                    "CSC-E3506",
                    "the project already holds a different response with this id",
                    name,
                    offset + 2,
                    "response_id",
                    str(record["response_id"]),
                    "give the new response another id",
                )
            )
    if problems:
        raise InputError(problems)
    merged = pd.DataFrame([*before.values(), *fresh], columns=columns)
    return merged.sort_values("response_id").reset_index(drop=True)


def _text(record: Mapping[Any, Any]) -> tuple[str, ...]:
    return tuple(
        "" if v is None or v is pd.NaT or (isinstance(v, float) and pd.isna(v)) else str(v)
        for v in record.values()
    )


def table_text(schema: TableSchema, frame: pd.DataFrame) -> str:
    """A table as CSV text in its declared column order (empty cells for missing values)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(schema.column_names)
    writer.writerows(_rows(frame[list(schema.column_names)].to_dict("records")))
    return buffer.getvalue()


def _rows(records: Iterable[Mapping[Any, Any]]) -> Sequence[tuple[str, ...]]:
    return [_text(r) for r in records]


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` through a file beside it, renamed when complete."""
    write_file(path, text.encode("utf-8"))
