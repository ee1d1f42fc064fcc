"""One analysis path: load a project, run every available registered strand, write the report.

Strands share one shape (:class:`csceval.strands.Strand`): ``analyse(inputs) -> result`` (pure)
and ``render(result, policy) -> Section``. A strand is available when the project holds what it
needs; one that consumes another's result runs after it and receives it as a declared input.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

from csceval.atomic import output_problems, staged_folder
from csceval.disclosure import DisclosurePolicy
from csceval.errors import InputError
from csceval.output_scopes import scope_of
from csceval.pipeline.load import load_project
from csceval.project import Project
from csceval.registry import registered_strands
from csceval.report.model import Report, Section
from csceval.report.questions import ScopeEntry
from csceval.report.writer import ReportFiles, report_files, write_report
from csceval.strands import Strand, StrandInputs
from csceval.strands.evidence_finding import EvidenceFinding
from csceval.version import __version__

Progress = Callable[[str, float], None]


@dataclass(frozen=True)
class StrandRun:
    """One strand's outcome in a run: its result and section, or why it did not run."""

    strand: Strand
    result: Any = None
    section: Section | None = None
    skipped: str = ""
    """Why it did not run ("no data"), empty when it ran."""
    evidence: tuple[EvidenceFinding, ...] = ()
    """What it found on theory-of-change evidence references (``Strand.evidence``)."""


def _with_inputs(wanted: str) -> set[str]:
    """``wanted`` and every strand it consumes, directly or through others."""
    by_id = {s.id: s for s in registered_strands()}
    needed, todo = set(), [wanted]
    while todo:
        current = todo.pop()
        if current not in needed:
            needed.add(current)
            todo += by_id[current].consumes
    return needed


def analyse_strands(
    project: Project, progress: Progress | None = None, *, only: str | None = None
) -> tuple[StrandRun, ...]:
    """Run every registered strand that has what it needs; consumers get their inputs' results.

    Each strand sees only its declared inputs: the project's contents and the results of the
    strands it consumes (absent from ``inputs.results`` when those did not run). Right after a
    strand's render, its evidence findings are computed under the same policy; a strand that
    consumes evidence receives those of every strand that ran before it. ``only`` runs one
    strand and the strands it consumes, nothing else (KeyError for an unknown id): evidence
    providers are not added, so its findings are just those of what ran.
    """
    tick: Progress = progress or (lambda step, fraction: None)
    policy = policy_of(project)
    needed = _with_inputs(only) if only is not None else None
    ordered = [s for s in registered_strands() if needed is None or s.id in needed]
    results: dict[str, Any] = {}
    runs: list[StrandRun] = []
    findings: list[EvidenceFinding] = []
    for i, strand in enumerate(ordered):
        tick(f"analysing {strand.title.lower()}", 0.1 + 0.7 * i / len(ordered))
        consumed = {k: results[k] for k in strand.consumes if k in results}
        given = tuple(findings) if strand.consumes_evidence else ()
        inputs = StrandInputs.of(project, consumed, given)
        if not strand.available(inputs):
            runs.append(StrandRun(strand, skipped="no data"))
            continue
        if strand.derive is not None:  # e.g. a cached calibration: minutes when not cached
            tick(f"preparing {strand.title.lower()}", 0.1 + 0.7 * i / len(ordered))
            inputs = replace(inputs, derived=strand.derive(project))
        result = strand.analyse(inputs)
        results[strand.id] = result
        section = strand.render(result, policy)
        found = strand.evidence(result, section, policy) if strand.evidence is not None else ()
        findings += found
        runs.append(StrandRun(strand, result, section, evidence=found))
    return tuple(runs)


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
            f"Report: {self.files.index_html}"
            + (f"   PDF: {self.files.pdf}" if self.files.pdf is not None else ""),
            f"Workbook: {self.files.xlsx}   Tables: {self.files.tables_dir}   "
            f"Provenance: {self.files.provenance}"
            + (f"   Also: {', '.join(self.extra_files)}" if self.extra_files else ""),
            f"Done in {self.seconds:.1f} s.",
        ]


def policy_of(project: Project) -> DisclosurePolicy:
    """The project's disclosure policy as the disclosure module takes it."""
    return DisclosurePolicy(**project.settings.disclosure.model_dump())


def git_commit() -> str | None:
    """The git commit of csceval's own code when it runs from a git checkout of csceval, else
    None (an installed package inside some other repository is not that repository's code)."""
    here = Path(__file__).resolve()
    try:
        done = subprocess.run(
            ["git", "-C", str(here.parent), "rev-parse", "--show-toplevel", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = done.stdout.split()
    if done.returncode != 0 or len(lines) != 2 or len(lines[1]) != 40:
        return None
    ours = Path(lines[0]) / "src" / "csceval" / "pipeline" / "run.py"
    return lines[1] if ours.resolve() == here else None


def run_time() -> str:
    """The run's time (UTC, to the second), or ``SOURCE_DATE_EPOCH`` when set: the
    reproducible-builds convention, so two runs of the same inputs can give identical bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = (
        datetime.fromtimestamp(int(epoch), UTC)
        if epoch.isdigit()
        else datetime.now(UTC).replace(microsecond=0)
    )
    return when.isoformat()


def provenance(project: Project, command: str) -> dict[str, object]:
    """Inputs (with hashes), time, versions, git commit, seed and command: enough to reproduce
    the run and to say when and from which code it was made."""
    truth = project.root / "truth.json"
    seed = json.loads(truth.read_text())["seed"] if truth.is_file() else None
    return {
        "command": command,
        "run_at": run_time(),
        "csceval_version": __version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "packages": {p: version(p) for p in ("numpy", "pandas", "scipy", "pydantic", "openpyxl")},
        "project": project.settings.evaluation.name,
        "inputs": project.input_files(),
        "seed": seed,
        "disclosure_policy": project.settings.disclosure.model_dump(),
        "outcomes": {  # stated before the data are seen (docs/methods.md, Impact: outcomes)
            "primary": project.settings.analysis.primary,
            "secondary": project.settings.analysis.secondary,
        },
    }


def plan_scope(runs: Sequence[StrandRun]) -> tuple[ScopeEntry, ...]:
    """Every strand of the plan, run or not, with the reason it did not run."""
    reasons = {"no data": "the project holds none of the data it needs"}
    return tuple(
        ScopeEntry(
            run.strand.id,
            run.strand.title,
            not run.skipped,
            reasons.get(run.skipped, run.skipped),
        )
        for run in runs
    )


def build_report(project: Project, runs: Sequence[StrandRun], command: str = "") -> Report:
    """The report of strands already analysed: their sections, the plan's scope, the project's
    description and the run's provenance."""
    return Report(
        title=project.settings.evaluation.name,
        subtitle=f"Evaluation of {', '.join(project.settings.evaluation.frameworks)}",
        sections=tuple(run.section for run in runs if run.section is not None),
        provenance=provenance(project, command),
        synthetic=project.settings.evaluation.synthetic,
        description=project.settings.evaluation.description,
        scope=plan_scope(runs),
        assumptions=tuple(project.settings.evaluation.assumptions),
    )


def write_runs(
    project: Project,
    runs: Sequence[StrandRun],
    out: Path,
    *,
    command: str = "",
    progress: Progress | None = None,
    started: float | None = None,
    pdf: bool = False,
) -> RunSummary:
    """Write the report of strands already analysed, and the files they add, under ``out``.

    The one writing path: :func:`run_project` and :meth:`csceval.pipeline.Evaluation.report`
    both end here. ``started`` (a :func:`time.perf_counter` reading) is when the run began.
    The folder is written aside and renamed into place when complete, with ``manifest.json``
    (:mod:`csceval.atomic`): an earlier output is replaced whole, never left half-updated.
    Raises :class:`InputError` when ``out`` cannot take the output (see :func:`check_out`).
    """
    started = time.perf_counter() if started is None else started
    tick: Progress = progress or (lambda step, fraction: None)
    out = Path(out)
    check_out(out, project.root)
    report = build_report(project, runs, command)
    extra: dict[str, bytes] = {}
    for run in runs:
        if run.section is not None and run.strand.extra_files is not None:
            extra.update(run.strand.extra_files(run.result))
    tick("writing the report", 0.85)
    with staged_folder(out, describe=scope_record) as staging:
        written = write_report(report, staging, pdf=pdf)
        for relative, content in extra.items():
            (staging / relative).write_bytes(content)
    files = report_files(report, out, tuple(p.name for p in written.pages), pdf=pdf)
    tick("done", 1.0)
    tables = [t for _, t in report.tables]
    return RunSummary(
        project=project.root,
        files=files,
        strands_run=tuple(run.strand.id for run in runs if not run.skipped),
        strands_skipped=tuple(run.strand.id for run in runs if run.skipped),
        n_tables=len(tables),
        n_suppressed=sum(t.table.suppressed_primary + t.table.suppressed_secondary for t in tables),
        seconds=time.perf_counter() - started,
        extra_files=tuple(sorted(extra)),
    )


def scope_record(relative: str) -> dict[str, str]:
    """The manifest fields of an output file's scope under the core rules and every registered
    strand's (:mod:`csceval.output_scopes`; {} when no rule covers it: never served)."""
    found = scope_of(relative, [s.output_scopes for s in registered_strands()])
    return found.record() if found is not None else {}


def check_out(out: Path, root: Path) -> None:
    """Refuse, before any work, an output folder that is a file, the project or inside it, or a
    folder of other things (:func:`csceval.atomic.output_problems`)."""
    problems = output_problems(out, root)
    if problems:
        raise InputError(problems)


def run_project(
    root: Path,
    out: Path,
    *,
    command: str = "",
    progress: Progress | None = None,
    pdf: bool = False,
) -> RunSummary:
    """Load, analyse and report a project folder (raises InputError for an invalid project or
    an unusable ``out``, which is checked first)."""
    started = time.perf_counter()
    tick: Progress = progress or (lambda step, fraction: None)
    check_out(Path(out), Path(root))
    tick("loading the project", 0.0)
    project = load_project(root)
    runs = analyse_strands(project, tick)
    return write_runs(project, runs, out, command=command, progress=tick, started=started, pdf=pdf)
