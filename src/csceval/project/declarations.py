"""What the project contract needs to know of a strand: its tables, files, checks and estimators.

The contract (loading, checking, provenance) never imports a strand. The pipeline passes it the
registered strands, and it reads only what :class:`StrandDeclarations` names, so adding a strand
never edits this package.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import pandas as pd

from csceval.errors import Problem
from csceval.project.schema import TableSchema
from csceval.project.settings import EvaluationSettings, Site

MAX_FILE_BYTES = 5_000_000
"""A declared project file larger than this is refused before it is read (CSC-E2020)."""

TableChecks = Callable[[EvaluationSettings, Mapping[str, pd.DataFrame]], list[Problem]]
"""Rules across a strand's tables and ``evaluation.toml``; each problem carries its own code."""


@dataclass(frozen=True)
class ProjectFile:
    """A project file other than a ``data/`` table that a strand reads (TOML, JSON, ...).

    ``parse(data, path)`` turns the file's bytes into the value the strand's ``analyse`` gets,
    raising :class:`~csceval.errors.InputError` with coded problems when the file is invalid.
    When the file is absent the value is ``None``, so ``analyse`` never touches the disk.
    """

    name: str
    path: str
    description: str
    parse: Callable[[bytes, str], Any]


class StrandDeclarations(Protocol):
    """The part of a strand the project contract reads (a :class:`csceval.strands.Strand`)."""

    @property
    def id(self) -> str: ...

    @property
    def tables(self) -> tuple[TableSchema, ...]: ...

    @property
    def files(self) -> tuple[ProjectFile, ...]: ...

    @property
    def checks(self) -> TableChecks | None: ...

    @property
    def estimators(self) -> tuple[str, ...]: ...


class ProjectData(Protocol):
    """The checked contents of a project as analysis code reads them (no paths, no I/O).

    Both :class:`~csceval.project.Project` and a strand's ``StrandInputs`` are one.
    """

    @property
    def settings(self) -> EvaluationSettings: ...

    @property
    def tables(self) -> Mapping[str, pd.DataFrame]: ...

    def table(self, name: str) -> pd.DataFrame: ...

    @property
    def pilots(self) -> list[Site]: ...
