"""Truth check: on a synthetic project, each impact estimate beside the effect injected.

Available only when the evaluation is marked ``synthetic = true`` and the project holds the
simulator's ``truth.json`` (its declared file): a real project never shows the section. It reads
the impact result through its public ``to_frame()`` only.
"""

from csceval.project import ProjectFile
from csceval.strands.strand import Strand
from csceval.strands.truth_check.analysis import analyse_truth, truth_check_available
from csceval.strands.truth_check.error_codes import ERROR_CODES
from csceval.strands.truth_check.section import render_truth_check
from csceval.strands.truth_check.truth_file import TRUTH_FILE, parse_truth

STRAND = Strand(
    id="truth-check",
    title="Truth check (synthetic project)",
    available=truth_check_available,
    analyse=analyse_truth,
    render=render_truth_check,
    files=(
        ProjectFile(
            name="truth",
            path=TRUTH_FILE,
            description="The effects the simulator injected (written by `csceval simulate`): "
            "per-pilot sizes, exposure by pilot and year, the null indicators and strands' own "
            "truths. On a synthetic project the report sets each impact estimate beside it. "
            "Optional; checked when present, used only when `[evaluation] synthetic = true`.",
            parse=parse_truth,
        ),
    ),
    error_codes=ERROR_CODES,
    error_range=(3700, 3799),
    consumes=("impact",),
)
