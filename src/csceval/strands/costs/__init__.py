"""Costs and value: the implementation cost ledger and cost-benefit analysis."""

from csceval.output_scopes import Scope
from csceval.strands.costs.analysis import analyse_costs_strand
from csceval.strands.costs.error_codes import ERROR_CODES
from csceval.strands.costs.evidence import costs_evidence
from csceval.strands.costs.inputs import check_cost_tables
from csceval.strands.costs.section import render_costs
from csceval.strands.costs.simulate import cost_files
from csceval.strands.costs.tables import TABLES
from csceval.strands.costs.workbook import costs_workbook_bytes
from csceval.strands.strand import SimulatorPart, Strand, StrandInputs


def _available(inputs: StrandInputs) -> bool:
    return bool(inputs.pilots) and not inputs.table("cost_ledger").empty


STRAND = Strand(
    id="costs",
    title="Costs and value",
    available=_available,
    analyse=analyse_costs_strand,
    render=render_costs,
    tables=TABLES,
    checks=check_cost_tables,
    error_codes=ERROR_CODES,
    error_range=(3000, 3099),
    consumes=("impact", "child-impact"),
    extra_files=lambda result: {"costs_workbook.xlsx": costs_workbook_bytes(result)},
    output_scopes={
        "costs_workbook.xlsx": Scope.ROW_LEVEL,
        "tables/costs-by-site.csv": Scope.ALL_LAS,
        "tables/costs-per-child.csv": Scope.ALL_LAS,
    },
    simulate=SimulatorPart(files=cost_files),
    evidence=costs_evidence,
)
