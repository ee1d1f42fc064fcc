"""Read a project's CSV tables against their declared schemas, collecting every problem.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first data row is row 2.
A ``dfe_value`` column becomes two columns: ``<name>`` (float, NaN where a symbol stands) and
``<name>_symbol`` (the symbol, or an empty string where a number stands).
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from csceval.errors import Problem
from csceval.project.schema import PARSERS, TYPE_HELP, Column, ColumnType, TableSchema
from csceval.project.tables import DIRECT_IDENTIFIER_NAMES

MAX_PROBLEMS_PER_TABLE = 500
"""Past this many problems in one table, reading stops and says so (a wholly wrong file)."""


def empty_frame(schema: TableSchema) -> pd.DataFrame:
    """A table with the declared columns and no rows."""
    return _to_frame(schema, {c.name: [] for c in schema.columns})


def read_table(root: Path, schema: TableSchema) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Read and check one table; the frame is None whenever any problem was found."""
    path = root / schema.file
    if not path.is_file():
        if not schema.required:
            return empty_frame(schema), []
        return None, [
            Problem(
                "CSC-E2001",
                f"the {schema.name} table is missing",
                file=schema.file,
                fix=f"add {schema.file} with columns {', '.join(schema.column_names)}",
            )
        ]
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        return None, [
            Problem(
                "CSC-E2002",
                f"cannot read the file as UTF-8 CSV ({exc.__class__.__name__}: {exc})",
                file=schema.file,
                fix="save the file as CSV UTF-8 from your spreadsheet program",
            )
        ]
    if not rows:
        return None, [Problem("CSC-E2013", "the file is empty", file=schema.file)]
    header, body = [h.strip() for h in rows[0]], rows[1:]
    problems = _check_header(schema, header)
    if problems:
        return None, problems
    values, problems = _parse_rows(schema, header, body)
    if not problems:
        problems = _check_keys(schema, values)
    if problems:
        return None, problems
    return _to_frame(schema, values), []


def _check_header(schema: TableSchema, header: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    for name in header:
        if name.lower() in DIRECT_IDENTIFIER_NAMES:
            problems.append(
                Problem(
                    "CSC-E2014",
                    "the file has a column of direct identifiers, which csceval refuses",
                    file=schema.file,
                    row=1,
                    column=name,
                    fix="remove the column; csceval holds only pseudonymised data",
                )
            )
        elif name not in schema.column_names:
            problems.append(
                Problem(
                    "CSC-E2004",
                    "unexpected column",
                    file=schema.file,
                    row=1,
                    column=name,
                    fix=f"the columns are {', '.join(schema.column_names)}",
                )
            )
    for name, count in Counter(header).items():
        if count > 1:
            problems.append(
                Problem("CSC-E2004", "column appears twice", file=schema.file, row=1, column=name)
            )
    for column in schema.columns:
        if column.name not in header and column.required:
            problems.append(
                Problem(
                    "CSC-E2003",
                    "required column is missing",
                    file=schema.file,
                    row=1,
                    column=column.name,
                    fix=f"add a column {column.name}: {column.description}",
                )
            )
    return problems


def _parse_rows(
    schema: TableSchema, header: list[str], body: list[list[str]]
) -> tuple[dict[str, list[Any]], list[Problem]]:
    values: dict[str, list[Any]] = {c.name: [] for c in schema.columns}
    positions = {name: i for i, name in enumerate(header)}
    problems: list[Problem] = []
    for offset, raw in enumerate(body):
        if not any(cell.strip() for cell in raw):
            continue
        row_number = offset + 2
        if len(raw) != len(header):
            problems.append(
                Problem(
                    "CSC-E2002",
                    f"the row has {len(raw)} cells but the header has {len(header)}",
                    file=schema.file,
                    row=row_number,
                    fix="check for a stray comma or a missing cell",
                )
            )
            continue
        for column in schema.columns:
            index = positions.get(column.name)
            text = raw[index].strip() if index is not None else ""
            value, problem = _parse_cell(schema, column, text, row_number)
            values[column.name].append(value)
            if problem:
                problems.append(problem)
        if len(problems) >= MAX_PROBLEMS_PER_TABLE:
            problems.append(
                Problem(
                    "CSC-E2018",
                    f"stopped after {MAX_PROBLEMS_PER_TABLE} problems in this table",
                    file=schema.file,
                    fix="check the file is the right table, then fix the problems listed",
                )
            )
            break
    return values, problems


def _parse_cell(
    schema: TableSchema, column: Column, text: str, row: int
) -> tuple[Any, Problem | None]:
    def problem(code: str, message: str, fix: str = "") -> Problem:
        return Problem(
            code, message, file=schema.file, row=row, column=column.name, value=text, fix=fix
        )

    if not text:
        return None, problem("CSC-E2007", "a value is required") if column.required else None
    try:
        value = PARSERS[column.type](text)
    except ValueError:
        help_text = TYPE_HELP[column.type]
        return None, problem("CSC-E2005", f"expected {help_text}", f"write {help_text}")
    if column.allowed and text not in column.allowed:
        return None, problem(
            "CSC-E2006", "value not allowed", f"use one of: {', '.join(column.allowed)}"
        )
    if column.minimum is not None and isinstance(value, int | float) and value < column.minimum:
        return None, problem("CSC-E2009", f"value below the minimum of {column.minimum:g}")
    return value, None


def _check_keys(schema: TableSchema, values: dict[str, list[Any]]) -> list[Problem]:
    if not schema.key:
        return []
    seen: dict[tuple[Any, ...], int] = {}
    problems: list[Problem] = []
    for offset, key in enumerate(zip(*(values[k] for k in schema.key), strict=True)):
        if key in seen:
            problems.append(
                Problem(
                    "CSC-E2008",
                    f"duplicate row: {', '.join(schema.key)} already given in row {seen[key]}",
                    file=schema.file,
                    row=offset + 2,
                    column=schema.key[0],
                    value=" / ".join(str(k) for k in key),
                    fix="keep one row for each " + " and ".join(schema.key),
                )
            )
        else:
            seen[key] = offset + 2
    return problems


def _to_frame(schema: TableSchema, values: dict[str, list[Any]]) -> pd.DataFrame:
    data: dict[str, Any] = {}
    for column in schema.columns:
        cells = values[column.name]
        if column.type is ColumnType.INTEGER:
            data[column.name] = pd.array(cells, dtype="Int64")
        elif column.type is ColumnType.NUMBER:
            data[column.name] = np.array([np.nan if v is None else v for v in cells], dtype=float)
        elif column.type is ColumnType.DFE_VALUE:
            data[column.name] = np.array(
                [v if isinstance(v, float) else np.nan for v in cells], dtype=float
            )
            data[f"{column.name}_symbol"] = [v if isinstance(v, str) else "" for v in cells]
        else:
            data[column.name] = pd.Series(cells, dtype=object)
    return pd.DataFrame(data)
