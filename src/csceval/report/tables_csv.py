"""Each published table as a CSV file: the printed cells (numbers and symbols), UTF-8.

Every cell goes through :func:`csceval.formula_injection.neutralise` (OWASP CSV injection; a
cell that reads as a number, ``-0.44``, is left as it is).
"""

from __future__ import annotations

import csv
import io
import math

from csceval.formula_injection import neutralise
from csceval.report.model import TableBlock


def safe_cell(value: object) -> str:
    """A published cell as CSV text a spreadsheet will not run as a formula."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(neutralise(str(value)))


def table_csv(block: TableBlock) -> str:
    """The table's published cells as CSV text, with the column names as the header."""
    names = list(block.column_names)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_cell(n) for n in names])
    for row in block.table.cells[names].itertuples(index=False, name=None):
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue()
