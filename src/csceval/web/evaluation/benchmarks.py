"""A site's benchmarking page: the LA beside its statistical neighbours, region and England.

It is drawn from the snapshot of the latest finished analysis run (so it shows exactly the
data that run published) with the core's benchmarking strand and report renderer, and served
like a report under a script-free, hash-only CSP. Loading a snapshot takes a moment, so the
last few are kept in memory by run id.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from csceval.pipeline import load_project, policy_of
from csceval.project import Project
from csceval.report.html import render_html
from csceval.report.model import Report
from csceval.strands.benchmarking.benchmarking import (
    BenchmarkResult,
    benchmark_la,
    render_benchmarks,
)
from csceval.web.evaluation.models import AnalysisRun


@lru_cache(maxsize=4)
def _snapshot(run_id: int, folder: str) -> Project:
    return load_project(Path(folder) / "project")


def latest_snapshot() -> tuple[AnalysisRun, Project] | None:
    """The latest finished run and its project snapshot (None before any run finished)."""
    run = AnalysisRun.objects.filter(status=AnalysisRun.Status.DONE).first()
    if run is None or not (Path(run.folder) / "project").is_dir():
        return None
    return run, _snapshot(run.pk, run.folder)


def benchmark_page(project: Project, run: AnalysisRun, la_code: str, la_name: str) -> str | None:
    """The page as HTML, or None when the snapshot has nothing to compare for this LA."""
    if project.table("statistical_neighbours").empty or project.table("indicators").empty:
        return None
    section = render_benchmarks(BenchmarkResult(benchmark_la(project, la_code)), policy_of(project))
    report = Report(
        title=f"{la_name}: benchmarks",
        subtitle=f"From analysis run {run.pk} of {project.settings.evaluation.name}",
        sections=(section,),
        provenance={"analysis_run": run.pk, "la_code": la_code},
        synthetic=project.settings.evaluation.synthetic,
    )
    return render_html(report)
