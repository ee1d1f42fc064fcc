"""Reading an uploaded return: every problem at once, or the values; never half of them.

Safety (SEC-E5): the upload is limited in size; it must be a zip whose entries are few, small
when unpacked and not compressed beyond a plausible ratio (zip bombs) before openpyxl sees it;
openpyxl reads it in read-only mode, values only (formulas are not evaluated), and only the rows
and columns the template has (plus one to detect extra rows) are read.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from openpyxl import load_workbook

from csceval.web.returns import layout
from csceval.web.returns.models import period_label
from csceval.web.returns.upload_cells import ParsedReturn, _Reader, _text
from csceval.web.returns.upload_costs import _costs
from csceval.web.returns.upload_indicators import _indicators

__all__ = [
    "MAX_ENTRIES",
    "MAX_RATIO",
    "MAX_UNPACKED_BYTES",
    "MAX_UPLOAD_BYTES",
    "XLSX_CONTENT_TYPES",
    "ParsedReturn",
    "read_upload",
]

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


def _check_zip(reader: _Reader, data: bytes) -> bool:
    if not data.startswith(b"PK\x03\x04"):
        reader.problem("CSC-E6101", "The file is not an Excel workbook (.xlsx)")
        return False
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, NotImplementedError):
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
    except Exception:  # a damaged sheet (bad XML, cells) is the user's file, found while reading
        reader.problem(
            "CSC-E6101",
            "The workbook is damaged and cannot be read: save it again from Excel, or fill in a "
            "new template",
        )
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
