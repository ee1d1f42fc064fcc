"""SSDA903 (children looked after return) as per-table CSVs or as the ``EXPSSDA903`` XML.

Tables and columns are those of the DfE 903 guidance as the DfE-rule validators and liiatools
use them (``lac_validator/config.py`` in ``data-to-insight/csc-validator-be-903``): ``header``,
``episodes``, ``uasc``, ``reviews``, ``missing``, ``oc2``, ``oc3``, ``ad1``,
``placed_for_adoption``, ``previous_permanence``, ``sw_episodes`` (from 2023/24) and ``dolo``
(deprivation of liberty orders, 2026/27). A CSV is recognised by its header row, not its name.

Code changes by collection year (the year ending 31 March), from the liiatools schema diffs:

- ``SEX``: 1/2 until 2024, M/F/U from 2025. Both forms are read in every year and a canonical
  ``SEX`` (M/F/U; 1 -> M, 2 -> F, as liiatools maps them) is stored; the code as given is kept
  in ``SEX_RAW``. A code of the other era than the stated year is a warning, not an error.
- ``PLACE``: 2025 adds K3 (supported accommodation) and drops H5 (semi-independent living) and
  P2 (independent living); 2026 adds Z11-Z14 (a split of Z1, other placements). The code as given
  stays in ``PLACE``; ``PLACE_CANONICAL`` maps it to one series that runs across the change:
  Z11-Z14 -> Z1 and H5, P2 -> K3 (DfE's "independent and semi-independent living" group became
  Ofsted-registered supported accommodation from 2025). With a collection year the code must be
  in that year's list; without one, in any year's list.

Dates are ``dd/mm/YYYY`` (ISO ``YYYY-MM-DD`` is also read). Strict: a cell that is not a date, a
code outside its list, a missing ``CHILD`` or ``DECOM`` or a missing column is an error (coded
CSC-E41xx, with file, row, column and value) and nothing is returned; extra columns are warnings.
In the XML, ``PL`` is the episode's ``PLACE``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.errors import InputError, Problem

TABLES: dict[str, tuple[str, ...]] = {
    "header": ("CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"),
    "episodes": (
        "CHILD",
        "DECOM",
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        "DEC",
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    ),
    "uasc": ("CHILD", "SEX", "DOB", "DUC"),
    "reviews": ("CHILD", "DOB", "REVIEW", "REVIEW_CODE"),
    "missing": ("CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"),
    "oc2": (
        "CHILD",
        "DOB",
        "SDQ_SCORE",
        "SDQ_REASON",
        "CONVICTED",
        "HEALTH_CHECK",
        "IMMUNISATIONS",
        "TEETH_CHECK",
        "HEALTH_ASSESSMENT",
        "SUBSTANCE_MISUSE",
        "INTERVENTION_RECEIVED",
        "INTERVENTION_OFFERED",
    ),
    "oc3": ("CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"),
    "ad1": (
        "CHILD",
        "DOB",
        "DATE_INT",
        "DATE_MATCH",
        "FOSTER_CARE",
        "NB_ADOPTR",
        "SEX_ADOPTR",
        "LS_ADOPTR",
    ),
    "placed_for_adoption": (
        "CHILD",
        "DOB",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "REASON_PLACED_CEASED",
    ),
    "previous_permanence": ("CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "sw_episodes": ("CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"),
    "dolo": ("CHILD", "DOB", "DOLO_START", "DOLO_END"),
}
"""Every 903 table and its columns, in the DfE order."""

DATE_COLUMNS = frozenset(
    {
        "DOB",
        "MC_DOB",
        "DECOM",
        "DEC",
        "DUC",
        "REVIEW",
        "MIS_START",
        "MIS_END",
        "DATE_INT",
        "DATE_MATCH",
        "DATE_PLACED",
        "DATE_PLACED_CEASED",
        "DATE_PERM",
        "SW_DECOM",
        "SW_DEC",
        "DOLO_START",
        "DOLO_END",
    }
)
REQUIRED = {"episodes": ("DECOM", "RNE", "LS", "PLACE")}
"""Cells that may not be blank (the rest of the columns may be)."""
_REQUIRED_ALL = ("CHILD",)

_PLACE_2024 = frozenset(
    {
        "A3",
        "A4",
        "A5",
        "A6",
        "H5",
        "K1",
        "K2",
        "P1",
        "P2",
        "P3",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "T0",
        "T1",
        "T2",
        "T3",
        "T4",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "U6",
        "Z1",
    }
)
_PLACE_2025 = (_PLACE_2024 - {"H5", "P2"}) | {"K3"}
_PLACE_2026 = _PLACE_2025 | {"Z11", "Z12", "Z13", "Z14"}


def place_codes(year: int | None) -> frozenset[str]:
    """The PLACE codes valid in the collection year ending 31 March ``year`` (None: any year)."""
    if year is None:
        return _PLACE_2024 | _PLACE_2026
    return _PLACE_2024 if year <= 2024 else _PLACE_2025 if year == 2025 else _PLACE_2026


PLACE_CANONICAL: dict[str, str] = {
    "Z11": "Z1",
    "Z12": "Z1",
    "Z13": "Z1",
    "Z14": "Z1",
    "H5": "K3",
    "P2": "K3",
}
"""The documented mapping of year-specific PLACE codes onto one series (others: themselves)."""
SEX_CANONICAL: dict[str, str] = {"1": "M", "2": "F", "M": "M", "F": "F", "U": "U"}
CODE_LISTS: dict[str, frozenset[str]] = {
    "RNE": frozenset({"S", "L", "P", "T", "U", "B"}),
    "LS": frozenset({"C1", "C2", "D1", "E1", "V2", "V3", "V4", "L1", "L2", "L3", "J1", "J2", "J3"}),
    "CIN": frozenset(f"N{i}" for i in range(1, 9)),
    "PLACE_PROVIDER": frozenset(f"PR{i}" for i in range(6)),
    "MISSING": frozenset({"M", "A"}),
}
"""Code lists checked strictly (SEX and PLACE are checked by year)."""

CHILD_TAGS: dict[str, str] = {"CHILDID": "CHILD", "PL": "PLACE"}
"""XML element names that differ from the CSV column names."""
_XML_GROUPS = {
    "AREVIEW": "reviews",
    "AMISSING": "missing",
    "OC2": "oc2",
    "PERMANENCE": "previous_permanence",
    "AD_PLACED": "placed_for_adoption",
    "EPISODE": "episodes",
    "SW_EPISODE": "sw_episodes",
    "DOLO": "dolo",
}
_HEADER_SPLITS = {"uasc": ("DUC",), "oc3": ("IN_TOUCH", "ACTIV", "ACCOM"), "ad1": TABLES["ad1"][2:]}
_MAX_PROBLEMS = 200


@dataclass
class SSDA903Return:
    """A whole 903 return: one DataFrame per table (dates as datetime64) plus warnings."""

    tables: dict[str, pd.DataFrame]
    warnings: list[Problem] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name in self.tables:
            return self.tables[name]
        return empty_table(name)


def empty_table(name: str) -> pd.DataFrame:
    """A table with no rows and the right columns and types."""
    return _typed(name, pd.DataFrame({c: pd.Series([], dtype=object) for c in TABLES[name]}))


def recognise(columns: Iterable[str]) -> str:
    """The table whose columns best match a CSV's header row (most shared, then fewest extra)."""
    have = set(columns)
    return max(TABLES, key=lambda t: (len(have & set(TABLES[t])), -len(set(TABLES[t]) - have)))


def read_903_csv(paths: Iterable[Path], year: int | None = None) -> SSDA903Return:
    """Read per-table 903 CSVs (any names; tables are recognised by header) into one return."""
    problems: list[Problem] = []
    frames: dict[str, list[pd.DataFrame]] = {}
    for path in paths:
        got = _read_csv(Path(path), problems)
        if got is None:
            continue
        table, frame = got
        frames.setdefault(table, []).append(frame)
    tables = {t: pd.concat(f, ignore_index=True) for t, f in frames.items()}
    return _finish(tables, problems, year)


def read_903_folder(folder: Path, year: int | None = None) -> SSDA903Return:
    """Every ``*.csv`` in ``folder`` as one return (``*.xml``: use :func:`read_903_xml`)."""
    return read_903_csv(sorted(Path(folder).glob("*.csv")), year)


def read_903_xml(path: Path, year: int | None = None) -> SSDA903Return:
    """Read an ``EXPSSDA903`` XML file, flattened to the CSV tables (streaming over CHILD)."""
    path = Path(path)
    name = path.name
    rows: dict[str, list[dict[str, str]]] = {t: [] for t in TABLES}
    problems: list[Problem] = []
    try:
        root = next(etree.iterparse(str(path), events=("start",), huge_tree=True))[1]
        if root.tag != "EXPSSDA903":
            problems.append(
                _p(
                    "CSC-E4108",
                    f"the root element is <{root.tag}>, not <EXPSSDA903>",
                    name,
                    root.sourceline,
                    "",
                    str(root.tag),
                    "Export the 903 return as XML from the case system.",
                )
            )
        else:  # only CHILD end events reach Python; lxml filters the rest in C
            for _, elem in etree.iterparse(str(path), events=("end",), tag="CHILD", huge_tree=True):
                _flatten_child(elem, rows, name)
                elem.clear(keep_tail=False)
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
    except (OSError, etree.XMLSyntaxError) as exc:
        line = getattr(exc, "lineno", None)
        code = "CSC-E4101" if isinstance(exc, OSError) else "CSC-E4107"
        problems.append(
            _p(
                code,
                f"cannot read the XML: {exc}",
                name,
                line,
                "",
                "",
                "Check that the file is a complete 903 XML export.",
            )
        )
    if problems:
        raise InputError(problems)
    tables: dict[str, pd.DataFrame] = {}
    for table, recs in rows.items():
        if recs:
            frame = pd.DataFrame.from_records(recs, columns=[*TABLES[table], "_row"])
            tables[table] = frame.fillna("")
    return _finish(tables, problems, year, file=name)


def read_903(path: Path, year: int | None = None) -> SSDA903Return:
    """A 903 XML file, a CSV file or a folder of CSVs."""
    path = Path(path)
    if path.is_dir():
        return read_903_folder(path, year)
    if path.suffix.lower() == ".xml":
        return read_903_xml(path, year)
    return read_903_csv([path], year)


def _flatten_child(elem: etree._Element, rows: dict[str, list[dict[str, str]]], name: str) -> None:
    header: dict[str, str] = {"_row": str(elem.sourceline)}
    child_id = ""
    groups: list[tuple[str, dict[str, str]]] = []
    for part in elem:
        if part.tag == "HEADER":
            for item in part:
                tag = CHILD_TAGS.get(str(item.tag), str(item.tag))
                if tag in _XML_GROUPS:
                    groups.append((_XML_GROUPS[tag], _fields(item)))
                elif tag == "UASC":
                    header.update(_fields(item))
                else:
                    header[tag] = (item.text or "").strip()
            child_id = header.get("CHILD", "")
        elif part.tag in _XML_GROUPS:
            groups.append((_XML_GROUPS[str(part.tag)], _fields(part)))
    rows["header"].append(header)
    dob = header.get("DOB", "")
    for table, cols in _HEADER_SPLITS.items():
        if any(header.get(c) for c in cols):
            rec = {c: header.get(c, "") for c in TABLES[table]}
            rows[table].append({**rec, "_row": header["_row"]})
    for table, rec in groups:
        rows[table].append({"CHILD": child_id, "DOB": dob, **rec})


def _fields(elem: etree._Element) -> dict[str, str]:
    out = {CHILD_TAGS.get(str(e.tag), str(e.tag)): (e.text or "").strip() for e in elem}
    out["_row"] = str(elem.sourceline)
    return out


def _read_csv(path: Path, problems: list[Problem]) -> tuple[str, pd.DataFrame] | None:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(
            _p(
                "CSC-E4101",
                f"cannot read the file: {exc}",
                name,
                None,
                "",
                "",
                "Save the table as a UTF-8 CSV.",
            )
        )
        return None
    records = list(csv.reader(io.StringIO(text)))
    if not records or not any(c.strip() for c in records[0]):
        problems.append(
            _p(
                "CSC-E4101",
                "the file is empty (no header row)",
                name,
                None,
                "",
                "",
                "Export the table with its header row.",
            )
        )
        return None
    columns = [c.strip().upper() for c in records[0]]
    table = recognise(columns)
    expected = TABLES[table]
    shared = set(columns) & set(expected)
    if len(shared) < 2 or (len(shared) < len(expected) / 2):
        problems.append(
            _p(
                "CSC-E4102",
                "the header row matches no 903 table",
                name,
                1,
                "",
                ",".join(columns)[:120],
                "Use the DfE 903 column names (e.g. CHILD,DECOM,RNE,... for episodes).",
            )
        )
        return None
    for col in expected:
        if col not in columns:
            problems.append(
                _p(
                    "CSC-E4103",
                    f"the {table} table has no column {col}",
                    name,
                    1,
                    col,
                    "",
                    f"Add the column {col} (it may be left blank).",
                )
            )
    for col in columns:
        if col not in expected:
            problems.append(
                _p(
                    "CSC-E4110",
                    f"column {col} is not a 903 {table} column; ignored",
                    name,
                    1,
                    col,
                    "",
                    severity="warning",
                )
            )
    if len(set(columns)) != len(columns):
        problems.append(
            _p(
                "CSC-E4103",
                "a column is repeated in the header row",
                name,
                1,
                "",
                ",".join(columns)[:120],
                "Remove the repeated column.",
            )
        )
        return None
    width = len(columns)
    data: dict[str, list[str]] = {c: [] for c in expected}
    line_numbers: list[str] = []
    for i, rec in enumerate(records[1:], start=2):
        if not any(v.strip() for v in rec):
            continue
        if len(rec) != width:
            problems.append(
                _p(
                    "CSC-E4101",
                    f"row has {len(rec)} cells, the header {width}",
                    name,
                    i,
                    "",
                    ",".join(rec)[:80],
                    "Fix the row's commas/quotes.",
                )
            )
            continue
        cells = dict(zip(columns, rec, strict=True))
        for col in expected:
            data[col].append(cells.get(col, "").strip())
        line_numbers.append(str(i))
    frame = pd.DataFrame(data)
    frame["_row"] = line_numbers
    frame.attrs["file"] = name
    return table, frame.assign(_file=name)


def _finish(
    tables: dict[str, pd.DataFrame], problems: list[Problem], year: int | None, file: str = ""
) -> SSDA903Return:
    for table, frame in tables.items():
        if "_file" not in frame:
            frame["_file"] = file
        problems.extend(_check(table, frame, year))
        if sum(p.severity == "error" for p in problems) > _MAX_PROBLEMS:
            break
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(problems[: _MAX_PROBLEMS + 20])
    out = {t: _typed(t, f) for t, f in tables.items()}
    return SSDA903Return(out, [p for p in problems if p.severity != "error"])


def _check(table: str, frame: pd.DataFrame, year: int | None) -> list[Problem]:
    out: list[Problem] = []
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
            bad = (values != "") & _parse_dates(values).isna()
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
        start, end = _parse_dates(frame["DECOM"]), _parse_dates(frame["DEC"])
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


def _typed(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in TABLES[table]:
        if col in DATE_COLUMNS:
            frame[col] = _parse_dates(frame[col].astype(str))
    if "SEX" in frame:
        frame["SEX_RAW"] = frame["SEX"]
        frame["SEX"] = frame["SEX"].map(SEX_CANONICAL).fillna("")
    if "PLACE" in frame:
        frame["PLACE_CANONICAL"] = frame["PLACE"].map(lambda c: PLACE_CANONICAL.get(c, c))
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


def tables_to_csv(tables: Mapping[str, pd.DataFrame], folder: Path) -> list[Path]:
    """Write tables as 903 CSVs (``<table>.csv``, dates ``dd/mm/YYYY``); returns the paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for table, frame in tables.items():
        out = frame.reindex(columns=list(TABLES[table])).copy()
        for col in out.columns:
            if col in DATE_COLUMNS:
                out[col] = pd.to_datetime(out[col]).dt.strftime("%d/%m/%Y").fillna("")
        path = folder / f"{table}.csv"
        out.to_csv(path, index=False)
        paths.append(path)
    return paths
