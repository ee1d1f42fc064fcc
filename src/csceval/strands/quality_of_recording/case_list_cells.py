"""The cells of an uploaded case list (CSV or XLSX), and the checks made on them cell by cell.

Every cell keeps where it was (row; sheet cell for XLSX) so that each problem names it. Direct
identifiers are looked for in every column, by column name and by value, before anything else;
in the case-id column a ten-digit value counts as an NHS number only when most of the column's
ten-digit values pass the NHS check. Values are masked in the problems. Dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from csceval.errors import Problem
from csceval.strands.quality_of_recording import identifiers
from csceval.xlsx_reader import read_sheet


@dataclass(frozen=True)
class Cell:
    """One uploaded cell's text and where it was."""

    text: str
    row: int
    column: str
    cell: str = ""


def _excel_cell(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return f"{letters}{row}"


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _grid(name: str, content: bytes) -> tuple[list[str], list[list[Cell]], str]:
    """Header and body cells of a CSV or XLSX upload, plus the sheet name (XLSX).

    The workbook is bounded before it is read (:func:`csceval.xlsx_reader.read_sheet`).
    """
    if name.lower().endswith((".xlsx", ".xlsm")):
        sheet = read_sheet(content, file=name, unreadable_code="CSC-E3202")
        rows = [[_text(v) for v in r] for r in sheet.rows]
        title = sheet.name
    else:
        text = content.decode("utf-8-sig")
        rows = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text, newline=""))]
        title = ""
    rows = [r for r in rows if any(r)]
    if not rows:
        raise ValueError("the file is empty")
    header = rows[0]
    body = [
        [
            Cell(
                r[j] if j < len(r) else "", i + 2, header[j], _excel_cell(i + 2, j) if title else ""
            )
            for j in range(len(header))
        ]
        for i, r in enumerate(rows[1:])
    ]
    return header, body, title


def identifier_problems(
    file: str, header: list[str], body: list[list[Cell]], sheet: str = "", id_column: str = ""
) -> Iterator[Problem]:
    """Every direct identifier in an upload, by column name and by value (values masked)."""
    flagged = set()
    for j, name in enumerate(header):
        if identifiers.identifier_column(name):
            flagged.add(j)
            yield Problem(
                "CSC-E3204",
                "this column holds direct identifiers; csceval refuses the upload",
                file=file,
                sheet=sheet,
                column=name,
                fix="delete the column and upload again: csceval needs only case_id and stratum",
            )
    for j, name in enumerate(header):
        if j in flagged:
            continue
        cells = [row[j] for row in body if row[j].text]
        hits = [(c, identifiers.identifier_kind(c.text)) for c in cells]
        if name == id_column:
            ten = sum(identifiers.ten_digits(c.text) for c in cells)
            nhs = [(c, k) for c, k in hits if k == "NHS number"]
            if not (ten and len(nhs) * 2 > ten):
                hits = [(c, k) for c, k in hits if k != "NHS number"]
        for c, kind in hits:
            if kind is not None:
                yield Problem(
                    "CSC-E3205",
                    f"this value looks like {'an' if kind[0] in 'NU' else 'a'} {kind}; csceval "
                    "refuses uploads holding direct identifiers",
                    file=file,
                    row=c.row,
                    sheet=sheet,
                    cell=c.cell,
                    column=name,
                    value=identifiers.mask(c.text),
                    fix="remove identifiers from the file; use the LA's own case id",
                )


def _date(c: Cell, file: str, sheet: str) -> tuple[str, Problem | None]:
    if not c.text:
        return "", None
    try:
        return date.fromisoformat(c.text[:10]).isoformat(), None
    except ValueError:
        return "", Problem(
            "CSC-E3208",
            "not a date",
            file=file,
            row=c.row,
            sheet=sheet,
            cell=c.cell,
            column=c.column,
            value=c.text,
            fix="write dates as YYYY-MM-DD",
        )
