"""Reading 903 files into text tables: CSVs recognised by their header row, and the XML.

A CSV's table is the one whose columns its header row best matches; the XML is streamed over its
``CHILD`` elements and flattened to the CSV tables (``PL`` is the episode's ``PLACE``; the
``UASC``, ``OC3`` and ``AD1`` fields of the header become rows of their own tables). Every cell
stays text, with its file and line in ``_file`` and ``_row`` for the problems that checking finds.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.data.ssda903_checks import _p
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
    try:
        records = list(csv.reader(io.StringIO(text)))
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
