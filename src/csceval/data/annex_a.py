"""Ofsted Annex A workbooks (Lists 1-11), read with direct identifiers removed on ingest.

Tolerated variants: sheets named ``List 3``, ``list3`` or ``List 3 - Referrals``; the header row
anywhere in the first ten rows; header spellings that differ in case, punctuation and a few known
synonyms (``Age`` / ``Age of Child (Years)``, ``Disability`` / ``Does the Child have a
Disability``, ...), mapped to snake_case names; picklist values with a letter prefix (``a) Male``
becomes ``Male``); dates as Excel dates or ``dd/mm/yyyy`` / ``yyyy-mm-dd`` text; formula cells
with no cached value (read as empty, with a warning).

Identifiers, decided once here and never stored:

- dropped: date of birth (``age`` stays), allocated personal adviser, placement postcode, any
  column whose name says name, address or postcode;
- pseudonymised (``mode="pseudonymise"``): child, family and adopter identifiers and the
  allocated worker, replaced by ``HMAC-SHA256(key, list-independent value)`` cut to 16 hex
  characters, so one child keeps one pseudonym across lists and files made with the same key.
  The key is the caller's (at least 16 bytes) and is never written anywhere;
- ``mode="drop"`` drops those columns too (no key needed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl.utils import get_column_letter

from csceval.errors import InputError, Problem
from csceval.xlsx_reader import open_workbook

MIN_KEY_BYTES = 16
_SHEET = re.compile(r"^\s*list\s*(\d{1,2})\b", re.IGNORECASE)
_PREFIX = re.compile(r"^[a-z]\)\s*")
_TEXT_DATE = (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), re.compile(r"^\d{4}-\d{2}-\d{2}$"))
ALIASES = {
    "age_of_child_years": "age",
    "does_the_child_have_a_disability": "disability",
    "date_of_referral": "referral_date",
    "date_of_contact": "contact_date",
}
ID_COLUMNS = ("child_unique_id", "family_identifier", "individual_adopter_identifier")
PSEUDONYMISED = (*ID_COLUMNS, "allocated_worker")
DROPPED = ("date_of_birth", "allocated_personal_advisor", "allocated_personal_adviser")
_DROP_WORDS = re.compile(r"(^|_)(name|surname|forename|address|postcode)(_|$)")
REQUIRED = dict.fromkeys(range(1, 11), "child_unique_id") | {11: "individual_adopter_identifier"}


def snake(header: str) -> str:
    """A header as a snake_case column name, with known synonyms mapped."""
    name = re.sub(r"[^0-9a-z]+", "_", header.strip().lower()).strip("_")
    return ALIASES.get(name, name)


@dataclass
class AnnexA:
    """The lists found (``lists[3]`` is List 3) and any warnings."""

    file: str
    lists: dict[int, pd.DataFrame] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)


def pseudonym(key: bytes, value: object) -> str:
    """The keyed pseudonym of one identifier value (16 hex characters)."""
    text = str(value).strip()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def read_annex_a(path: Path, *, key: bytes | None = None, mode: str = "pseudonymise") -> AnnexA:
    """Read every list of an Annex A workbook; identifiers handled as the module says."""
    name = str(path)
    if mode not in ("pseudonymise", "drop"):
        raise ValueError(f"mode must be 'pseudonymise' or 'drop', not {mode!r}")
    if mode == "pseudonymise" and (key is None or len(key) < MIN_KEY_BYTES):
        raise InputError(
            [
                Problem(
                    "CSC-E4024",
                    f"a pseudonymisation key of at least {MIN_KEY_BYTES} bytes is needed",
                    name,
                    fix="pass the LA's secret key (it is never stored), or use mode='drop'",
                )
            ]
        )
    result = AnnexA(name)
    problems: list[Problem] = []
    with open_workbook(Path(path), file=name, unreadable_code="CSC-E4020") as book:
        sheet_names = book.sheet_names
        for title in sheet_names:
            match = _SHEET.match(title)
            if match is None or not 1 <= int(match.group(1)) <= 11:
                continue
            number = int(match.group(1))
            rows = [list(r) for r in book.sheet(title).rows]
            frame = _read_list(name, title, number, rows, problems, result.warnings)
            if frame is not None:
                result.lists[number] = frame
    if not result.lists and not problems:
        problems.append(
            Problem(
                "CSC-E4021",
                "no sheet is one of Lists 1-11",
                name,
                value=", ".join(sheet_names),
                fix="name the sheets 'List 1' ... 'List 11'",
            )
        )
    if problems:
        raise InputError(problems)
    for number, frame in result.lists.items():
        result.lists[number] = _deidentify(frame, key if mode == "pseudonymise" else None)
    return result


def _read_list(
    file: str,
    sheet: str,
    number: int,
    rows: list[list[Any]],
    problems: list[Problem],
    warnings: list[Problem],
) -> pd.DataFrame | None:
    need = REQUIRED[number]
    header_at = next(
        (i for i, row in enumerate(rows[:10]) if need in {snake(str(c)) for c in row if c}),
        None,
    )
    if header_at is None:
        problems.append(
            Problem(
                "CSC-E4022",
                f"no header row with the column {need} in the first 10 rows",
                file,
                sheet=sheet,
                column=need,
            )
        )
        return None
    header = [snake(str(c)) if c is not None else "" for c in rows[header_at]]
    keep = [i for i, h in enumerate(header) if h]
    records: dict[str, list[Any]] = {header[i]: [] for i in keep}
    for r, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if all(c is None or str(c).strip() == "" for c in row):
            continue
        for i in keep:
            col = header[i]
            value = row[i] if i < len(row) else None
            cell = f"{get_column_letter(i + 1)}{r}"
            if isinstance(value, str) and value.startswith("="):
                warnings.append(
                    Problem(
                        "CSC-E4023",
                        "a formula with no saved value: read as empty",
                        file,
                        column=col,
                        value=value,
                        sheet=sheet,
                        cell=cell,
                        severity="warning",
                    )
                )
                value = None
            if "date" in col.split("_") and col != "date_of_birth":
                value = _date(value, file, sheet, cell, col, problems)
            elif isinstance(value, str):
                value = _PREFIX.sub("", value.replace("\xa0", " ").strip()) or None
            records[col].append(value)
    return pd.DataFrame(records)


def _date(
    value: Any, file: str, sheet: str, cell: str, col: str, problems: list[Problem]
) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern, fmt in zip(_TEXT_DATE, ("%d/%m/%Y", "%Y-%m-%d"), strict=True):
        if pattern.match(text):
            try:
                return dt.datetime.strptime(text, fmt).date()
            except ValueError:
                break
    problems.append(
        Problem(
            "CSC-E4023",
            "not a date",
            file,
            column=col,
            value=text,
            sheet=sheet,
            cell=cell,
            fix="use an Excel date or dd/mm/yyyy",
        )
    )
    return None


def _deidentify(frame: pd.DataFrame, key: bytes | None) -> pd.DataFrame:
    drop = [c for c in frame.columns if c in DROPPED or _DROP_WORDS.search(c)]
    if key is None:
        drop += [c for c in frame.columns if c in PSEUDONYMISED]
    out = frame.drop(columns=drop)
    if key is not None:
        for col in PSEUDONYMISED:
            if col in out.columns:
                out[col] = [None if v is None else pseudonym(key, v) for v in out[col]]
    return out
