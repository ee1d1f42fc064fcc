"""The pipeline: load a project with every registered strand, analyse, report, simulate.

It composes the strands (:mod:`csceval.registry`) and never names one. :func:`evaluate` is the
notebook's entry point (also ``csceval.evaluate``).
"""

from csceval.pipeline.evaluation import Evaluation, evaluate
from csceval.pipeline.load import load_project, validate_project
from csceval.pipeline.run import (
    RunSummary,
    StrandRun,
    analyse_strands,
    build_report,
    policy_of,
    provenance,
    run_project,
    write_runs,
)
from csceval.pipeline.simulated import SimulationSummary, project_files, simulate_project

__all__ = [
    "Evaluation",
    "RunSummary",
    "SimulationSummary",
    "StrandRun",
    "analyse_strands",
    "build_report",
    "evaluate",
    "load_project",
    "policy_of",
    "project_files",
    "provenance",
    "run_project",
    "simulate_project",
    "validate_project",
    "write_runs",
]
