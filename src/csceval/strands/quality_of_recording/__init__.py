"""Quality of recording: case lists, pseudonyms, samples, audit instruments, scoring, analysis.

The web platform's auditing pages (``csceval.web.case_audits``) call these functions; nothing
here imports Django.
"""

from csceval.output_scopes import Scope
from csceval.strands.quality_of_recording.analysis import analyse_quality
from csceval.strands.quality_of_recording.checks import check_case_audit_tables
from csceval.strands.quality_of_recording.error_codes import ERROR_CODES
from csceval.strands.quality_of_recording.evidence import quality_evidence
from csceval.strands.quality_of_recording.section import render_quality
from csceval.strands.quality_of_recording.simulate import case_audit_files, case_audit_truth
from csceval.strands.quality_of_recording.tables import TABLES
from csceval.strands.strand import SimulatorPart, Strand, StrandInputs, WebApp


def _available(inputs: StrandInputs) -> bool:
    return not inputs.table("case_audits").empty


STRAND = Strand(
    id="quality-of-recording",
    title="Quality of recording",
    available=_available,
    analyse=analyse_quality,
    render=render_quality,
    tables=TABLES,
    checks=check_case_audit_tables,
    error_codes=ERROR_CODES,
    error_range=(3200, 3299),
    output_scopes={"tables/quality-by-site.csv": Scope.ALL_LAS},
    simulate=SimulatorPart(files=case_audit_files, truth=case_audit_truth, truth_key="case_audits"),
    web=WebApp(app="csceval.web.case_audits", url_prefix="case-audits/"),
    evidence=quality_evidence,
)
