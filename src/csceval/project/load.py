"""Read an evaluation project folder: ``evaluation.toml``, the ``data/`` tables, declared files.

Reading is all-or-nothing: :func:`read_project` returns a :class:`Project` only when there is no
problem at all, and otherwise raises :class:`~csceval.errors.InputError` carrying every problem
found, so a caller never works on a half-checked project.

The contract knows the core tables (LAs, neighbours, reorganisations, framework scoping,
indicators); everything else comes from the strands it is given (their tables, files, checks and
estimators). :func:`csceval.pipeline.load_project` passes the registered strands.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from csceval.errors import InputError, Problem
from csceval.project.checks import CORE_ESTIMATORS, check_settings, check_tables
from csceval.project.declarations import MAX_FILE_BYTES, ProjectFile, StrandDeclarations
from csceval.project.documents import parse_toml
from csceval.project.read import read_table
from csceval.project.schema import TableSchema
from csceval.project.settings import EvaluationSettings, Site
from csceval.project.tables import TABLES

SETTINGS_FILE = "evaluation.toml"


@dataclass(frozen=True)
class Project:
    """A checked evaluation project: settings, every declared table and every declared file."""

    root: Path
    settings: EvaluationSettings
    tables: Mapping[str, pd.DataFrame]
    files: Mapping[str, Any] = field(default_factory=dict)
    """Parsed declared files by name (None when the project has no such file)."""
    inputs: tuple[str, ...] = ()
    """Every path the project was read from or could have been (relative), for provenance."""

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def file(self, name: str) -> Any:
        return self.files[name]

    @property
    def pilots(self) -> list[Site]:
        """Sites that adopted the framework (including pilots that later exited)."""
        return self.settings.sites_with_role("pilot", "exited")

    def input_files(self) -> dict[str, str]:
        """SHA-256 of every input file any strand reads, by path relative to the project root."""
        paths = [self.root / SETTINGS_FILE, *(self.root / p for p in self.inputs)]
        return {
            str(p.relative_to(self.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in paths
            if p.is_file()
        }


def load_settings(
    root: Path, estimators: tuple[str, ...] = CORE_ESTIMATORS
) -> tuple[EvaluationSettings | None, list[Problem]]:
    """Parse and check ``evaluation.toml``."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return None, [
            Problem(
                "CSC-E1002",
                "the project has no evaluation.toml",
                file=SETTINGS_FILE,
                fix="create evaluation.toml (see docs/formats.md), or run csceval simulate",
            )
        ]
    try:
        raw = parse_toml(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        return None, [
            Problem(
                "CSC-E1003",
                f"not valid TOML: {exc}",
                file=SETTINGS_FILE,
                fix="check quotes, brackets and = signs near the place named",
            )
        ]
    try:
        settings = EvaluationSettings.model_validate(raw)
    except ValidationError as exc:
        return None, [_from_pydantic(error) for error in exc.errors()]
    return settings, check_settings(settings, estimators)


def _from_pydantic(error: Any) -> Problem:
    location = "".join(
        f"[{part}]" if isinstance(part, int) else f".{part}" for part in error["loc"]
    ).lstrip(".")
    kind = error["type"]
    if kind == "missing":
        return Problem(
            "CSC-E1004",
            "required setting is missing",
            file=SETTINGS_FILE,
            column=location,
            fix="add it (see docs/formats.md)",
        )
    if kind == "extra_forbidden":
        return Problem(
            "CSC-E1005",
            "unknown setting",
            file=SETTINGS_FILE,
            column=location,
            fix="check the spelling against docs/formats.md",
        )
    value = error.get("input")
    return Problem(
        "CSC-E1006",
        f"wrong value: {error['msg']}",
        file=SETTINGS_FILE,
        column=location,
        value="" if isinstance(value, dict | list) else str(value),
    )


def read_file(root: Path, declared: ProjectFile) -> tuple[Any, list[Problem]]:
    """Parse one declared file (None when absent); its size is checked before it is read."""
    path = root / declared.path
    if not path.is_file():
        return None, []
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        return None, [
            Problem(
                "CSC-E2020",
                f"the file is {size:,} bytes, more than the {MAX_FILE_BYTES:,} allowed",
                file=declared.path,
                fix="check that this is the right file",
            )
        ]
    try:
        return declared.parse(path.read_bytes(), declared.path), []
    except InputError as exc:
        return None, exc.problems


def read_project(root: Path, strands: Sequence[StrandDeclarations] = ()) -> Project:
    """Read and check a project with the given strands' declarations.

    Raises :class:`InputError` listing every problem found. Core tables are read first, then
    each strand's tables and files in the order given; a strand's checks run only when every
    table read cleanly (their rules assume well-typed columns).
    """
    root = Path(root)
    if not root.is_dir():
        raise InputError(
            [
                Problem(
                    "CSC-E1001",
                    "project folder not found",
                    file=str(root),
                    fix="give the path of a folder holding evaluation.toml and data/",
                )
            ]
        )
    estimators = CORE_ESTIMATORS + tuple(e for s in strands for e in s.estimators)
    settings, problems = load_settings(root, estimators)
    schemas: list[TableSchema] = [*TABLES, *(t for s in strands for t in s.tables)]
    tables: dict[str, pd.DataFrame] = {}
    for schema in schemas:
        frame, table_problems = read_table(root, schema)
        problems += table_problems
        if frame is not None:
            tables[schema.name] = frame
    if settings is not None and len(tables) == len(schemas) and not problems:
        problems += check_tables(settings, tables)
        for strand in strands:
            if strand.checks is not None:
                problems += strand.checks(settings, tables)
    files: dict[str, Any] = {}
    for declared in (f for s in strands for f in s.files):
        files[declared.name], file_problems = read_file(root, declared)
        problems += file_problems
    if problems or settings is None:
        raise InputError(problems)
    inputs = tuple(s.file for s in schemas) + tuple(f.path for s in strands for f in s.files)
    return Project(root=root, settings=settings, tables=tables, files=files, inputs=inputs)
