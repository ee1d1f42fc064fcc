"""The framework register read as at a date, converted from the older scoping table, checked.

The register (``data/framework_register.csv``, :data:`~csceval.project.tables.FRAMEWORK_REGISTER`)
holds one row per episode: an LA using a framework from ``started`` to ``ended`` (inclusive;
empty ``started`` means since before the records, empty ``ended`` still in use). These functions
are pure: they take and return tables.

Notes
-----
- :func:`register_as_at` is the register on one day: the episodes in use that day. With
  ``history=True`` it also keeps the episodes that ended before it (everything begun by then),
  which is what comparator choice needs: an LA that used the framework and stopped is
  contaminated all the same, so it is not a clean control.
- ``recorded`` (when a row was recorded) is kept for audit; "as at" reads the dates of use, not
  the dates of recording.
- A year-only date from the older scoping table (``since_year`` Y, a year ending 31 March) is
  written as 1 April of Y-1 with ``precision = year``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from csceval.errors import Problem
from csceval.project.tables import FRAMEWORK_REGISTER

FILE = FRAMEWORK_REGISTER.file
COLUMNS = FRAMEWORK_REGISTER.column_names


def period_end(last_year: int) -> date:
    """The end of an analysis period whose last year (ending 31 March) is ``last_year``."""
    return date(last_year, 3, 31)


def _timestamps(column: pd.Series) -> pd.Series:
    return pd.to_datetime(column, errors="coerce")


def register_as_at(register: pd.DataFrame, as_at: date, *, history: bool = False) -> pd.DataFrame:
    """The episodes in use on ``as_at`` (and, with ``history``, those ended before it).

    Rows keep the register's columns and order; the index is reset.
    """
    day = pd.Timestamp(as_at)
    started = _timestamps(register["started"])
    ended = _timestamps(register["ended"])
    begun = started.isna() | (started <= day)
    running = ended.isna() | (ended >= day)
    keep = begun if history else begun & running
    return register.loc[keep.to_numpy(dtype=bool)].reset_index(drop=True)


def framework_users(register: pd.DataFrame, frameworks: Iterable[str], by: date) -> set[str]:
    """LAs with an episode of one of ``frameworks`` begun by ``by`` (names case-insensitive)."""
    wanted = {f.casefold() for f in frameworks}
    seen = register_as_at(register, by, history=True)
    users = seen["framework"].astype(str).str.casefold().isin(wanted)
    return set(seen.loc[users, "la_code"].astype(str))


def register_from_scoping(scoping: pd.DataFrame, recorded: date | None = None) -> pd.DataFrame:
    """Register rows for the older ``framework_scoping`` table (one open episode per row).

    Extent, training and licensing are unknown; the source is ``scoping_table`` and the
    confidence ``medium`` (one source, not confirmed by the LA).
    """
    rows = []
    for code, framework, since in zip(
        scoping["la_code"], scoping["framework"], scoping["since_year"], strict=True
    ):
        known = since is not None and not pd.isna(since)
        rows.append(
            {
                "la_code": str(code),
                "framework": str(framework),
                "extent": "unknown",
                "started": date(int(since) - 1, 4, 1) if known else None,
                "ended": None,
                "precision": "year" if known else None,
                "training": "unknown",
                "licensing": "unknown",
                "source": "scoping_table",
                "confidence": "medium",
                "recorded": recorded,
            }
        )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def check_register(register: pd.DataFrame, known_las: set[str]) -> list[Problem]:
    """Unknown LAs (CSC-E2010), episodes ending before they start (CSC-E2021) and overlapping
    episodes of one framework in one LA (CSC-E2022). Allowed values are the schema's (E2006)."""
    problems: list[Problem] = []
    rows = register.reset_index(drop=True)
    started, ended = _timestamps(rows["started"]), _timestamps(rows["ended"])
    for i, code in enumerate(rows["la_code"]):
        if code not in known_las:
            problems.append(
                Problem(
                    "CSC-E2010",
                    "LA code is not in data/local_authorities.csv",
                    file=FILE,
                    row=i + 2,
                    column="la_code",
                    value=str(code),
                    fix="add the LA to local_authorities.csv or correct the code",
                )
            )
        if pd.notna(started[i]) and pd.notna(ended[i]) and ended[i] < started[i]:
            problems.append(
                Problem(
                    "CSC-E2021",
                    "the episode ends before it starts",
                    file=FILE,
                    row=i + 2,
                    column="ended",
                    value=str(rows.at[i, "ended"]),
                    fix=f"ended must be on or after started ({rows.at[i, 'started']})",
                )
            )
    problems += _overlaps(rows, started, ended)
    return problems


def _overlaps(rows: pd.DataFrame, started: pd.Series, ended: pd.Series) -> list[Problem]:
    problems: list[Problem] = []
    order = pd.DataFrame(
        {
            "la": rows["la_code"].astype(str),
            "fw": rows["framework"].astype(str).str.casefold(),
            "start": started.fillna(pd.Timestamp.min),
            "end": ended.fillna(pd.Timestamp.max),
        }
    ).sort_values(["la", "fw", "start"], kind="stable")
    for _, group in order.groupby(["la", "fw"], sort=True):
        latest_end, latest_row = pd.Timestamp.min, -1
        for i, start, end in zip(group.index, group["start"], group["end"], strict=True):
            if latest_row >= 0 and start <= latest_end:
                problems.append(
                    Problem(
                        "CSC-E2022",
                        f"this episode overlaps the one in row {latest_row + 2} (same LA and "
                        "framework)",
                        file=FILE,
                        row=int(i) + 2,
                        column="started",
                        value=str(rows.at[i, "started"] or ""),
                        fix="end the earlier episode before this one starts, or merge the rows",
                    )
                )
            if end > latest_end:
                latest_end, latest_row = end, int(i)
    return problems
