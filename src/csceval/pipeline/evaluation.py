"""An evaluation in one object, for a notebook: ``csceval.evaluate(folder)``.

:func:`evaluate` loads a project folder and runs every available strand once;
:class:`Evaluation` holds the results (each a :class:`csceval.strands.Result`: ``to_frame()``
and ``summary()``) and writes the report from them without analysing again. docs/api.md
shows it at work.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from csceval.pipeline.load import load_project
from csceval.pipeline.run import Progress, StrandRun, analyse_strands, write_runs
from csceval.project import Project
from csceval.report.model import Section
from csceval.report.writer import ReportFiles
from csceval.strands import Result

DEFAULT_COMMAND = "csceval.evaluate"
"""The command recorded in the report's provenance when none is given."""


@dataclass(frozen=True, eq=False)
class Evaluation:
    """A loaded project and what every registered strand made of it.

    ``runs`` holds every registered strand in run order, with its result and report section,
    or why it was skipped. ``evaluation[strand_id]`` is that strand's result.
    """

    project: Project
    runs: tuple[StrandRun, ...]

    @property
    def results(self) -> Mapping[str, Any]:
        """Strand id -> result, for the strands that ran, in run order."""
        return MappingProxyType({r.strand.id: r.result for r in self.runs if not r.skipped})

    @property
    def skipped(self) -> tuple[str, ...]:
        """Ids of the strands that did not run (the project lacks what they need)."""
        return tuple(r.strand.id for r in self.runs if r.skipped)

    @property
    def sections(self) -> Mapping[str, Section]:
        """Strand id -> its report section (disclosure-controlled), for the strands that ran."""
        return MappingProxyType(
            {r.strand.id: r.section for r in self.runs if r.section is not None}
        )

    def __getitem__(self, strand_id: str) -> Any:
        """The result of strand ``strand_id``; KeyError says why when there is none."""
        run = next((r for r in self.runs if r.strand.id == strand_id), None)
        if run is None:
            known = ", ".join(r.strand.id for r in self.runs)
            raise KeyError(f"no strand {strand_id!r} (strands: {known})")
        if run.skipped:
            raise KeyError(f"strand {strand_id!r} did not run ({run.skipped})")
        return run.result

    def summary(self) -> str:
        """One line on the project, then a line per strand (by id): what it found, or why not."""
        ran = len(self.runs) - len(self.skipped)
        lines = [f"{self.project.settings.evaluation.name}: {ran} of {len(self.runs)} strands ran."]
        for run in self.runs:
            if run.skipped:
                found = f"skipped ({run.skipped})"
            elif isinstance(run.result, Result):
                found = run.result.summary().splitlines()[0]
            else:  # a plug-in strand whose result has no summary(): its section's
                found = run.section.summary if run.section is not None else "ran"
            lines.append(f"{run.strand.id}: {found}")
        return "\n".join(lines)

    def report(
        self, out: Path | str, *, command: str = DEFAULT_COMMAND, progress: Progress | None = None
    ) -> ReportFiles:
        """Write the report of this evaluation under ``out`` (no strand is analysed again).

        The same files as ``csceval run``: ``report/index.html``, ``report.xlsx``,
        ``tables/*.csv``, ``provenance.json`` and any file a strand adds. ``command`` is recorded
        in the provenance.
        """
        summary = write_runs(self.project, self.runs, Path(out), command=command, progress=progress)
        return summary.files

    def __repr__(self) -> str:
        ran = ", ".join(self.results) or "none"
        return f"<Evaluation {str(self.project.root)!r}: ran {ran}; skipped {len(self.skipped)}>"


def evaluate(path: Path | str, progress: Progress | None = None) -> Evaluation:
    """Load the project folder ``path`` and run every available strand on it.

    Raises :class:`csceval.errors.InputError` (coded problems, as ``csceval validate`` lists)
    when the folder is not a valid project.
    """
    project = load_project(Path(path))
    return Evaluation(project, analyse_strands(project, progress))
