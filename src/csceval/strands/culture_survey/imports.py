"""Import survey answers from other tools' exports into the long ``survey_responses`` table.

Layouts (``csceval survey import --layout``):

- ``kobo``: a KoboToolbox (or ODK Central) export, CSV (``;`` or ``,`` separated) or XLSX, one
  row per submission. Headers are question names, possibly with their group path
  (``climate/safe_1``, ``climate-safe_1``), or question labels (Kobo's "Labels" export); answers
  are choice names or labels. ``_uuid`` (or ``meta/instanceID``, ``KEY``) identifies a
  submission. Kobo's metadata columns (``start``, ``_id``, ``_submitted_by``, ...) are ignored.
- ``wide``: a generic CSV/XLSX with one row per respondent and one column per question name
  (answers as choice names or labels); an optional ``response_id`` column.

Site, team and time point come from columns (``--site-column``, ``--team-column``,
``--time-column``) or, for the site and time point, fixed values (``--site``, ``--time-point``).
Response ids are never taken over as they are: each becomes ``R-`` and 12 hex digits of a SHA-256
of the source id (or of the file and row when there is none), so nothing links back to the tool.
Columns that match no question are dropped, never stored. An answer that is not one of the
question's choices, or free text holding an e-mail address or phone number, rejects the import.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.strands.culture_survey.freetext import EMAIL, PHONE
from csceval.strands.culture_survey.instrument import Instrument, Question
from csceval.strands.culture_survey.tables import SURVEY_RESPONSES
from csceval.xlsx_reader import XlsxLimits, read_sheet

MAX_BYTES = 20_000_000
MAX_ROWS = 50_000
ID_COLUMNS = {
    "kobo": ("_uuid", "meta/instanceid", "meta-instanceid", "key", "instanceid", "response_id"),
    "wide": ("response_id",),
}
"""Columns that identify a submission, by layout (first found wins; case-insensitive)."""


@dataclass(frozen=True)
class Mapping:
    """Where site, team and time point come from (a column, or a fixed value)."""

    team_column: str = "team"
    site_column: str = "site"
    time_column: str = "time_point"
    site: str = ""
    time_point: str = ""
    layout: str = "kobo"


def read_export(data: bytes, file: str) -> pd.DataFrame:
    """A CSV (UTF-8, ``;`` or ``,``) or XLSX export as text cells, bounded in size."""

    def refuse(message: str) -> InputError:
        return InputError(
            [
                Problem(
                    "CSC-E3431",
                    message,
                    file=file,
                    fix="Export as CSV (UTF-8) or XLSX from the survey tool.",
                )
            ]
        )

    if len(data) > MAX_BYTES:
        raise refuse(f"The export is larger than {MAX_BYTES} bytes.")
    if data[:2] == b"PK":
        limits = XlsxLimits(max_bytes=MAX_BYTES, max_rows=MAX_ROWS + 2)
        sheet = read_sheet(data, file=file, limits=limits, unreadable_code="CSC-E3431")
        rows = [["" if v is None else str(v) for v in r] for r in sheet.rows]
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise refuse("The file is not UTF-8 text.") from error
        first = text.split("\n", 1)[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        except csv.Error as error:
            raise refuse(f"The file cannot be read as CSV ({error}).") from error
    if len(rows) < 2:
        raise refuse("The export has no rows of answers.")
    if len(rows) > MAX_ROWS + 1:
        raise refuse(f"The export has more than {MAX_ROWS} rows.")
    header = [h.strip() for h in rows[0]]
    body = [r + [""] * (len(header) - len(r)) for r in rows[1:] if any(c.strip() for c in r)]
    return pd.DataFrame([r[: len(header)] for r in body], columns=header, dtype=str)


def _match(header: str, instrument: Instrument) -> Question | None:
    last = re.split(r"[/\-]", header.strip())[-1] if header.strip() else ""
    for q in instrument.questions:
        if q.type in ("note",):
            continue
        if header.strip() in (q.name, q.label) or last == q.name:
            return q
    return None


def _answer(q: Question, raw: str, instrument: Instrument) -> str | None:
    """The choice name for ``raw`` (a name or a label), the text itself, or None if invalid."""
    if q.type != "select_one":
        return raw
    for choice in instrument.choices[q.list_name]:
        if raw in (choice.name, choice.label):
            return choice.name
    return None


def _response_id(source: str, salt: str) -> str:
    return "R-" + hashlib.sha256(f"{salt}|{source}".encode()).hexdigest()[:12].upper()


def import_responses(
    data: bytes, file: str, instrument: Instrument, mapping: Mapping | None = None
) -> pd.DataFrame:
    """The export as ``survey_responses`` rows (long); InputError with every problem found."""
    spec = mapping or Mapping()
    frame = read_export(data, file)
    lower = {c.lower(): c for c in frame.columns}
    problems: list[Problem] = []
    needs = [("team", spec.team_column, "")] + [
        (what, column, fixed)
        for what, column, fixed in (
            ("site", spec.site_column, spec.site),
            ("time point", spec.time_column, spec.time_point),
        )
    ]
    for what, column, fixed in needs:
        if not fixed and column.lower() not in lower:
            problems.append(
                Problem(
                    "CSC-E3432",
                    f"No {what} column {column!r}.",
                    file=file,
                    row=1,
                    column=column,
                    fix=f"Name the {what} column with the option, or give a fixed value.",
                )
            )
    questions = {c: q for c in frame.columns if (q := _match(c, instrument)) is not None}
    questions = {
        c: q
        for c, q in questions.items()
        if c.lower()
        not in {spec.team_column.lower(), spec.site_column.lower(), spec.time_column.lower()}
    }
    if not questions:
        problems.append(
            Problem(
                "CSC-E3432",
                "No column matches a question of the instrument.",
                file=file,
                row=1,
                fix="Export with question names (XML values "
                "and headers) or labels that match the instrument.",
            )
        )
    if problems:
        raise InputError(problems)
    id_column = next((lower[c] for c in ID_COLUMNS[spec.layout] if c in lower), None)
    salt = hashlib.sha256(data).hexdigest()
    rows: list[dict[str, str]] = []
    for index, record in frame.iterrows():
        number = int(str(index)) + 2
        site = spec.site or record[lower[spec.site_column.lower()]].strip()
        tp = spec.time_point or record[lower[spec.time_column.lower()]].strip()
        team = record[lower[spec.team_column.lower()]].strip()
        if not (site and tp and team):
            problems.append(
                Problem(
                    "CSC-E3433",
                    "The row has no site, team or time point.",
                    file=file,
                    row=number,
                    fix="Fill them in or drop the row.",
                )
            )
            continue
        source = record[id_column] if id_column else f"row-{number}"
        rid = _response_id(source, salt if not id_column else "")
        for column, q in questions.items():
            raw = str(record[column]).strip()
            if not raw:
                continue
            value = _answer(q, raw, instrument)
            if value is None:
                problems.append(
                    Problem(
                        "CSC-E3433",
                        f"Not a choice of {q.name!r}.",
                        file=file,
                        row=number,
                        column=column,
                        value=raw,
                        fix="Use the choice names or labels of the instrument.",
                    )
                )
                continue
            if q.type == "text" and (EMAIL.search(raw) or PHONE.search(raw)):
                problems.append(
                    Problem(
                        "CSC-E3434",
                        "Free text holds an e-mail address or phone number.",
                        file=file,
                        row=number,
                        column=column,
                        value="(withheld)",
                        fix="Remove it in the survey tool and export again.",
                    )
                )
                continue
            rows.append(
                {
                    "response_id": rid,
                    "la_code": site,
                    "team": team,
                    "time_point": tp,
                    "item": q.name,
                    "value": value,
                }
            )
        if len(problems) >= 50:
            break
    if problems:
        raise InputError(problems)
    return pd.DataFrame(rows, columns=list(SURVEY_RESPONSES.column_names))
