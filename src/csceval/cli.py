"""The csceval command line: a thin layer over the library functions the web platform also uses.

Every user mistake ends in coded messages and exit status 2, never a traceback.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from csceval import __version__
from csceval.childlevel.cli import simulate_child_level_command
from csceval.costs.cli import costs
from csceval.data.cli import data_group
from csceval.errors import InputError, Problem
from csceval.impact.cli import impact
from csceval.reliability.cli import reliability
from csceval.simulate import SimulationSummary, simulate_project
from csceval.terminal import MAX_SHOWN, cannot_write, err, fail
from csceval.terminal import out as console
from csceval.web.cli import web_group
from csceval.web.evaluation.cli import export_project, import_project


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Callable[[str, float], None]]:
    """A progress callback ``(step, fraction)`` drawn as a bar on a terminal."""
    if not enabled:
        yield lambda step, fraction: None
        return
    with Progress(
        TextColumn("{task.description:<32}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("starting", total=1.0)

        def update(step: str, fraction: float) -> None:
            bar.update(task, description=step, completed=fraction)

        yield update


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="csceval")
def main() -> None:
    """Evaluate a children's social care practice framework across English local authorities."""


@main.command()
@click.argument("project", type=click.Path(path_type=Path))
@click.option("--all", "show_all", is_flag=True, help="List every problem, not the first 60.")
def validate(project: Path, show_all: bool) -> None:
    """Check an evaluation project folder and report every problem found."""
    from csceval.project import validate_project

    problems = validate_project(project)
    if any(p.severity == "error" for p in problems):
        fail(*problems, limit=len(problems) if show_all else MAX_SHOWN)
    console.print(f"[green]valid[/]: {project}")


@main.command()
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Folder to write.")
@click.option("--seed", default=2018, show_default=True, type=int, help="Random seed.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def simulate(out: Path, seed: int, quiet: bool) -> None:
    """Write a complete synthetic evaluation project ("synthetic England")."""
    summary = _simulate(out, seed, quiet)
    console.print(
        f"Simulated {summary.n_las} fictional LAs, {summary.n_pilots} pilots, "
        f"{summary.years[0]}-{summary.years[1]}, {summary.n_indicator_rows:,} indicator values "
        f"({summary.n_suppressed_cells:,} suppressed) -> {out}"
    )


def _simulate(out: Path, seed: int, quiet: bool) -> SimulationSummary:
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


@main.command()
@click.argument("project", type=click.Path(path_type=Path))
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Output folder.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run(project: Path, out: Path, quiet: bool) -> None:
    """Run every available strand on a project and write the report."""
    _run(project, out, quiet)


def _run(project: Path, out: Path, quiet: bool) -> None:
    from csceval.pipeline import run_project

    command = shlex.join(["csceval", *sys.argv[1:]])
    try:
        with progress_bar(not quiet) as progress:
            summary = run_project(project, out, command=command, progress=progress)
    except InputError as exc:
        fail(*exc.problems)
    except OSError as exc:
        fail(cannot_write(out, exc))
    for line in summary.lines():
        console.print(line, markup=False)


main.add_command(impact)
main.add_command(reliability)
main.add_command(data_group)
main.add_command(costs)
main.add_command(simulate_child_level_command)
for _name in ("serve", "migrate", "createadmin"):
    main.add_command(web_group.commands[_name])
main.add_command(export_project)
main.add_command(import_project)
audit = click.Group("audit", help="The web platform's hash-chained audit trail.")
audit.add_command(web_group.commands["audit-verify"], name="verify")
audit.add_command(web_group.commands["audit-head"], name="head")
main.add_command(audit)


@main.command()
@click.option("--out", default=Path("demo"), show_default=True, type=click.Path(path_type=Path))
@click.option("--seed", default=2018, show_default=True, type=int)
@click.option("--quiet", is_flag=True, help="No progress bar.")
def demo(out: Path, seed: int, quiet: bool) -> None:
    """Simulate the embedded synthetic evaluation and run it: simulate + run."""
    project = out / "project"
    summary = _simulate(project, seed, quiet)
    console.print(f"Simulated synthetic England (seed {seed}): {summary.n_las} LAs -> {project}")
    _run(project, out / "output", quiet)


if __name__ == "__main__":
    main()
