"""Each published table as a CSV file: the printed cells (numbers and symbols), UTF-8."""

from __future__ import annotations

import csv
import io
import math

from csceval.report.model import TableBlock

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    """Text a spreadsheet will not run as a formula (OWASP CSV injection); numbers unchanged."""
    if text.startswith(_FORMULA_START):
        try:
            float(text)
        except ValueError:
            return "'" + text
    return text


def table_csv(block: TableBlock) -> str:
    """The table's published cells as CSV text, with the column names as the header."""
    names = list(block.column_names)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(names)
    for row in block.table.cells[names].itertuples(index=False, name=None):
        writer.writerow(
            [
                "" if v is None or (isinstance(v, float) and math.isnan(v)) else _safe(str(v))
                for v in row
            ]
        )
    return buffer.getvalue()
