"""What the scoping commands read from and write to a project folder.

The commands read only the tables they need (``csceval validate`` checks the whole project), and
write a table through a file beside it, renamed when complete, so that nothing is half-written.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from csceval.errors import InputError, Problem
from csceval.project.checks import check_tables
from csceval.project.load import load_settings
from csceval.project.read import read_table
from csceval.project.schema import TableSchema
from csceval.project.tables import TABLES
from csceval.strands.scoping.checks import check_scoping
from csceval.strands.scoping.responses_io import table_text, write_atomic
from csceval.strands.scoping.tables import TABLES as OWN_TABLES
from csceval.strands.strand import StrandInputs

UNKNOWN_ESTIMATOR = "CSC-E1302"
"""Other strands declare their estimators; these commands do not know them, so they skip it."""


def read_tables(root: Path, schemas: tuple[TableSchema, ...]) -> dict[str, pd.DataFrame]:
    """The tables, read and checked against their schemas; raises :class:`InputError`."""
    if not root.is_dir():
        raise InputError(
            [
                Problem(
                    "CSC-E3520",
                    "the project folder does not exist",
                    str(root),
                    fix="give the folder holding evaluation.toml",
                )
            ]
        )
    tables: dict[str, pd.DataFrame] = {}
    problems: list[Problem] = []
    for schema in schemas:
        frame, found = read_table(root, schema)
        problems += found
        if frame is not None:
            tables[schema.name] = frame
    if problems:
        raise InputError(problems)
    return tables


def read_inputs(root: Path) -> StrandInputs:
    """The settings and every core and scoping table, checked (estimator names aside)."""
    settings, problems = load_settings(root)
    problems = [p for p in problems if p.code != UNKNOWN_ESTIMATOR]
    if settings is None or problems:
        raise InputError(problems)
    tables = read_tables(root, (*TABLES, *OWN_TABLES))
    found = check_tables(settings, tables) + check_scoping(settings, tables)
    if found:
        raise InputError(found)
    return StrandInputs(settings, tables)


def write_table(root: Path, schema: TableSchema, frame: pd.DataFrame) -> Path:
    """Write a table into the project (aside, then renamed); returns its path."""
    path = root / schema.file
    try:
        write_atomic(path, table_text(schema, frame))
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    "CSC-E3520",
                    f"cannot write the table ({exc.strerror or exc})",
                    str(path),
                    fix="check the folder can be written",
                )
            ]
        ) from None
    return path
