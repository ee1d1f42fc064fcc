"""An LA's case list: read from an upload (CSV or XLSX) or derived from CIN census / SSDA903 rows.

Upload columns (header row first; names are matched after lower-casing):

- ``case_id`` (required): the LA's own case or child id (aliases ``child_id``, ``lachildid``,
  ``case_reference``). It is pseudonymised before anything leaves :mod:`sampling`.
- ``stratum`` (required): the sampling stratum, e.g. ``cin_plan``, ``cpp``, ``cla`` or a team.
- ``team``, ``opened``, ``closed`` (optional): the case's team and its open and close dates
  (``YYYY-MM-DD``).

Any other column is dropped with a warning after the whole upload (every column) has been
checked for direct identifiers (:mod:`identifiers`): an upload carrying one is refused whole, each
finding naming the file, row (or sheet and cell) and column, with the value masked.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from zipfile import BadZipFile

import pandas as pd
from openpyxl.utils.exceptions import InvalidFileException

from csceval.errors import InputError, Problem
from csceval.strands.quality_of_recording import identifiers
from csceval.strands.quality_of_recording.case_list_cells import (
    Cell,
    _date,
    _grid,
    identifier_problems,
)

COLUMNS = ("case_id", "stratum", "team", "opened", "closed")
ALIASES = {"child_id": "case_id", "lachildid": "case_id", "case_reference": "case_id"}
STRATA = ("cla", "cpp", "cin_plan", "cin")
"""Derived strata, by priority: a child looked after is ``cla`` even if also on a plan."""
CIN_COLUMNS = (
    "LAchildID",
    "CINreferralDate",
    "CINclosureDate",
    "CINPlanStartDate",
    "CINPlanEndDate",
    "CPPstartDate",
    "CPPendDate",
)
"""Documented columns of a CIN census frame (one row per CIN episode, plan or CP plan; plan
columns may be empty). Dates as ``datetime64`` or ``YYYY-MM-DD`` text."""
SSDA903_COLUMNS = ("CHILD", "DECOM", "DEC")
"""Documented columns of an SSDA903 episodes frame: child id, episode start, episode end."""


@dataclass(frozen=True)
class CaseList:
    """A checked case list of one LA: columns :data:`COLUMNS`, one row per case, sorted by id."""

    la_code: str
    cases: pd.DataFrame
    source: str

    def canonical(self) -> str:
        """The text that is hashed: ``case_id,stratum`` lines sorted by case id, ``\\n`` ends."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["case_id", "stratum"])
        writer.writerows(self.cases[["case_id", "stratum"]].itertuples(index=False))
        return buffer.getvalue()

    @property
    def sha256(self) -> str:
        """SHA-256 of :meth:`canonical`: the same list (in any row order) gives the same hash."""
        return hashlib.sha256(self.canonical().encode("utf-8")).hexdigest()

    def open_on(self, day: date) -> CaseList:
        """The cases open on ``day`` (opened on or before it and not closed before it)."""
        opened = pd.to_datetime(self.cases["opened"], errors="coerce")
        closed = pd.to_datetime(self.cases["closed"], errors="coerce")
        stamp = pd.Timestamp(day)
        keep = (opened.isna() | (opened <= stamp)) & (closed.isna() | (closed >= stamp))
        return CaseList(self.la_code, self.cases[keep].reset_index(drop=True), self.source)


def parse(la_code: str, file: str, content: bytes) -> CaseList:
    """Read and check an uploaded case list; raise :class:`InputError` listing every problem."""
    try:
        raw_header, body, sheet = _grid(file, content)
    except (
        UnicodeDecodeError, csv.Error, ValueError, OSError, KeyError, BadZipFile,
        InvalidFileException,
    ) as exc:  # fmt: skip
        raise InputError(
            [
                Problem(
                    "CSC-E3202",
                    f"cannot read the case list ({exc})",
                    file=file,
                    fix="save it as CSV UTF-8 or as an Excel .xlsx workbook with a header row",
                )
            ]
        ) from None
    header = [ALIASES.get(identifiers.normalise(h), identifiers.normalise(h)) for h in raw_header]
    id_column = raw_header[header.index("case_id")] if "case_id" in header else ""
    problems = list(identifier_problems(file, raw_header, body, sheet, id_column))
    for required in ("case_id", "stratum"):
        if required not in header:
            problems.append(
                Problem(
                    "CSC-E3203",
                    f"the required column {required} is missing",
                    file=file,
                    sheet=sheet,
                    column=required,
                    fix=f"add a column headed {required} (columns: {', '.join(COLUMNS)})",
                )
            )
    if problems:
        raise InputError(problems)
    body = [[Cell(c.text, c.row, header[j], c.cell) for j, c in enumerate(row)] for row in body]
    warnings = [
        Problem(
            "CSC-E3203",
            "column not used and dropped",
            file=file,
            sheet=sheet,
            column=h,
            severity="warning",
        )
        for h in header
        if h not in COLUMNS
    ]
    records: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for row in body:
        cells = {c.column: c for c in row if c.column in COLUMNS}
        record = {k: (cells[k].text if k in cells else "") for k in COLUMNS}
        for k in ("case_id", "stratum"):
            if not record[k]:
                problems.append(
                    Problem(
                        "CSC-E3206",
                        f"{k} is empty",
                        file=file,
                        row=cells[k].row,
                        sheet=sheet,
                        cell=cells[k].cell,
                        column=k,
                    )
                )
        for k in ("opened", "closed"):
            if k in cells:
                record[k], problem = _date(cells[k], file, sheet)
                problems += [problem] if problem else []
        if record["opened"] and record["closed"] and record["closed"] < record["opened"]:
            problems.append(
                Problem(
                    "CSC-E3208",
                    f"the case closes before it opens ({record['opened']})",
                    file=file,
                    row=cells["closed"].row,
                    sheet=sheet,
                    cell=cells["closed"].cell,
                    column="closed",
                    value=record["closed"],
                )
            )
        case_id = record["case_id"]
        if case_id and case_id in seen:
            problems.append(
                Problem(
                    "CSC-E3207",
                    f"the case id is repeated (first in row {seen[case_id]})",
                    file=file,
                    row=cells["case_id"].row,
                    sheet=sheet,
                    cell=cells["case_id"].cell,
                    column="case_id",
                    fix="list each case once",
                )
            )
        seen.setdefault(case_id, cells["case_id"].row if "case_id" in cells else 0)
        records.append(record)
    if not records:
        problems.append(Problem("CSC-E3209", "the case list has no cases", file=file))
    if problems:
        raise InputError(problems + warnings)
    return _case_list(la_code, pd.DataFrame.from_records(records, columns=list(COLUMNS)), file)


def read_case_list(la_code: str, path: Path) -> CaseList:
    """:func:`parse` a case-list file on disk."""
    return parse(la_code, path.name, Path(path).read_bytes())


def _case_list(la_code: str, frame: pd.DataFrame, source: str) -> CaseList:
    frame = frame.astype(dict.fromkeys(COLUMNS, str))
    return CaseList(
        la_code, frame.sort_values("case_id", kind="stable").reset_index(drop=True), source
    )


def _iso(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m-%d").fillna("")


def _need(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(
            [
                Problem(
                    "CSC-E3203",
                    f"the {name} table lacks the column(s) {', '.join(missing)}",
                    file=name,
                    column=", ".join(missing),
                    fix=f"give a table with columns {', '.join(columns)}",
                )
            ]
        )


def _open(start: pd.Series, end: pd.Series, day: pd.Timestamp) -> pd.Series:
    s, e = pd.to_datetime(start, errors="coerce"), pd.to_datetime(end, errors="coerce")
    return s.notna() & (s <= day) & (e.isna() | (e >= day))


def derive_case_list(
    la_code: str,
    reference_date: date,
    *,
    cin: pd.DataFrame | None = None,
    ssda903: pd.DataFrame | None = None,
) -> CaseList:
    """Cases open on ``reference_date`` from CIN census and/or SSDA903 rows, with their stratum.

    A child is ``cla`` when an SSDA903 episode is open that day (``DECOM <= day <= DEC`` or no
    ``DEC``); else ``cpp`` with an open CP plan; else ``cin_plan`` with an open CIN plan; else
    ``cin`` with an open CIN episode (``CINreferralDate``/``CINclosureDate``). Only the id,
    stratum and the dates of the open episode are kept: no other column of the returns survives.
    """
    day = pd.Timestamp(reference_date)
    parts: list[pd.DataFrame] = []
    if ssda903 is not None:
        _need(ssda903, SSDA903_COLUMNS, "SSDA903")
        keep = _open(ssda903["DECOM"], ssda903["DEC"], day)
        parts.append(
            pd.DataFrame(
                {
                    "case_id": ssda903.loc[keep, "CHILD"].astype(str).str.strip(),
                    "stratum": "cla",
                    "opened": _iso(ssda903.loc[keep, "DECOM"]),
                    "closed": _iso(ssda903.loc[keep, "DEC"]),
                }
            )
        )
    if cin is not None:
        _need(cin, CIN_COLUMNS, "CIN census")
        ids = cin["LAchildID"].astype(str).str.strip()
        for stratum, start, end in (
            ("cpp", "CPPstartDate", "CPPendDate"),
            ("cin_plan", "CINPlanStartDate", "CINPlanEndDate"),
            ("cin", "CINreferralDate", "CINclosureDate"),
        ):
            keep = _open(cin[start], cin[end], day)
            parts.append(
                pd.DataFrame(
                    {
                        "case_id": ids[keep],
                        "stratum": stratum,
                        "opened": _iso(cin.loc[keep, start]),
                        "closed": _iso(cin.loc[keep, end]),
                    }
                )
            )
    if not parts or all(p.empty for p in parts):
        raise InputError(
            [Problem("CSC-E3209", f"no case is open on {reference_date}", file="derived list")]
        )
    frame = pd.concat(parts, ignore_index=True)
    frame["priority"] = frame["stratum"].map({s: i for i, s in enumerate(STRATA)})
    frame = frame.sort_values(["case_id", "priority", "opened"], kind="stable")
    frame = frame.drop_duplicates("case_id").drop(columns="priority")
    frame["team"] = ""
    return _case_list(la_code, frame[list(COLUMNS)], f"derived on {reference_date}")
