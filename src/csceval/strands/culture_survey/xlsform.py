"""Read and write survey instruments as XLSForm workbooks (ODK, KoboToolbox, SurveyCTO).

The reader is bounded (size, sheets, rows and columns checked before anything is kept) and
reads only cell values (``openpyxl``, read-only, no formulas evaluated). Header cells are
matched without regard to case or surrounding spaces. Labels: a ``label`` column, or else the
first ``label::<language>`` column as KoboToolbox writes them (an English one preferred).
Columns the reader does not know (``hint``, ``$kuid``, ``$autoname``, ``constraint`` ...) are
ignored, so a form designed in KoboToolbox loads unchanged once the ``subscale`` (and where
needed ``reverse``) column is added.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from csceval.errors import InputError, Problem
from csceval.strands.culture_survey.instrument import Instrument, build_instrument, default_rows
from csceval.xlsx_reader import XlsxLimits, open_workbook

MAX_BYTES = 5_000_000
MAX_ROWS = 5_000
MAX_SCANNED = 50_000
"""Rows read at most per sheet, empty ones included (trailing empty rows are dropped)."""
MAX_COLUMNS = 100
SHEETS = ("survey", "choices", "settings", "subscales")


def _header(cell: object) -> str:
    return "" if cell is None else str(cell).strip().lower()


def _label_column(headers: list[str]) -> str | None:
    if "label" in headers:
        return "label"
    localised = [h for h in headers if h.startswith("label::")]
    english = [h for h in localised if "english" in h or h.endswith("(en)")]
    found = english or localised
    return found[0] if found else None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(values: Iterable[tuple[object, ...]], file: str, sheet: str) -> list[dict[str, str]]:
    iterator = iter(values)
    headers = [_header(c) for c in next(iterator, ())][:MAX_COLUMNS]
    label = _label_column(headers)
    rows: list[dict[str, str]] = []
    filled = last = 0
    for number, raw in enumerate(iterator, start=2):
        row = {h: _cell(v) for h, v in zip(headers, raw, strict=False) if h}
        if any(row.values()):
            filled, last = filled + 1, number - 1
        if filled > MAX_ROWS or number > MAX_SCANNED:
            message = f"Sheet {sheet!r} has over {MAX_ROWS} rows."
            fix = "Remove stray rows from the sheet."
            problem = Problem("CSC-E3401", message, file=file, sheet=sheet, fix=fix)
            raise InputError([problem])
        if label and label != "label":
            row["label"] = row.get(label, "")
        rows.append(row)
    return rows[:last]


def read_xlsform(data: bytes, file: str = "culture_survey.xlsx") -> Instrument:
    """Parse an XLSForm workbook's bytes into an :class:`Instrument` (InputError on problems)."""
    limits = XlsxLimits(max_bytes=MAX_BYTES, max_rows=5_000, max_columns=100)
    with open_workbook(data, file=file, limits=limits, unreadable_code="CSC-E3401") as book:
        names = {n.strip().lower(): n for n in book.sheet_names}
        missing = [s for s in ("survey", "choices") if s not in names]
        if missing:
            raise InputError(
                [
                    Problem(
                        "CSC-E3402",
                        f"The workbook has no {s!r} sheet.",
                        file=file,
                        sheet=s,
                        fix="Add the sheet (XLSForm layout).",
                    )
                    for s in missing
                ]
            )
        sheets = {s: _rows(book.sheet(names[s]).rows, file, s) for s in SHEETS if s in names}
    problems = [
        Problem(
            "CSC-E3402",
            f"Sheet {sheet!r} has no {column!r} column.",
            file=file,
            sheet=sheet,
            row=1,
            column=column,
            fix="Add the column to the header row.",
        )
        for sheet, column in (
            ("survey", "type"),
            ("survey", "name"),
            ("choices", "list_name"),
            ("choices", "name"),
        )
        if sheets[sheet] and column not in sheets[sheet][0]
    ]
    if problems:
        raise InputError(problems)
    settings = sheets.get("settings") or [{}]
    return build_instrument(
        sheets["survey"], sheets["choices"], settings[0], sheets.get("subscales", []), file=file
    )


def parse_instrument_file(data: bytes, path: str) -> Instrument:
    """The declared project file ``culture_survey.xlsx`` (ProjectFile.parse)."""
    return read_xlsform(data, path)


def default_xlsform(label_column: str = "label::English (en)") -> bytes:
    """The open default instrument as an XLSForm workbook in KoboToolbox's layout.

    An evaluation edits this (or its licensed form) and saves it as ``culture_survey.xlsx``.
    """
    from openpyxl import Workbook

    data = default_rows()
    book = Workbook()
    layouts = {
        "survey": ["type", "name", label_column, "required", "relevant", "subscale", "reverse"],
        "choices": ["list_name", "name", label_column],
        "settings": ["form_title", "form_id", "version"],
        "subscales": ["name", "label"],
    }
    for index, (sheet, headers) in enumerate(layouts.items()):
        ws = book.active if index == 0 else book.create_sheet()
        assert ws is not None
        ws.title = sheet
        ws.append(headers)
        listed = data.get(sheet, [])
        rows = [listed] if isinstance(listed, dict) else listed
        assert isinstance(rows, list)
        for row in rows:
            key = {label_column: "label"}
            ws.append([str(row.get(key.get(h, h), "")) for h in headers])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
