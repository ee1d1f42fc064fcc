"""Read DfE Explore Education Statistics (EES) tidy CSVs, tolerant of form and strict on content.

Tolerated: a UTF-8 byte-order mark, any column order (columns are always taken by name), rows at
geographic levels the caller does not want (dropped), and the joint returns EES prints as
``314 / 318`` (kept, with ``joint`` True).

Values: every indicator cell is a number or one of the GSS/EES symbols ``c x z u low k : ~ -``;
a symbol becomes NaN in the indicator column and is kept in ``<indicator>_symbol`` (empty where a
number stands), so a suppressed cell is never mistaken for a missing one. A column is an
*indicator* when the caller names it, or when the companion ``.meta.csv`` says so, or (with
neither) when any of its cells is a number; every other non-geography column is a *filter*.

Years: ``time_period`` is 4 digits (``2019``) for reporting and calendar years, or 6 digits
(``201819``) for academic and financial years. The column ``year`` holds one integer per row: the
4-digit value itself, or for a 6-digit period the later calendar year (``201819`` -> 2019, the
year ending 31 March 2019 for a financial year). For CIN and CLA files ``year`` N is the year
ending 31 March N; for the workforce census it is the 30 September N snapshot.

Nothing is half-read: every problem (CSC-E4001..E4009) is collected and raised together.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.project.schema import DFE_SYMBOLS

GEOGRAPHY_COLUMNS = (
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)
REQUIRED_COLUMNS = ("time_period", "time_identifier", "geographic_level")
LEVEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "National": ("country_code",),
    "Regional": ("region_code", "region_name"),
    "Local authority": ("old_la_code", "new_la_code", "la_name"),
}
KNOWN_LEVELS = frozenset(
    {
        *LEVEL_COLUMNS,
        "Local authority district",
        "Parliamentary constituency",
        "Local skills improvement plan area",
        "Local enterprise partnership",
        "English devolved area",
        "Opportunity area",
        "Ward",
        "MAT",
        "Sponsor",
        "School",
        "Provider",
        "Institution",
        "Planning area",
        "Police force area",
    }
)
MAX_PROBLEMS = 100

_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][-+]?\d+)?$")
_PERIOD = re.compile(r"^(\d{4})(\d{2})?$")
_OLD_LA = re.compile(r"^\d{3}( / \d{3})*$")
_NEW_LA = re.compile(r"^E\d{8}( / E\d{8})*$")


@dataclass(frozen=True)
class EesTable:
    """One EES file, read: ``frame`` holds the rows kept, in file order."""

    file: str
    frame: pd.DataFrame
    indicators: tuple[str, ...]
    filters: tuple[str, ...]

    def level(self, level: str) -> pd.DataFrame:
        """The rows at one geographic level."""
        return self.frame[self.frame["geographic_level"] == level]


def year_of(time_period: str) -> int | None:
    """The integer year of an EES ``time_period``; None when it is not 4 or 6 digits.

    >>> year_of("2019"), year_of("201819"), year_of("201820")
    (2019, 2019, None)
    """
    match = _PERIOD.match(time_period)
    if match is None:
        return None
    first = int(match.group(1))
    if match.group(2) is None:
        return first
    return first + 1 if int(match.group(2)) == (first + 1) % 100 else None


def _read_text(path: Path) -> tuple[list[str], list[list[str]]]:
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(
            [Problem("CSC-E4001", f"cannot read the file ({exc.strerror})", name)]
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E4001",
                    f"the file is not UTF-8 text (byte {exc.start})",
                    name,
                    fix="save it as CSV UTF-8",
                )
            ]
        ) from None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:  # e.g. a field over the 128 KiB limit, a NUL byte
        raise InputError(
            [Problem("CSC-E4001", f"the file cannot be read as CSV ({exc})", name)]
        ) from None
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise InputError([Problem("CSC-E4001", "the file is empty (no header row)", name)])
    header = [cell.strip() for cell in rows[0]]
    body = [r for r in rows[1:] if any(cell.strip() for cell in r)]
    return header, body


def _meta_indicators(path: Path) -> set[str] | None:
    meta = path.with_name(path.name.removesuffix(".csv") + ".meta.csv")
    if not meta.is_file():
        return None
    try:
        table = pd.read_csv(meta, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, ValueError):
        return None
    if not {"col_name", "col_type"} <= set(table.columns):
        return None
    return set(table.loc[table["col_type"].str.strip() == "Indicator", "col_name"].str.strip())


def read_ees(
    path: Path,
    *,
    levels: Iterable[str] | None = ("National", "Regional", "Local authority"),
    indicators: Sequence[str] = (),
    required: Sequence[str] = (),
) -> EesTable:
    """Read one EES CSV; ``indicators`` must be present and numeric, ``required`` present.

    ``levels`` keeps only those geographic levels (None keeps every level).
    """
    name = str(path)
    header, body = _read_text(path)
    problems: list[Problem] = []
    seen: set[str] = set()
    for col in header:
        if col in seen:
            problems.append(Problem("CSC-E4003", "the column appears twice", name, 1, col, col))
        seen.add(col)
    for col in (*REQUIRED_COLUMNS, *required, *indicators):
        if col not in seen:
            problems.append(
                Problem(
                    "CSC-E4002",
                    "a required column is missing",
                    name,
                    1,
                    col,
                    fix=f"the columns are {', '.join(header)}",
                )
            )
    for number, row in enumerate(body, start=2):
        if len(row) != len(header):
            problems.append(
                Problem(
                    "CSC-E4001",
                    f"the row has {len(row)} cells but the header has {len(header)}",
                    name,
                    number,
                )
            )
            if len(problems) >= MAX_PROBLEMS:
                break
    if problems:
        raise InputError(problems)

    frame = pd.DataFrame(body, columns=header, dtype=str).apply(lambda s: s.str.strip())
    frame.index = pd.RangeIndex(2, len(frame) + 2)  # the file's row numbers
    problems += _check_rows(name, frame)
    if levels is not None:
        frame = frame[frame["geographic_level"].isin(set(levels))]

    named_indicators = set(indicators) | (_meta_indicators(path) or set())
    kinds = _classify(frame, header, named_indicators)
    out = frame.copy()
    for col in kinds.indicators:
        values, symbols, bad = _parse_values(out[col])
        for at in bad[: MAX_PROBLEMS - len(problems)]:
            problems.append(
                Problem(
                    "CSC-E4008",
                    "the cell is neither a number nor an EES symbol (c x z u low k : ~ -)",
                    name,
                    at,
                    col,
                    str(out.at[at, col]),
                )
            )
        out[col] = values
        out[f"{col}_symbol"] = symbols
    if problems:
        raise InputError(problems[:MAX_PROBLEMS] + _too_many(name, problems))
    out["year"] = out["time_period"].map(year_of).astype("int64")
    out["joint"] = out.get("old_la_code", pd.Series("", index=out.index)).str.contains(
        " / ", regex=False
    )
    return EesTable(name, out, kinds.indicators, kinds.filters)


@dataclass(frozen=True)
class _Kinds:
    indicators: tuple[str, ...]
    filters: tuple[str, ...]


def _classify(frame: pd.DataFrame, header: list[str], named: set[str]) -> _Kinds:
    indicators: list[str] = []
    filters: list[str] = []
    for col in header:
        if col in GEOGRAPHY_COLUMNS:
            continue
        if col in named or frame[col].str.match(_NUMBER).any():
            indicators.append(col)
        else:
            filters.append(col)
    return _Kinds(tuple(indicators), tuple(filters))


def _parse_values(cells: pd.Series) -> tuple[pd.Series, pd.Series, list[int]]:
    numeric = cells.str.match(_NUMBER)
    symbol = cells.isin(DFE_SYMBOLS)
    values = pd.to_numeric(cells.where(numeric), errors="coerce").astype("float64")
    symbols = cells.where(symbol, "")
    bad = [int(i) for i in cells.index[~numeric & ~symbol]]
    return values, symbols, bad


def _check_rows(name: str, frame: pd.DataFrame) -> list[Problem]:
    problems: list[Problem] = []

    def flag(mask: pd.Series, code: str, message: str, col: str, fix: str = "") -> None:
        for row in frame.index[mask.to_numpy()][: MAX_PROBLEMS - len(problems)]:
            problems.append(
                Problem(code, message, name, int(row), col, str(frame.at[row, col]), fix)
            )

    periods = frame["time_period"]
    flag(
        periods.map(year_of).isna(),
        "CSC-E4004",
        "the time period is not a 4-digit year (2019) or a 6-digit pair of years (201819)",
        "time_period",
    )
    level = frame["geographic_level"]
    flag(
        ~level.isin(KNOWN_LEVELS),
        "CSC-E4005",
        "unknown geographic level",
        "geographic_level",
        "use National, Regional or Local authority (or another EES level)",
    )
    for lvl, cols in LEVEL_COLUMNS.items():
        at_level = level == lvl
        for col in cols:
            if col not in frame.columns:
                if at_level.any():
                    first = int(frame.index[at_level.to_numpy()][0])
                    problems.append(
                        Problem(
                            "CSC-E4002",
                            f"a {lvl} row needs the column {col}",
                            name,
                            first,
                            col,
                        )
                    )
                continue
            flag(at_level & (frame[col] == ""), "CSC-E4007", f"empty on a {lvl} row", col)
    if "old_la_code" in frame.columns:
        la = (level == "Local authority") & (frame["old_la_code"] != "")
        flag(
            la & ~frame["old_la_code"].str.match(_OLD_LA),
            "CSC-E4006",
            "the old LA code is not a 3-digit DfE LA number",
            "old_la_code",
        )
    if "new_la_code" in frame.columns:
        la = (level == "Local authority") & (frame["new_la_code"] != "")
        flag(
            la & ~frame["new_la_code"].str.match(_NEW_LA),
            "CSC-E4006",
            "the new LA code is not an English ONS GSS code (E + 8 digits)",
            "new_la_code",
        )
    return problems


def _too_many(name: str, problems: list[Problem]) -> list[Problem]:
    if len(problems) < MAX_PROBLEMS:
        return []
    return [Problem("CSC-E4009", f"reading stopped after {MAX_PROBLEMS} problems", name)]
