"""Impact on key indicators: the pilots against comparator LAs (the estimators are csceval.impact).

The strand chooses comparators, runs the plan's estimators on each headline indicator and writes
the verdicts; ``impact_calibration.json`` (a project's own test sizes) is its declared file.
"""

from csceval.project import ProjectFile
from csceval.strands.impact.calibration_file import PROJECT_FILE, parse_project_calibration
from csceval.strands.impact.design import derive_design
from csceval.strands.impact.error_codes import ERROR_CODES
from csceval.strands.impact.evidence import impact_evidence
from csceval.strands.impact.section import render_impact
from csceval.strands.impact.strand import IMPACT_ESTIMATORS, analyse_impact, impact_available
from csceval.strands.strand import Strand

STRAND = Strand(
    id="impact",
    title="Impact on key indicators",
    available=impact_available,
    analyse=analyse_impact,
    render=render_impact,
    files=(
        ProjectFile(
            name="impact_calibration",
            path=PROJECT_FILE,
            description="The real size of each test on this project's own comparators and "
            "adoption years, written by `csceval impact calibrate-project DIR --write`: an "
            "explicit override of the sizes the run measures on the design (the report names "
            "it). Optional.",
            parse=parse_project_calibration,
        ),
    ),
    estimators=IMPACT_ESTIMATORS,
    error_codes=ERROR_CODES,
    error_range=(7100, 7199),
    evidence=impact_evidence,
    derive=derive_design,
)
