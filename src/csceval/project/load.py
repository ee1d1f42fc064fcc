"""Load an evaluation project folder: ``evaluation.toml`` plus the ``data/`` tables.

Loading is all-or-nothing: :func:`load_project` returns a :class:`Project` only when there is no
problem at all, and otherwise raises :class:`~csceval.errors.InputError` carrying every problem
found, so a caller never works on a half-checked project.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from csceval.errors import InputError, Problem
from csceval.project.checks import check_settings, check_tables
from csceval.project.read import read_table
from csceval.project.settings import EvaluationSettings, Site
from csceval.project.tables import TABLES

SETTINGS_FILE = "evaluation.toml"
THEORY_OF_CHANGE_FILE = "theory_of_change.toml"
"""Optional: the project's own theory of change (else the framework default is used)."""


@dataclass(frozen=True)
class Project:
    """A checked evaluation project, ready for the strands' ``analyse`` functions."""

    root: Path
    settings: EvaluationSettings
    tables: Mapping[str, pd.DataFrame]

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def pilots(self) -> list[Site]:
        """Sites that adopted the framework (including pilots that later exited)."""
        return self.settings.sites_with_role("pilot", "exited")

    def input_files(self) -> dict[str, str]:
        """SHA-256 of every input file, by path relative to the project root."""
        paths = [
            self.root / SETTINGS_FILE,
            self.root / THEORY_OF_CHANGE_FILE,
            *(self.root / t.file for t in TABLES),
        ]
        return {
            str(p.relative_to(self.root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in paths
            if p.is_file()
        }


def load_settings(root: Path) -> tuple[EvaluationSettings | None, list[Problem]]:
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
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
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
    return settings, check_settings(settings)


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


def _project_files_problems(root: Path) -> list[Problem]:
    """Problems in the project's other files (a theory of change of its own, ...)."""
    from csceval.impact.calibration_file import check_calibration_file
    from csceval.implementation.theory_of_change import check_theory_file

    return check_theory_file(root) + check_calibration_file(root)


def validate_project(root: Path) -> list[Problem]:
    """Every problem in the project folder (an empty list means it is valid)."""
    try:
        load_project(root)
    except InputError as exc:
        return exc.problems
    return []


def load_project(root: Path) -> Project:
    """Load and check a project; raise :class:`InputError` listing every problem found."""
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
    settings, problems = load_settings(root)
    tables: dict[str, pd.DataFrame] = {}
    for schema in TABLES:
        frame, table_problems = read_table(root, schema)
        problems += table_problems
        if frame is not None:
            tables[schema.name] = frame
    if settings is not None and len(tables) == len(TABLES) and not problems:
        problems += check_tables(settings, tables)
    problems += _project_files_problems(root)
    if problems or settings is None:
        raise InputError(problems)
    return Project(root=root, settings=settings, tables=tables)
