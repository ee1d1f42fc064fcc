"""Typing the flattened CIN census tables, checking each value as it is converted.

Dates are ``YYYY-MM-DD``: one that is not a date is an error, a real date outside pandas' range
(1678-2261) a warning and read as blank. Flags written ``true``/``false`` rather than ``1``/``0``
and counts that are not whole numbers are warnings (one per distinct value), the value read
where possible; generated ids become integers.
"""

from __future__ import annotations

import datetime

import pandas as pd

from csceval.data.cin_census_flatten import _Flattener
from csceval.data.cin_census_schema import _FLAGS, DATE_FIELDS, FLAG_FIELDS

_MAX_ERRORS = 200


def _convert(table: str, frame: pd.DataFrame, lines: list[int], flat: _Flattener) -> None:
    for col in frame.columns:
        values = frame[col]
        if col in DATE_FIELDS:
            parsed = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
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
