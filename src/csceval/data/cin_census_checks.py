"""Typing the flattened CIN census tables, checking each value as it is converted.

Dates are ``YYYY-MM-DD``: one that is not a date is an error, a real date outside pandas' range
(1678-2261) a warning and read as blank. A column of blanks and plain dates (the usual case) is
parsed in one go by numpy; any other value sends the column through the checked path, which
parses and reports value by value, so the fast path changes speed, not what is accepted.
Flags written ``true``/``false`` rather than ``1``/``0``
and counts that are not whole numbers are warnings (one per distinct value), the value read
where possible; generated ids become integers.
"""

from __future__ import annotations

import datetime
import re

import numpy as np
import pandas as pd

from csceval.data.cin_census_flatten import _Flattener
from csceval.data.cin_census_schema import _FLAGS, DATE_FIELDS, FLAG_FIELDS

_MAX_ERRORS = 200


def _convert(table: str, frame: pd.DataFrame, lines: list[int], flat: _Flattener) -> None:
    for col in frame.columns:
        values = frame[col]
        if col in DATE_FIELDS:
            plain = _plain_dates(values)
            if plain is not None:
                frame[col] = plain
                continue
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
            frame[col] = parsed
        elif col in FLAG_FIELDS:
            lowered = values.str.lower()
            _warn_where(
                flat,
                lines,
                col,
                values,
                ~lowered.isin(["", "0", "1"]),
                f"{col} should be 0 or 1; read as a flag where possible",
            )
            frame[col] = lowered.map(_FLAGS).astype("boolean")
        elif col in ("NumberOfPreviousCPP", "ReviewMeetingsCount"):
            numbers = pd.to_numeric(values.where(values != ""), errors="coerce")
            _warn_where(
                flat,
                lines,
                col,
                values,
                (values != "") & numbers.isna(),
                f"{col} is not a whole number; read as blank",
            )
            frame[col] = numbers.astype("Int64")
        elif col.endswith("ID") and col != "LAchildID":
            frame[col] = pd.to_numeric(values).astype("int64")


_ISO_DATE = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
_ISO_COLUMN = re.compile(f"(?:{_ISO_DATE})?(?:\n(?:{_ISO_DATE})?)*")
_IN_RANGE = (np.datetime64("1678-01-01"), np.datetime64("2261-12-31"))


def _plain_dates(values: pd.Series) -> pd.Series | None:
    """A column of blanks and valid ``YYYY-MM-DD`` dates in pandas' range, parsed by numpy;
    None for anything else, which the checked path parses and reports value by value. (numpy
    alone would accept ``2019``, ``today`` or ``2019-03-01T00``: the pattern rules them out.)"""
    raw = values.to_numpy(dtype=object)
    try:
        joined = "\n".join(raw)
        if joined.count("\n") != max(len(raw) - 1, 0) or not _ISO_COLUMN.fullmatch(joined):
            return None
        days = raw.astype("datetime64[D]")
    except (TypeError, ValueError):  # not text; a day that does not exist (2019-02-30)
        return None
    known = days[~np.isnat(days)]
    if len(known) and (known.min() < _IN_RANGE[0] or known.max() > _IN_RANGE[1]):
        return None
    return pd.Series(days.astype("datetime64[ns]"), index=values.index, name=values.name)


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
