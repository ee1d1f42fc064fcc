"""Spreadsheet formula injection (CSV injection): text that a spreadsheet would run as a formula.

A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)`` exfiltrates, ``=cmd|...``
runs a program on old Excel). Following OWASP's CSV-injection guidance, every such text cell is
prefixed with a single quote, which spreadsheets show as text; numbers are never touched, so a
negative number stays a number. In XLSX a neutralised value no longer begins with ``=``, so
openpyxl stores it as a string cell, never as a formula.

Methodological choices: text that reads as a number (``-4``, ``+1.5``, ``-2e3``) is left alone,
since CSV holds every number as text and spreadsheets read those as numbers, never formulas
(quoting them would turn a column of negative numbers into text for R, pandas and Excel alike);
so is a lone trigger character (``-`` as a placeholder runs nothing).

Every writer of CSV or XLSX (report tables and workbooks, web exports, audit CSVs) passes its
text through :func:`neutralise`; the tests plant each pattern and read the files back.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (OWASP)."""

QUOTE = "'"
_NUMBER = re.compile(r"[+-]([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")


def is_dangerous(text: str) -> bool:
    """Whether ``text`` would be read as a formula by a spreadsheet."""
    return text.startswith(TRIGGERS)


def neutralise(value: Any) -> Any:
    """``value`` safe to write into a spreadsheet cell: dangerous text gets a leading quote.

    Only ``str`` values change; numbers (and text that reads as one), dates, booleans and
    missing values pass through.
    """
    if not isinstance(value, str) or len(value) < 2 or not is_dangerous(value):
        return value
    if value[0] in "+-" and _NUMBER.fullmatch(value):
        return value
    return QUOTE + value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and column name) neutralised."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column].dtype):
            out[column] = out[column].map(neutralise)
    out.columns = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    return out
