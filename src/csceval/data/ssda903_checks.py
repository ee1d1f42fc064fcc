"""Checking 903 text tables cell by cell, and typing them once they pass.

The checks: ``CHILD`` (and an episode's ``DECOM``, ``RNE``, ``LS``, ``PLACE``) not blank, dates
that are dates, codes in their lists (``PLACE`` by collection year; ``SEX`` in either coding,
with a warning for the other year's), and no episode ending before it starts. Dates are
``dd/mm/YYYY``; ISO ``YYYY-MM-DD`` is also read. Typing parses the dates and adds the canonical
``SEX`` (the code as given in ``SEX_RAW``) and ``PLACE_CANONICAL``.

A text table is a dict of column -> cells (plus ``_row`` and ``_file`` for the problems), not a
DataFrame: a return is many small tables, and per-column pandas calls on them cost more than the
reading. A code check compares the column's distinct values with its list (a row mask is built
only when some value is not in it), and a column of blanks and plain ``dd/mm/YYYY`` dates is
parsed by numpy; any other date column goes through pandas (``%d/%m/%Y``, then ISO), so the
dates, NaTs and problems are those pandas gives. The DataFrame is built once, when typing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from csceval.data.ssda903_codes import (
    _REQUIRED_ALL,
    CODE_LISTS,
    DATE_COLUMNS,
    PLACE_CANONICAL,
    REQUIRED,
    SEX_CANONICAL,
    TABLES,
    place_codes,
)
from csceval.errors import Problem

_MAX_PROBLEMS = 200
TextTable = dict[str, Sequence[str]]
"""Column -> cells (text), with ``_row`` (line) and ``_file`` for each row."""


def _where(values: Sequence[str], among: Collection[str]) -> np.ndarray | None:
    """Mask of the cells whose value is in ``among``; None when there is none."""
    hit = set(among).intersection(values)
    if not hit:
        return None
    return np.fromiter((v in hit for v in values), bool, len(values))


def _outside(values: Sequence[str], allowed: Collection[str]) -> np.ndarray | None:
    """Mask of the non-blank cells whose value is not in ``allowed``; None when there is none."""
    return _where(values, set(values).difference(allowed, ("",)))


def _check(
    table: str, cols: TextTable, year: int | None, parsed: dict[str, np.ndarray] | None = None
) -> list[Problem]:
    """The table's problems; the dates parsed on the way are kept in ``parsed`` (by column) so
    that typing does not parse them again."""
    out: list[Problem] = []
    dates = {} if parsed is None else parsed
    rows, files = cols["_row"], cols["_file"]

    def flag(
        mask: np.ndarray | None, col: str, code: str, msg: str, fix: str, sev: str = "error"
    ) -> None:
        if mask is None:
            return
        values = cols[col]
        for i in mask.nonzero()[0][:_MAX_PROBLEMS]:
            out.append(
                _p(code, msg, files[i], int(rows[i]), col, str(values[i]), fix, severity=sev)
            )

    for col in (*_REQUIRED_ALL, *REQUIRED.get(table, ())):
        if col in cols:
            flag(_where(cols[col], ("",)), col, "CSC-E4106", f"{col} is blank", f"Fill in {col}.")
    for col in TABLES[table]:
        if col not in cols:
            continue
        values = cols[col]
        if col in DATE_COLUMNS:
            dates[col] = _parse_dates(values)
            nat = np.isnat(dates[col])
            bad = nat & (np.asarray(values, dtype=object) != "") if nat.any() else None
            flag(bad, col, "CSC-E4104", f"{col} is not a date", "Write dates as dd/mm/YYYY.")
        elif col in CODE_LISTS and table != "reviews":
            flag(
                _outside(values, CODE_LISTS[col]),
                col,
                "CSC-E4105",
                f"{col} is not a valid {col} code",
                f"Use one of {', '.join(sorted(CODE_LISTS[col]))}.",
            )
        elif col == "PLACE":
            when = f"in {year - 1}-{year % 100:02d}" if year else "in any year"
            flag(
                _outside(values, place_codes(year)),
                col,
                "CSC-E4105",
                f"PLACE is not a placement code valid {when}",
                "Use a PLACE code from that year's 903 guidance.",
            )
        elif col == "SEX":
            flag(
                _outside(values, SEX_CANONICAL),
                col,
                "CSC-E4105",
                "SEX is not 1/2 (to 2024) or M/F/U (from 2025)",
                "Use 1/2 or M/F/U.",
            )
            if year is not None:
                other = {"M", "F", "U"} if year <= 2024 else {"1", "2"}
                flag(
                    _where(values, other),
                    col,
                    "CSC-E4111",
                    f"SEX uses the coding of another year than {year}; read as M/F/U",
                    "",
                    "warning",
                )
    if table == "episodes" and {"DECOM", "DEC"} <= cols.keys():
        early = dates["DEC"] < dates["DECOM"]  # NaT compares False
        flag(
            early if early.any() else None,
            "DEC",
            "CSC-E4109",
            "the episode ends (DEC) before it starts (DECOM)",
            "Correct DECOM or DEC.",
        )
    return out


_DIGIT = np.array([c.isdigit() for c in "00/00/0000?"])
"""Where ``dd/mm/YYYY`` has digits (the rest: the slashes, and nothing in an eleventh place)."""


def _plain_dates(values: Sequence[str]) -> np.ndarray | None:
    """Text cells that are all blank or a real date written exactly ``dd/mm/YYYY`` from 1678 to
    2261 (inside pandas' range), as datetime64[ns] (blank: NaT), checked and parsed by numpy on
    the characters' codes; None for anything else (``1/2/2019``, ISO, ``31/02/2019``, a padded
    or NUL cell), which :func:`_parse_dates` leaves to pandas."""
    n = len(values)
    try:
        if "\x00" in "".join(values):  # numpy would drop a trailing NUL
            return None
    except TypeError:  # not text
        return None
    codes = np.array(values, dtype="U11").view(np.int32).reshape(n, 11)
    blank = codes[:, 0] == 0
    filled = codes[~blank]
    d = filled - 48
    shape_ok = np.where(_DIGIT, (d >= 0) & (d <= 9), filled == ord("/"))
    shape_ok[:, 10] = filled[:, 10] == 0  # no eleventh character
    if not shape_ok.all():
        return None
    day, month = d[:, 0] * 10 + d[:, 1], d[:, 3] * 10 + d[:, 4]
    year = d[:, 6] * 1000 + d[:, 7] * 100 + d[:, 8] * 10 + d[:, 9]
    if ((month < 1) | (month > 12) | (day < 1) | (year < 1678) | (year > 2261)).any():
        return None
    start = ((year - 1970) * 12 + month - 1).astype("datetime64[M]")
    first = start.astype("datetime64[D]")
    if (day > ((start + 1).astype("datetime64[D]") - first).astype(np.int64)).any():
        return None  # 31/04, 29/02 of a common year
    days = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    days[~blank] = first + (day - 1)
    return days


def _parse_dates(values: Sequence[str]) -> np.ndarray:
    """dd/mm/YYYY, else ISO YYYY-MM-DD; NaT where neither (or blank).

    Only cells of digits, ``/`` and ``-`` reach pandas: with any format it reads ``today`` and
    ``now`` as the clock's time, which would pass the checks as a real date."""
    plain = _plain_dates(values)
    if plain is not None:
        return plain
    text = pd.Series(values, dtype=object)
    text = text.where(text.str.fullmatch(r"[0-9/-]*").fillna(False).astype(bool), "?")
    uk = pd.to_datetime(text, format="%d/%m/%Y", errors="coerce")
    if ((text != "") & uk.isna()).any():
        uk = uk.fillna(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))
    return uk.to_numpy(dtype="datetime64[ns]")


def _objects(values: Sequence[str]) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _typed(
    table: str, cols: TextTable, parsed: dict[str, np.ndarray] | None = None
) -> pd.DataFrame:
    """The table as a DataFrame: its columns in the DfE order, dates as datetime64, then
    ``SEX_RAW`` and ``PLACE_CANONICAL`` where the table has ``SEX`` and ``PLACE``."""
    dates = parsed or {}
    data: dict[str, np.ndarray] = {}
    for col in TABLES[table]:
        if col not in cols:
            continue
        if col in DATE_COLUMNS:
            got = dates.get(col)
            data[col] = got if got is not None else _parse_dates(cols[col])
        else:
            data[col] = _objects(cols[col])
    if "SEX" in cols:
        data["SEX_RAW"] = data["SEX"]
        data["SEX"] = _objects([SEX_CANONICAL.get(v, "") for v in cols["SEX"]])
    if "PLACE" in cols:
        data["PLACE_CANONICAL"] = _objects([PLACE_CANONICAL.get(v, v) for v in cols["PLACE"]])
    return pd.DataFrame(data, index=pd.RangeIndex(len(cols["_row"])))


def _p(
    code: str,
    message: str,
    file: str,
    row: int | None,
    column: str,
    value: str,
    fix: str = "",
    severity: str = "error",
) -> Problem:
    return Problem(
        code, message, file=file, row=row, column=column, value=value, fix=fix, severity=severity
    )
