"""``csceval simulate|validate|run|demo``: an evaluation project from folder to report.

Each command calls one library function (:func:`csceval.pipeline.simulate_project`,
:func:`csceval.pipeline.validate_project`, :func:`csceval.pipeline.run_project`) and prints its
summary; every user mistake ends in coded messages and exit status 2, never a traceback.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from csceval.cli.options import out_option, quiet_option, seed_option
from csceval.errors import InputError, Problem
from csceval.pipeline import SimulationSummary
from csceval.terminal import MAX_SHOWN, cannot_write, fail, progress_bar
from csceval.terminal import out as console

SEED = 2018  # the seed of the embedded synthetic evaluation ("synthetic England")


@click.command()
@click.argument("project", type=click.Path(path_type=Path))
@click.option("--all", "show_all", is_flag=True, help="List every problem, not the first 60.")
def validate(project: Path, show_all: bool) -> None:
    """Check an evaluation project folder PROJECT and report every problem found."""
    from csceval.pipeline import validate_project

    problems = validate_project(project)
    if any(p.severity == "error" for p in problems):
        fail(*problems, limit=len(problems) if show_all else MAX_SHOWN)
    console.print(f"[green]valid[/]: {project}")


@click.command()
@out_option("Folder to write the project to (new, empty, or an earlier synthetic project).")
@seed_option(SEED)
@quiet_option
def simulate(out: Path, seed: int, quiet: bool) -> None:
    """Write a complete synthetic evaluation project ("synthetic England")."""
    summary = simulate_into(out, seed, quiet)
    console.print(
        f"Simulated {summary.n_las} fictional LAs, {summary.n_pilots} pilots, "
        f"{summary.years[0]}-{summary.years[1]}, {summary.n_indicator_rows:,} indicator values "
        f"({summary.n_suppressed_cells:,} suppressed) -> {out}",
        markup=False,
    )


def simulate_into(out: Path, seed: int, quiet: bool) -> SimulationSummary:
    """Simulate a project into ``out``; coded problems (CSC-E5001, CSC-E5002) and exit 2."""
    from csceval.pipeline import simulate_project

    try:
        with progress_bar(not quiet) as progress:
            return simulate_project(out, seed=seed, progress=progress)
    except FileExistsError as exc:
        if exc.errno is not None:  # the OS found a file where a folder belongs
            fail(cannot_write(out, exc))
        fail(
            Problem(
                "CSC-E5001",
                str(exc),
                file=str(out),
                fix="choose an empty folder or a previous synthetic project",
            )
        )
    except OSError as exc:
        fail(cannot_write(out, exc))


pdf_option = click.option(
    "--pdf",
    is_flag=True,
    help="Also write the whole report as one PDF (report/report.pdf; needs WeasyPrint).",
)


@click.command()
@click.argument("project", type=click.Path(path_type=Path))
@out_option("Folder to write the report, tables, workbooks and provenance to.")
@pdf_option
@quiet_option
def run(project: Path, out: Path, pdf: bool, quiet: bool) -> None:
    """Run every available strand on the project folder PROJECT and write the report."""
    run_into(project, out, quiet, pdf=pdf)


def run_into(project: Path, out: Path, quiet: bool, *, pdf: bool = False) -> None:
    """Analyse ``project`` into ``out`` and print the summary; coded problems and exit 2."""
    from csceval.pipeline import run_project
    from csceval.report.pdf import pdf_available

    if pdf and not pdf_available():
        fail(
            Problem(
                "CSC-E5006",
                "--pdf needs WeasyPrint, which is not installed",
                fix='pip install "csceval[pdf]" (it uses the system\'s Pango library: '
                "apt-get install libpango-1.0-0 libpangoft2-1.0-0)",
            )
        )
    command = shlex.join(["csceval", *sys.argv[1:]])
    try:
        with progress_bar(not quiet) as progress:
            summary = run_project(project, out, command=command, progress=progress, pdf=pdf)
    except InputError as exc:
        fail(*exc.problems)
    except OSError as exc:
        fail(cannot_write(out, exc))
    for line in summary.lines():
        console.print(line, markup=False)


@click.command()
@out_option(
    "Folder to write: PATH/project (the simulation) and PATH/output (the report).",
    default=Path("demo"),
)
@seed_option(SEED)
@pdf_option
@quiet_option
def demo(out: Path, seed: int, pdf: bool, quiet: bool) -> None:
    """Simulate the embedded synthetic evaluation and run it: simulate + run."""
    project = out / "project"
    summary = simulate_into(project, seed, quiet)
    console.print(
        f"Simulated synthetic England (seed {seed}): {summary.n_las} LAs -> {project}",
        markup=False,
    )
    run_into(project, out / "output", quiet, pdf=pdf)


COMMANDS = (simulate, validate, run, demo)
