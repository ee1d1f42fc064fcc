"""``csceval costs``: check a cost ledger (CSV or XLSX) and write the CBA audit workbook."""

from __future__ import annotations

from pathlib import Path

import click

from csceval.cli.options import out_option
from csceval.errors import InputError, Problem
from csceval.terminal import cannot_write, fail
from csceval.terminal import out as console


@click.group("costs")
def costs() -> None:
    """Implementation costs and cost-benefit analysis."""


@costs.command("check")
@click.argument("ledger", type=click.Path(path_type=Path))
@click.option(
    "--project",
    required=True,
    type=click.Path(path_type=Path),
    help="The evaluation project the ledger belongs to (its sites and years).",
)
@click.option("--sheet", help="The sheet holding the ledger [default: the first].")
def check(ledger: Path, project: Path, sheet: str | None) -> None:
    """Check the cost ledger LEDGER (an XLSX workbook) against a project's sites and years."""
    from csceval.pipeline import load_project
    from csceval.strands.costs.inputs import deflator_of
    from csceval.strands.costs.ledger import read_ledger_xlsx

    try:
        loaded = load_project(project)
        frame = read_ledger_xlsx(ledger, loaded.settings, deflator_of(loaded.tables), sheet)
    except InputError as exc:
        fail(*exc.problems)
    console.print(f"[green]valid[/]: {ledger} ({len(frame)} ledger rows)")


@costs.command("workbook")
@click.argument("project", type=click.Path(path_type=Path))
@out_option("The .xlsx file to write.")
def workbook(project: Path, out: Path) -> None:
    """Write PROJECT's cost-benefit audit workbook (formulas beside csceval's values).

    The impact strand runs first, as in ``csceval run``: its estimates drive the savings.
    """
    from csceval.pipeline import analyse_strands, load_project
    from csceval.strands.costs.workbook import write_costs_workbook

    try:
        runs = analyse_strands(load_project(project), only="costs")
        costs = next(run for run in runs if run.strand.id == "costs")
        if costs.skipped:
            fail(Problem("CSC-E3015", "the project has no cost ledger", file=str(project),
                         fix="add data/cost_ledger.csv (docs/formats.md)"))  # fmt: skip
        written = write_costs_workbook(costs.result, out)
    except InputError as exc:
        fail(*exc.problems)
    except OSError as exc:
        fail(cannot_write(out, exc))
    console.print(f"Wrote {written}", markup=False)
