"""Interviews and focus groups: fieldwork, de-identified transcripts, coding, agreement, REFI-QDA.

Transcripts enter through ``csceval qual import-transcript`` (or ``import-qdpx``), which
de-identifies them before they are stored as ``data/transcript_turns.csv``; the analysis reads
only the project's tables and declared files.

Intercoder agreement is Cohen's kappa and Krippendorff's alpha from :mod:`csceval.reliability` on
turn units (each participant turn x code, applied or not), not Krippendorff's unitized alpha on
characters: the analysis counts turns and participants, so agreement on turns is what the
findings rest on, and a segment's boundaries inside a turn change no count
(:mod:`~csceval.strands.interviews.agreement`; reconciliation in
:mod:`~csceval.strands.interviews.reconcile`).
"""

from csceval.output_scopes import Scope
from csceval.strands.interviews.analysis import analyse_interviews
from csceval.strands.interviews.checks import check_interview_tables
from csceval.strands.interviews.cli import interviews_group
from csceval.strands.interviews.error_codes import ERROR_CODES
from csceval.strands.interviews.evidence import interviews_evidence
from csceval.strands.interviews.project_io import FILES
from csceval.strands.interviews.section import render_interviews
from csceval.strands.interviews.simulate import interview_files, interview_truth
from csceval.strands.interviews.tables import TABLES
from csceval.strands.strand import SimulatorPart, Strand, StrandInputs, WebApp


def _available(inputs: StrandInputs) -> bool:
    return not inputs.table("transcript_turns").empty


STRAND = Strand(
    id="interviews",
    title="Interviews and focus groups",
    available=_available,
    analyse=analyse_interviews,
    render=render_interviews,
    tables=TABLES,
    files=FILES,
    checks=check_interview_tables,
    error_codes=ERROR_CODES,
    error_range=(3600, 3699),
    output_scopes={
        "tables/interviews-code-matrix.csv": Scope.ALL_LAS,
        "tables/interviews-fieldwork.csv": Scope.ALL_LAS,
        "tables/interviews-prevalence.csv": Scope.ALL_LAS,
        "tables/interviews-quote*.csv": Scope.ALL_LAS,
    },
    simulate=SimulatorPart(files=interview_files, truth=interview_truth, truth_key="interviews"),
    cli=interviews_group,
    web=WebApp(app="csceval.web.interviews", url_prefix="interviews/"),
    evidence=interviews_evidence,
)
