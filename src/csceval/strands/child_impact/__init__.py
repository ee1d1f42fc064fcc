"""Child-level impact: matched difference-in-differences on CIN census and SSDA903 records.

``csceval impact child-did DIR`` reads the child-level returns under ``DIR/child_level/``
(pseudonymising children on read, keeping each LA's cohorts as Parquet so a rerun does not
parse again), matches pilot children to comparator children and estimates the effects with
few-cluster inference (the estimators are :mod:`csceval.impact`); it writes the aggregates to
``child_impact.json``, the strand's declared file, which the section reports.
"""

from typing import Any

from csceval.project import ProjectFile
from csceval.strands.child_impact.error_codes import ERROR_CODES
from csceval.strands.child_impact.evidence import child_impact_evidence
from csceval.strands.child_impact.folder import RESULT_FILE, parse_result
from csceval.strands.child_impact.result import ActivityChange, ChildImpactResult
from csceval.strands.child_impact.section import render_child_impact
from csceval.strands.child_impact.simulate import child_impact_files, child_impact_truth
from csceval.strands.strand import SimulatorPart, Strand, StrandInputs

__all__ = ["STRAND", "ActivityChange", "ChildImpactResult"]
FILE_NAME = "child_impact"


def child_impact_available(inputs: StrandInputs) -> bool:
    """The project holds ``child_impact.json``."""
    return inputs.files.get(FILE_NAME) is not None


def analyse_child_impact(inputs: StrandInputs) -> Any:
    """The result ``csceval impact child-did`` wrote (parsed and checked on load)."""
    result: ChildImpactResult = inputs.file(FILE_NAME)
    return result


STRAND = Strand(
    id="child-impact",
    title="Child-level impact",
    available=child_impact_available,
    analyse=analyse_child_impact,
    render=render_child_impact,
    files=(
        ProjectFile(
            name=FILE_NAME,
            path=RESULT_FILE,
            description="Aggregates of the child-level matched difference-in-differences "
            "(estimates, event studies, balance, counts), written by `csceval impact child-did "
            "DIR` from the returns in child_level/<la_code>/<year>/. Optional.",
            parse=parse_result,
        ),
    ),
    error_codes=ERROR_CODES,
    error_range=(3800, 3899),
    simulate=SimulatorPart(
        files=child_impact_files, truth=child_impact_truth, truth_key="child_impact"
    ),
    evidence=child_impact_evidence,
)
