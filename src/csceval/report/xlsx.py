"""All the report's tables as one workbook: a Contents sheet, then one sheet per table.

Numbers are written as numbers (the published ``values``, formatted to the published decimal
places) and symbols as text (the published ``cells``). The file is deterministic: fixed
document dates and fixed zip entry timestamps, so the same report gives the same bytes (with
the same zlib).
"""

from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Iterable
from datetime import datetime
from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.writer.excel import ExcelWriter

from csceval.disclosure import ColumnRole
from csceval.formula_injection import neutralise
from csceval.report.model import CORE_SYMBOLS, SYMBOL_MEANINGS, Report, TableBlock
from csceval.report.views import column_heading, sentence

FIXED_TIME = datetime(2000, 1, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
CONTENTS = "Contents"
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_RULE = Border(bottom=Side(style="thin"))


def sheet_names(titles: Iterable[str]) -> list[str]:
    """A human sheet name for each table title, in order: its number in the Contents list and
    the title's first words, at most 31 characters, without the characters Excel refuses;
    unique because numbered."""
    names = []
    for n, title in enumerate(titles, start=1):
        words = _FORBIDDEN.sub(" ", title).replace("'", "").split()
        name = str(n)
        for word in words:
            if len(name) + 1 + len(word) > 31:
                break
            name += " " + word
        names.append(name if name != str(n) else f"{n} {' '.join(words)}"[:31].rstrip())
    return names


def _text(cell: Any, value: str) -> None:
    cell.value = neutralise(value)
    cell.data_type = "s"  # never a formula, whatever the text starts with


def _number_format(text: str) -> str:
    decimals = len(text.partition(".")[2])
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _symbol_lines(blocks: Iterable[TableBlock]) -> list[str]:
    used = {str(v) for b in blocks for v in b.table.cells.to_numpy().ravel().tolist()}
    return [
        f"{s} = {meaning}"
        for s, meaning in SYMBOL_MEANINGS.items()
        if s in CORE_SYMBOLS or s in used
    ]


def _table_sheet(ws: Any, block: TableBlock, symbols: list[str]) -> None:
    spec, cells, values = block.table.spec, block.table.cells, block.table.values
    _text(ws.cell(row=1, column=1), block.title)
    ws.cell(row=1, column=1).font = _TITLE
    row = 2
    if block.caption:
        _text(ws.cell(row=row, column=1), block.caption)
        row += 1
    header = row
    widths = []
    for j, col in enumerate(spec.columns, start=1):
        title = column_heading(col)
        cell = ws.cell(row=header, column=j)
        _text(cell, title)
        cell.font, cell.border = _BOLD, _RULE
        numeric = col.role is not ColumnRole.LABEL
        cell.alignment = Alignment(
            wrap_text=True, vertical="bottom", horizontal="right" if numeric else "left"
        )
        width = min(len(title), 30)
        for i in range(len(cells)):
            raw = cells[col.name].iloc[i]
            text = "" if not isinstance(raw, str) else raw
            width = max(width, len(text))
            if not text:
                continue
            target = ws.cell(row=header + 1 + i, column=j)
            value = float(values[col.name].iloc[i]) if col.name in values else math.nan
            if numeric and math.isfinite(value):
                target.value = int(value) if value.is_integer() and "." not in text else value
                target.number_format = _number_format(text)
            else:
                _text(target, text)
                if numeric:
                    target.alignment = Alignment(horizontal="right")
        widths.append(width)
    for j, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(8, min(width + 3, 60))
    ws.freeze_panes = ws.cell(row=header + 1, column=1).coordinate
    row = header + len(cells) + 2
    notes = ([f"Source: {sentence(block.source)}"] if block.source else []) + list(block.notes)
    for line in [*notes, "Symbols:", *symbols]:
        _text(ws.cell(row=row, column=1), line)
        row += 1
    link = ws.cell(row=row + 1, column=1)
    link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{CONTENTS}'!A1")
    _text(link, "Back to contents")
    link.style = "Hyperlink"


def build_workbook(report: Report) -> Workbook:
    """The workbook in memory."""
    wb = Workbook()
    wb.properties.created = wb.properties.modified = FIXED_TIME
    wb.properties.creator = "csceval"
    wb.properties.title = report.title
    contents = wb.active
    contents.title = CONTENTS
    blocks = [t for _, t in report.tables]
    symbols = _symbol_lines(blocks)
    names = dict(zip((b.id for b in blocks), sheet_names(b.title for b in blocks), strict=True))
    lines = [line for line in (report.title, report.subtitle) if line]
    if report.synthetic:
        lines.append("SYNTHETIC DATA: every number in this workbook was simulated.")
    for r, line in enumerate(lines, start=1):
        _text(contents.cell(row=r, column=1), line)
    contents["A1"].font = _TITLE
    header = len(lines) + 2
    for j, title in enumerate(("Sheet", "Table", "Section"), start=1):
        cell = contents.cell(row=header, column=j)
        _text(cell, title)
        cell.font, cell.border = _BOLD, _RULE
    for r, (section, block) in enumerate(report.tables, start=header + 1):
        name = names[block.id]
        link = contents.cell(row=r, column=1)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{name}'!A1")
        _text(link, name)
        link.style = "Hyperlink"
        _text(contents.cell(row=r, column=2), block.title)
        _text(contents.cell(row=r, column=3), section.title)
        _table_sheet(wb.create_sheet(name), block, symbols)
    row = header + len(blocks) + 2
    for line in ["Symbols used in the tables:", *symbols]:
        _text(contents.cell(row=row, column=1), line)
        row += 1
    for col, width in zip("ABC", (34, 70, 40), strict=True):
        contents.column_dimensions[col].width = width
    return wb


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite the archive with fixed timestamps and attributes, keeping entry order."""
    out = BytesIO()
    with (
        zipfile.ZipFile(BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.create_system = 3
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def xlsx_bytes(report: Report) -> bytes:
    """The workbook as the bytes of an .xlsx file."""
    buffer = BytesIO()
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(build_workbook(report), archive).save()  # unlike save(), keeps our dates
    return _normalise_zip(buffer.getvalue())
