"""Checking 903 text tables cell by cell, and typing them once they pass.

The checks: ``CHILD`` (and an episode's ``DECOM``, ``RNE``, ``LS``, ``PLACE``) not blank, dates
that are dates, codes in their lists (``PLACE`` by collection year; ``SEX`` in either coding,
with a warning for the other year's), and no episode ending before it starts. Dates are
``dd/mm/YYYY``; ISO ``YYYY-MM-DD`` is also read. Typing parses the dates and adds the canonical
``SEX`` (the code as given in ``SEX_RAW``) and ``PLACE_CANONICAL``.
"""

from __future__ import annotations

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


def _check(
    table: str, frame: pd.DataFrame, year: int | None, parsed: dict[str, pd.Series] | None = None
) -> list[Problem]:
    """The table's problems; the dates parsed on the way are kept in ``parsed`` (by column) so
    that typing does not parse them again."""
    out: list[Problem] = []
    dates = {} if parsed is None else parsed
    rows = frame["_row"].tolist()
    files = frame["_file"].tolist()

    def flag(mask: pd.Series, col: str, code: str, msg: str, fix: str, sev: str = "error") -> None:
        for i in mask.to_numpy().nonzero()[0][:_MAX_PROBLEMS]:
            out.append(
                _p(
                    code,
                    msg,
                    files[i],
                    int(rows[i]),
                    col,
                    str(frame[col].iat[i]),
                    fix,
                    severity=sev,
                )
            )

    for col in (*_REQUIRED_ALL, *REQUIRED.get(table, ())):
        if col in frame:
            flag(frame[col] == "", col, "CSC-E4106", f"{col} is blank", f"Fill in {col}.")
    for col in TABLES[table]:
        if col not in frame:
            continue
        values = frame[col]
        if col in DATE_COLUMNS:
            dates[col] = _parse_dates(values)
            bad = (values != "") & dates[col].isna()
            flag(bad, col, "CSC-E4104", f"{col} is not a date", "Write dates as dd/mm/YYYY.")
        elif col in CODE_LISTS and table != "reviews":
            bad = (values != "") & ~values.isin(CODE_LISTS[col])
            flag(
                bad,
                col,
                "CSC-E4105",
                f"{col} is not a valid {col} code",
                f"Use one of {', '.join(sorted(CODE_LISTS[col]))}.",
            )
        elif col == "PLACE":
            allowed = place_codes(year)
            when = f"in {year - 1}-{year % 100:02d}" if year else "in any year"
            flag(
                (values != "") & ~values.isin(allowed),
                col,
                "CSC-E4105",
                f"PLACE is not a placement code valid {when}",
                "Use a PLACE code from that year's 903 guidance.",
            )
        elif col == "SEX":
            flag(
                (values != "") & ~values.isin(SEX_CANONICAL),
                col,
                "CSC-E4105",
                "SEX is not 1/2 (to 2024) or M/F/U (from 2025)",
                "Use 1/2 or M/F/U.",
            )
            if year is not None:
                other = {"M", "F", "U"} if year <= 2024 else {"1", "2"}
                flag(
                    values.isin(other),
                    col,
                    "CSC-E4111",
                    f"SEX uses the coding of another year than {year}; read as M/F/U",
                    "",
                    "warning",
                )
    if table == "episodes" and {"DECOM", "DEC"} <= set(frame):
        start, end = dates["DECOM"], dates["DEC"]
        flag(
            end < start,
            "DEC",
            "CSC-E4109",
            "the episode ends (DEC) before it starts (DECOM)",
            "Correct DECOM or DEC.",
        )
    return out


def _parse_dates(values: pd.Series) -> pd.Series:
    """dd/mm/YYYY, else ISO YYYY-MM-DD; NaT where neither (or blank)."""
    uk = pd.to_datetime(values, format="%d/%m/%Y", errors="coerce")
    if not ((values != "") & uk.isna()).any():
        return uk
    iso = pd.to_datetime(values, format="%Y-%m-%d", errors="coerce")
    return uk.fillna(iso)


def _typed(
    table: str, frame: pd.DataFrame, parsed: dict[str, pd.Series] | None = None
) -> pd.DataFrame:
    frame = frame.copy()
    dates = parsed or {}
    for col in TABLES[table]:
        if col in DATE_COLUMNS:
            got = dates.get(col)
            frame[col] = got if got is not None else _parse_dates(frame[col].astype(str))
    if "SEX" in frame:
        frame["SEX_RAW"] = frame["SEX"]
        frame["SEX"] = frame["SEX"].map(SEX_CANONICAL).fillna("")
    if "PLACE" in frame:
        frame["PLACE_CANONICAL"] = frame["PLACE"].map(PLACE_CANONICAL).fillna(frame["PLACE"])
    keep = [c for c in frame.columns if not c.startswith("_")]
    return frame[keep].reset_index(drop=True)


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
