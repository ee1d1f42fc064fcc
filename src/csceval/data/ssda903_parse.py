"""Reading 903 files into text tables: CSVs recognised by their header row, and the XML.

A CSV's table is the one whose columns its header row best matches; the XML is streamed over its
``CHILD`` elements and flattened to the CSV tables (``PL`` is the episode's ``PLACE``; the
``UASC``, ``OC3`` and ``AD1`` fields of the header become rows of their own tables). Every cell
stays text, with its file and line in ``_file`` and ``_row`` for the problems that checking finds.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]

from csceval.data.ssda903_checks import TextTable, _p
from csceval.data.ssda903_codes import TABLES, recognise
from csceval.errors import Problem

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


def _read_csv(path: Path, problems: list[Problem]) -> tuple[str, TextTable] | None:
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
    try:
        records = list(csv.reader(io.StringIO(text[: text.find("\n") + 1 or None])))
    except csv.Error as exc:  # e.g. a field over the 128 KiB limit, a NUL byte
        problems.append(
            _p("CSC-E4101", f"cannot read the file as CSV: {exc}", name, None, "", "",
               "Save the table as a UTF-8 CSV.")
        )  # fmt: skip
        return None
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
    body = _plain_body(text, columns, expected)
    if body is None:
        try:
            body = _checked_body(text, name, columns, expected, problems)
        except csv.Error as exc:
            problems.append(
                _p("CSC-E4101", f"cannot read the file as CSV: {exc}", name, None, "", "",
                   "Save the table as a UTF-8 CSV.")
            )  # fmt: skip
            return None
    data, line_numbers = body
    return table, {**data, "_row": line_numbers, "_file": [name] * len(line_numbers)}


_NOT_PLAIN = re.compile(r'["\r\x00]|\n\n|[^\S\n](?:,|\n|$)|(?:^|,|\n)[^\S\n]')
"""What the fast path leaves to the checked one: quotes, carriage returns, NUL bytes, blank
lines, and cells with whitespace to strip."""
_ODD_ASCII = '"\x00\t\r\x0b\x0c\x1c\x1d\x1e\x1f'
_ODD_PAIRS = (" ,", ", ", " \n", "\n ", "\n\n")


def _maybe_plain(text: str) -> bool:
    """False where ``_NOT_PLAIN`` matches. ASCII text (the usual case) is tested by substring
    searches, which are many times faster than the pattern and stricter (any tab, say): the
    checked reader reads a plain file the same, so sending it there changes nothing."""
    if not text.isascii():
        return _NOT_PLAIN.search(text) is None
    return not (
        any(c in text for c in _ODD_ASCII)
        or any(s in text for s in _ODD_PAIRS)
        or text.startswith(" ")
        or text.endswith(" ")
    )


def _plain_body(
    text: str, columns: list[str], expected: tuple[str, ...]
) -> tuple[dict[str, Sequence[str]], list[str]] | None:
    """The body of a plain CSV (one row a line, no quoting, nothing to strip, every row as wide
    as the header, no row of blank cells) split by ``str.split``; None when the file is not
    plain (the checked reader then reads it, row by row, and names what is wrong). On a plain
    file both give the same cells and line numbers."""
    header_end = text.find("\n")
    width = len(columns)
    body = text[header_end + 1 :] if header_end >= 0 else ""
    if not body or not _maybe_plain(text):
        return None
    lines = body.split("\n")
    if body.endswith("\n"):
        lines.pop()
    if body.count(",") != (width - 1) * len(lines) or "," * (width - 1) in lines:
        return None  # a row of blank cells is skipped by the checked reader
    rows = [line.split(",") for line in lines]
    if set(map(len, rows)) != {width}:
        return None
    cells: list[Sequence[str]] = list(zip(*rows, strict=True))
    position = {c: i for i, c in enumerate(columns)}
    blank = ("",) * len(lines)
    data: dict[str, Sequence[str]] = {
        c: cells[position[c]] if c in position else blank for c in expected
    }
    return data, [str(i) for i in range(2, len(lines) + 2)]


def _checked_body(
    text: str, name: str, columns: list[str], expected: tuple[str, ...], problems: list[Problem]
) -> tuple[dict[str, Sequence[str]], list[str]]:
    """The body row by row: blank rows skipped, cells stripped, a row of the wrong width named."""
    width = len(columns)
    data: dict[str, list[str]] = {c: [] for c in expected}
    line_numbers: list[str] = []
    records = csv.reader(io.StringIO(text))
    next(records, None)
    for i, rec in enumerate(records, start=2):
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
    return {**data}, line_numbers
