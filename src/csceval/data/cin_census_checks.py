"""Typing the flattened CIN census tables, checking each value as it is converted.

Dates are ``YYYY-MM-DD``: one that is not a date is an error, a real date outside pandas' range
(1678-2261) a warning and read as blank. A column of blanks and plain dates (the usual case) is
parsed in one go by numpy; any other value sends the column through the checked path, which
parses and reports value by value, so the fast path changes speed, not what is accepted.
Flags written ``true``/``false`` rather than ``1``/``0``
and counts that are not whole numbers (``abc``, ``1.5``, ``inf``, beyond int64) are warnings
(one per distinct value), the flag read where possible, the count read as blank; generated ids
become integers.

Speed (issue 24): each column is typed before its frame is built, and the frame is built once
from the typed columns (no column replaced in a frame). Date and flag columns are checked and
parsed on their distinct values (``pd.factorize``; a census column has a few hundred distinct
dates among thousands of rows), then spread back by the codes: the same test and the same
parse as value by value, so the same result. A flag column with any value but a blank, ``0``
or ``1`` takes the checked path, as before.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import numpy as np
import pandas as pd

from csceval.data.cin_census_flatten import _Flattener
from csceval.data.cin_census_schema import _FLAGS, DATE_FIELDS, FLAG_FIELDS, TABLES

_MAX_ERRORS = 200


def _table(table: str, columns: list[list[str | int]], flat: _Flattener) -> pd.DataFrame:
    """The table's frame: each column typed and checked (problems go to ``flat``)."""
    lines = flat.lines[table]
    typed = {}
    for col, cells in zip(TABLES[table], columns, strict=True):
        typed[col] = _typed(col, np.array(cells, dtype=object), lines, flat)
    return pd.DataFrame(typed, columns=list(TABLES[table]), copy=False)


def _typed(col: str, raw: np.ndarray, lines: list[int], flat: _Flattener) -> Any:
    """One column typed: dates, flags, counts, generated ids; other columns stay text."""
    if col in DATE_FIELDS:
        plain = _plain_dates(raw)
        if plain is not None:
            return plain
        values = pd.Series(raw, name=col)
        parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
        parsed = parsed.where(values.str.fullmatch(_ISO_DATE))  # pandas reads "today"
        bad = (values != "") & parsed.isna()
        for i in bad.to_numpy().nonzero()[0][:_MAX_ERRORS]:
            if _calendar_date(str(values.iat[i])):
                flat.problem(
                    "CSC-E4127",
                    f"{col} is a date outside 1678-2261; read as blank",
                    lines[i],
                    col,
                    str(values.iat[i]),
                    severity="warning",
                )
            else:
                flat.problem(
                    "CSC-E4124",
                    f"{col} is not a date",
                    lines[i],
                    col,
                    str(values.iat[i]),
                    "Write dates as YYYY-MM-DD.",
                )
        return parsed
    if col in FLAG_FIELDS:
        codes, uniques = pd.factorize(raw)
        if all(u in _PLAIN_FLAGS for u in uniques):  # no warning: typed on the distinct values
            return pd.Series(uniques, dtype=object).map(_FLAGS).astype("boolean").array.take(codes)
        values = pd.Series(raw, name=col)
        lowered = values.str.lower()
        _warn_where(
            flat,
            lines,
            col,
            values,
            ~lowered.isin(["", "0", "1"]),
            f"{col} should be 0 or 1; read as a flag where possible",
        )
        return lowered.map(_FLAGS).astype("boolean")
    if col in ("NumberOfPreviousCPP", "ReviewMeetingsCount"):
        values = pd.Series(raw, name=col)
        numbers = pd.to_numeric(values.where(values != ""), errors="coerce")
        whole = _whole(numbers)
        _warn_where(
            flat,
            lines,
            col,
            values,
            (values != "") & (numbers.isna() | ~whole),
            f"{col} is not a whole number; read as blank",
        )
        if whole.all():
            return numbers.astype("Int64")
        return pd.array(
            [int(x) if w and pd.notna(x) else pd.NA for x, w in zip(numbers, whole, strict=True)],
            dtype="Int64",
        )
    if col.endswith("ID") and col != "LAchildID":
        return pd.to_numeric(pd.Series(raw, name=col)).astype("int64")
    return raw


_ISO_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_COLUMN = re.compile(f"(?:{_ISO_DATE})?(?:\n(?:{_ISO_DATE})?)*")
_IN_RANGE = (np.datetime64("1678-01-01"), np.datetime64("2261-12-31"))
_PLAIN_FLAGS = frozenset({"", "0", "1"})


def _plain_dates(raw: np.ndarray) -> np.ndarray | None:
    """A column of blanks and valid ``YYYY-MM-DD`` dates in pandas' range, parsed by numpy;
    None for anything else, which the checked path parses and reports value by value. (numpy
    alone would accept ``2019``, ``today`` or ``2019-03-01T00``: the pattern rules them out.)
    Tested and parsed on the distinct values, spread back by their codes."""
    codes, uniques = pd.factorize(raw)
    try:
        joined = "\n".join(uniques)
        if joined.count("\n") != max(len(uniques) - 1, 0) or not _ISO_COLUMN.fullmatch(joined):
            return None
        days = uniques.astype("datetime64[D]")
    except (TypeError, ValueError):  # not text; a day that does not exist (2019-02-30)
        return None
    known = days[~np.isnat(days)]
    if len(known) and (known.min() < _IN_RANGE[0] or known.max() > _IN_RANGE[1]):
        return None
    return days.astype("datetime64[ns]").take(codes)


def _whole(numbers: pd.Series) -> pd.Series:
    """Where a count is blank or a whole number that fits int64 (``1.5``, ``inf``, ``1e40``
    do not: read as blank with a warning, as text that is not a number)."""
    if numbers.dtype == np.int64:
        return pd.Series(True, index=numbers.index)
    if numbers.dtype == np.float64:
        x = numbers.to_numpy()
        with np.errstate(invalid="ignore"):
            fits = np.isfinite(x) & (x == np.floor(x)) & (x >= -(2.0**63)) & (x < 2.0**63)
        return pd.Series(np.isnan(x) | fits, index=numbers.index)
    return numbers.map(_whole_value).astype(bool)


def _whole_value(v: Any) -> bool:
    try:
        return bool(pd.isna(v) or (v == int(v) and -(2**63) <= v < 2**63))
    except (TypeError, ValueError, OverflowError):
        return False


def _calendar_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _warn_where(
    flat: _Flattener, lines: list[int], col: str, values: pd.Series, mask: pd.Series, msg: str
) -> None:
    seen: set[str] = set()
    for i in mask.to_numpy().nonzero()[0]:
        value = str(values.iat[i])
        if value not in seen:  # one warning per distinct value
            seen.add(value)
            flat.problem("CSC-E4127", msg, lines[i], col, value, severity="warning")
