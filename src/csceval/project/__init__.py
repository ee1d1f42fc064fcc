"""The evaluation project folder: evaluation.toml, declared data/ tables, loading and checks."""

from csceval.project.load import Project, load_project, validate_project
from csceval.project.settings import EvaluationSettings, Site
from csceval.project.tables import TABLES

__all__ = ["TABLES", "EvaluationSettings", "Project", "Site", "load_project", "validate_project"]
