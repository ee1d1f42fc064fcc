"""Spreadsheet formula injection (CSV injection): text that a spreadsheet would run as a formula.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)`` exfiltrates, ``=cmd|...``
runs a program on old Excel). Following OWASP's CSV-injection guidance, every such text cell is
prefixed with a single quote, which spreadsheets show as text; numbers are never touched, so a
negative number stays a number. In XLSX a neutralised value no longer begins with ``=``, so
openpyxl stores it as a string cell, never as a formula.

Every writer of CSV or XLSX (report tables and workbooks, web exports, audit CSVs) passes its
text through :func:`neutralise`; the tests plant each pattern and read the files back.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (OWASP)."""

QUOTE = "'"


def is_dangerous(text: str) -> bool:
    """Whether ``text`` would be read as a formula by a spreadsheet."""
    return text.startswith(TRIGGERS)


def neutralise(value: Any) -> Any:
    """``value`` safe to write into a spreadsheet cell: dangerous text gets a leading quote.

    Only ``str`` values change; numbers, dates, booleans and missing values pass through.
    """
    if isinstance(value, str) and is_dangerous(value):
        return QUOTE + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out
