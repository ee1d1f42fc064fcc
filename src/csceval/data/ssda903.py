"""SSDA903 (children looked after return) as per-table CSVs or as the ``EXPSSDA903`` XML.

Tables and columns are those of the DfE 903 guidance as the DfE-rule validators and liiatools
use them (``lac_validator/config.py`` in ``data-to-insight/csc-validator-be-903``): ``header``,
``episodes``, ``uasc``, ``reviews``, ``missing``, ``oc2``, ``oc3``, ``ad1``,
``placed_for_adoption``, ``previous_permanence``, ``sw_episodes`` (from 2023/24) and ``dolo``
(deprivation of liberty orders, 2026/27). A CSV is recognised by its header row, not its name.
How the ``SEX`` and ``PLACE`` codes changed by collection year, and how both eras are read, is
recorded in :mod:`csceval.data.ssda903_codes`.

Dates are ``dd/mm/YYYY`` (ISO ``YYYY-MM-DD`` is also read). Strict: a cell that is not a date, a
code outside its list, a missing ``CHILD`` or ``DECOM`` or a missing column is an error (coded
CSC-E41xx, with file, row, column and value) and nothing is returned; extra columns are warnings.
In the XML, ``PL`` is the episode's ``PLACE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from lxml import etree  # type: ignore[import-untyped]

from csceval.data.ssda903_checks import _MAX_PROBLEMS, TextTable, _check, _p, _typed
from csceval.data.ssda903_codes import (
    DATE_COLUMNS,
    PLACE_CANONICAL,
    TABLES,
    place_codes,
    recognise,
)
from csceval.data.ssda903_parse import _flatten_child, _read_csv
from csceval.errors import InputError, Problem

__all__ = [
    "PLACE_CANONICAL",
    "TABLES",
    "SSDA903Return",
    "empty_table",
    "place_codes",
    "read_903",
    "read_903_csv",
    "read_903_folder",
    "read_903_xml",
    "recognise",
    "tables_to_csv",
]


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
    return _typed(name, {c: [] for c in (*TABLES[name], "_row")})


def read_903_csv(paths: Iterable[Path], year: int | None = None) -> SSDA903Return:
    """Read per-table 903 CSVs (any names; tables are recognised by header) into one return."""
    problems: list[Problem] = []
    tables: dict[str, TextTable] = {}
    for path in paths:
        got = _read_csv(Path(path), problems)
        if got is None:
            continue
        table, cols = got
        if table in tables:  # two files of one table: one table, rows in file order
            tables[table] = {c: [*tables[table][c], *v] for c, v in cols.items()}
        else:
            tables[table] = cols
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
    tables: dict[str, TextTable] = {
        table: {c: [r.get(c, "") for r in recs] for c in (*TABLES[table], "_row")}
        for table, recs in rows.items()
        if recs
    }
    return _finish(tables, problems, year, file=name)


def read_903(path: Path, year: int | None = None) -> SSDA903Return:
    """A 903 XML file, a CSV file or a folder of CSVs."""
    path = Path(path)
    if path.is_dir():
        return read_903_folder(path, year)
    if path.suffix.lower() == ".xml":
        return read_903_xml(path, year)
    return read_903_csv([path], year)


def _finish(
    tables: dict[str, TextTable], problems: list[Problem], year: int | None, file: str = ""
) -> SSDA903Return:
    parsed: dict[str, dict[str, np.ndarray]] = {t: {} for t in tables}
    for table, cols in tables.items():
        if "_file" not in cols:
            cols["_file"] = [file] * len(cols["_row"])
        problems.extend(_check(table, cols, year, parsed[table]))
        if sum(p.severity == "error" for p in problems) > _MAX_PROBLEMS:
            break
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise InputError(problems[: _MAX_PROBLEMS + 20])
    out = {t: _typed(t, f, parsed[t]) for t, f in tables.items()}
    return SSDA903Return(out, [p for p in problems if p.severity != "error"])


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
