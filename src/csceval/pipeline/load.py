"""Load a project folder with every registered strand's tables, files and checks."""

from __future__ import annotations

from pathlib import Path

from csceval.errors import InputError, Problem
from csceval.project import Project, read_project
from csceval.registry import registered_strands


def load_project(root: Path) -> Project:
    """Load and check a project; raise :class:`InputError` listing every problem found."""
    return read_project(root, registered_strands())


def validate_project(root: Path) -> list[Problem]:
    """Every problem in the project folder (an empty list means it is valid)."""
    try:
        load_project(root)
    except InputError as exc:
        return exc.problems
    return []
