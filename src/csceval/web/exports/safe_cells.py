"""Cells safe to open in a spreadsheet: every CSV and XLSX the platform writes passes here.

Text that a spreadsheet would run as a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return) gets a leading quote (:mod:`csceval.formula_injection`, OWASP's
CSV-injection guidance; text that reads as a number is left alone). In XLSX every cell that still
holds a formula is turned into a string cell before saving, so an export never contains a live
formula whatever a caller passed.
"""

from __future__ import annotations

from openpyxl import Workbook

from csceval.formula_injection import neutralise

safe_cell = neutralise
"""``value`` fit for a CSV or XLSX cell: :func:`csceval.formula_injection.neutralise`."""


def no_formulas(workbook: Workbook) -> Workbook:
    """``workbook`` with every formula cell (text starting with ``=``) made a string cell."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.value = safe_cell(str(cell.value))
                    cell.data_type = "s"
    return workbook
