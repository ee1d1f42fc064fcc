"""One analysis path: load a project, run every available strand, write the report.

Strands share one shape: ``analyse(project) -> result`` (pure) and ``render(result, policy) ->
Section``. A strand is available when the project holds what it needs.
"""

from __future__ import annotations

import json
import platform
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from csceval import __version__
from csceval.case_audit.analysis import analyse_quality
from csceval.case_audit.section import render_quality
from csceval.costs.analysis import analyse_costs
from csceval.costs.section import render_costs
from csceval.costs.workbook import costs_workbook_bytes
from csceval.disclosure import DisclosurePolicy
from csceval.impact.section import render_impact
from csceval.impact.strand import analyse_impact, impact_available
from csceval.implementation.progress import analyse_implementation, implementation_available
from csceval.implementation.section import render_implementation
from csceval.indicators.benchmarking import (
    analyse_benchmarks,
    benchmarks_available,
    render_benchmarks,
)
from csceval.indicators.section import render_trends
from csceval.indicators.trends import analyse_trends
from csceval.project import Project, load_project
from csceval.report.model import Report, Section
from csceval.report.writer import ReportFiles, write_report

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class Strand:
    """A strand of the evaluation: how to analyse it and how to report it."""

    id: str
    title: str
    available: Callable[[Project], bool]
    analyse: Callable[[Project], Any]
    render: Callable[[Any, DisclosurePolicy], Section]
    extra_files: Callable[[Any], dict[str, bytes]] | None = None
    """Files the strand adds to the output folder beside the report (e.g. an audit workbook)."""


STRANDS: tuple[Strand, ...] = (
    Strand(
        id="key-indicators",
        title="Key indicators over time",
        available=lambda project: bool(project.pilots) and not project.table("indicators").empty,
        analyse=analyse_trends,
        render=render_trends,
    ),
    Strand(
        id="benchmarking",
        title="Benchmarking against statistical neighbours",
        available=benchmarks_available,
        analyse=analyse_benchmarks,
        render=render_benchmarks,
    ),
    Strand(
        id="impact",
        title="Impact on key indicators",
        available=impact_available,
        analyse=analyse_impact,
        render=render_impact,
    ),
    Strand(
        id="implementation",
        title="Theory of change and implementation",
        available=implementation_available,
        analyse=analyse_implementation,
        render=render_implementation,
    ),
    Strand(
        id="costs",
        title="Costs and value",
        available=lambda project: bool(project.pilots) and not project.table("cost_ledger").empty,
        analyse=analyse_costs,
        render=render_costs,
        extra_files=lambda result: {"costs_workbook.xlsx": costs_workbook_bytes(result)},
    ),
    Strand(
        id="quality-of-recording",
        title="Quality of recording",
        available=lambda project: not project.table("case_audits").empty,
        analyse=analyse_quality,
        render=render_quality,
    ),
)


@dataclass(frozen=True)
class RunSummary:
    """What a run did, for the CLI and the web platform."""

    project: Path
    files: ReportFiles
    strands_run: tuple[str, ...]
    strands_skipped: tuple[str, ...]
    n_tables: int
    n_suppressed: int
    seconds: float
    extra_files: tuple[str, ...] = ()

    def lines(self) -> list[str]:
        ran = ", ".join(self.strands_run) or "none"
        return [
            f"Ran {len(self.strands_run)} strand(s): {ran}"
            + (
                f" (skipped, no data: {', '.join(self.strands_skipped)})"
                if self.strands_skipped
                else ""
            ),
            f"Published {self.n_tables} tables; {self.n_suppressed} cells suppressed by "
            "disclosure control.",
            f"Report: {self.files.index_html}",
            f"Workbook: {self.files.xlsx}   Tables: {self.files.tables_dir}   "
            f"Provenance: {self.files.provenance}"
            + (f"   Also: {', '.join(self.extra_files)}" if self.extra_files else ""),
            f"Done in {self.seconds:.1f} s.",
        ]


def policy_of(project: Project) -> DisclosurePolicy:
    """The project's disclosure policy as the disclosure module takes it."""
    return DisclosurePolicy(**project.settings.disclosure.model_dump())


def provenance(project: Project, command: str) -> dict[str, object]:
    """Inputs (with hashes), versions, seed and command: enough to reproduce the run."""
    truth = project.root / "truth.json"
    seed = json.loads(truth.read_text())["seed"] if truth.is_file() else None
    return {
        "command": command,
        "csceval_version": __version__,
        "python": platform.python_version(),
        "packages": {p: version(p) for p in ("numpy", "pandas", "scipy", "pydantic", "openpyxl")},
        "project": project.settings.evaluation.name,
        "inputs": project.input_files(),
        "seed": seed,
        "disclosure_policy": project.settings.disclosure.model_dump(),
    }


def build_report(
    project: Project, command: str, progress: Progress
) -> tuple[Report, list[str], dict[str, bytes]]:
    """Analyse and render every available strand; also the strands' extra output files."""
    policy = policy_of(project)
    sections: list[Section] = []
    skipped: list[str] = []
    extra: dict[str, bytes] = {}
    for i, strand in enumerate(STRANDS):
        progress(f"analysing {strand.title.lower()}", 0.1 + 0.7 * i / len(STRANDS))
        if not strand.available(project):
            skipped.append(strand.id)
            continue
        result = strand.analyse(project)
        sections.append(strand.render(result, policy))
        if strand.extra_files is not None:
            extra.update(strand.extra_files(result))
    report = Report(
        title=project.settings.evaluation.name,
        subtitle=f"Evaluation of {', '.join(project.settings.evaluation.frameworks)}",
        sections=tuple(sections),
        provenance=provenance(project, command),
        synthetic=project.settings.evaluation.synthetic,
    )
    return report, skipped, extra


def run_project(
    root: Path, out: Path, *, command: str = "", progress: Progress | None = None
) -> RunSummary:
    """Load, analyse and report a project folder (raises InputError for an invalid project)."""
    started = time.perf_counter()
    tick: Progress = progress or (lambda step, fraction: None)
    tick("loading the project", 0.0)
    project = load_project(root)
    report, skipped, extra = build_report(project, command, tick)
    tick("writing the report", 0.85)
    files = write_report(report, out)
    for relative, content in extra.items():
        (out / relative).write_bytes(content)
    tick("done", 1.0)
    tables = [t for _, t in report.tables]
    return RunSummary(
        project=Path(root),
        files=files,
        strands_run=tuple(s.id for s in report.sections),
        strands_skipped=tuple(skipped),
        n_tables=len(tables),
        n_suppressed=sum(t.table.suppressed_primary + t.table.suppressed_secondary for t in tables),
        seconds=time.perf_counter() - started,
        extra_files=tuple(sorted(extra)),
    )
