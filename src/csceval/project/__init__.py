"""The evaluation project contract: evaluation.toml, declared tables and files, reading, checks.

Strand-agnostic: it reads what the strands it is given declare (:class:`StrandDeclarations`);
:func:`csceval.pipeline.load_project` passes the registered strands.
"""

from csceval.project.declarations import (
    ProjectData,
    ProjectFile,
    StrandDeclarations,
    TableChecks,
)
from csceval.project.load import Project, read_project
from csceval.project.settings import EvaluationSettings, Site
from csceval.project.tables import TABLES

__all__ = [
    "TABLES",
    "EvaluationSettings",
    "Project",
    "ProjectData",
    "ProjectFile",
    "Site",
    "StrandDeclarations",
    "TableChecks",
    "read_project",
]
