"""``csceval costs``: check a cost ledger (CSV or XLSX) and write the CBA audit workbook."""

from __future__ import annotations

from pathlib import Path

import click

from csceval.errors import InputError
from csceval.terminal import fail, out


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
@click.option("--sheet", help="XLSX: the sheet holding the ledger (default: the first).")
def check(ledger: Path, project: Path, sheet: str | None) -> None:
    """Check a cost ledger (an XLSX workbook) against a project's sites and financial years."""
    from csceval.costs.inputs import deflator_of
    from csceval.costs.ledger import read_ledger_xlsx
    from csceval.project import load_project

    try:
        loaded = load_project(project)
        frame = read_ledger_xlsx(ledger, loaded.settings, deflator_of(loaded.tables), sheet)
    except InputError as exc:
        fail(*exc.problems)
    out.print(f"[green]valid[/]: {ledger} ({len(frame)} ledger rows)")


@costs.command("workbook")
@click.argument("project", type=click.Path(path_type=Path))
@click.option(
    "--out", "path", required=True, type=click.Path(path_type=Path), help="The .xlsx file to write."
)
def workbook(project: Path, path: Path) -> None:
    """Write the cost-benefit audit workbook (formulas beside csceval's values)."""
    from csceval.costs.analysis import analyse_costs
    from csceval.costs.workbook import write_costs_workbook
    from csceval.project import load_project

    try:
        result = analyse_costs(load_project(project))
    except InputError as exc:
        fail(*exc.problems)
    out.print(f"Wrote {write_costs_workbook(result, path)}")
