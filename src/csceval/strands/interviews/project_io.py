"""The strand's declared files, and loading a project with only this strand's declarations.

The CLI commands read a project through the contract (:func:`csceval.project.read_project`)
with the core tables and this strand's tables, files and checks, so what they see is exactly
what ``csceval run`` would analyse (strands may not import the pipeline or the registry).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from csceval.project import Project, ProjectFile, TableChecks, read_project
from csceval.project.documents import parse_toml
from csceval.project.schema import TableSchema
from csceval.strands.interviews.checks import check_interview_tables
from csceval.strands.interviews.codebook import (
    CODEBOOK_FILE,
    GUIDE_FILE,
    parse_codebook,
    parse_topic_guide,
)
from csceval.strands.interviews.names import FILE as NAMES_FILE
from csceval.strands.interviews.names import parse_names
from csceval.strands.interviews.tables import TABLES

FILES: tuple[ProjectFile, ...] = (
    ProjectFile(
        "interview_codebook",
        CODEBOOK_FILE,
        "The codebook: hierarchical codes with definitions, versioned, with a change log "
        "([[changes]]: version, change) that `csceval qual merge-codes` and `split-code` "
        "append to; without it the default (a code per box of the theory of change) is used. "
        "Optional.",
        parse_codebook,
    ),
    ProjectFile(
        "interview_topic_guide",
        GUIDE_FILE,
        "The topic guide: interview questions by section, versioned; without it the default is "
        "used. Optional.",
        parse_topic_guide,
    ),
    ProjectFile(
        "interview_names",
        NAMES_FILE,
        "Name lists for de-identification: people, places and speaker labels mapped to "
        "pseudonyms. Holds real names: keep it restricted; no output carries it. Optional.",
        parse_names,
    ),
)


@dataclass(frozen=True)
class _Declarations:
    id: str = "interviews"
    tables: tuple[TableSchema, ...] = TABLES
    files: tuple[ProjectFile, ...] = FILES
    checks: TableChecks | None = check_interview_tables
    estimators: tuple[str, ...] = ()


def _named_estimators(root: Path) -> tuple[str, ...]:
    """The estimators ``evaluation.toml`` names: other strands own and check them."""
    try:
        raw = parse_toml((root / "evaluation.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return ()  # read_project reports the problem with its own code
    named = raw.get("analysis", {}).get("estimators", []) if isinstance(raw, dict) else []
    return tuple(e for e in named if isinstance(e, str)) if isinstance(named, list) else ()


def load_interviews_project(root: Path) -> Project:
    """The project read and checked with the core's and this strand's declarations.

    The estimators named in ``evaluation.toml`` are accepted here: they belong to other strands,
    which ``csceval validate`` checks with the whole registry.
    """
    return read_project(root, [_Declarations(estimators=_named_estimators(root))])
