"""Team culture and climate survey: instruments (XLSForm), answers, aggregation and comparison.

The instrument is open: csceval ships its own wording (``defaults/team_climate.toml``), and an
evaluation that holds a licence for another measure loads it as ``culture_survey.xlsx``.
"""

from csceval.output_scopes import Scope
from csceval.project import ProjectFile
from csceval.strands.culture_survey.analysis import analyse_survey, survey_available
from csceval.strands.culture_survey.checks import check_survey_tables
from csceval.strands.culture_survey.cli import survey
from csceval.strands.culture_survey.error_codes import ERROR_CODES
from csceval.strands.culture_survey.evidence import survey_evidence
from csceval.strands.culture_survey.norms import FILE as NORMS_FILE
from csceval.strands.culture_survey.norms import parse_norms
from csceval.strands.culture_survey.section import render_survey
from csceval.strands.culture_survey.simulate import survey_files, survey_truth
from csceval.strands.culture_survey.tables import TABLES
from csceval.strands.culture_survey.xlsform import parse_instrument_file
from csceval.strands.strand import SimulatorPart, Strand, WebApp

STRAND = Strand(
    id="culture-survey",
    title="Team culture and climate",
    available=survey_available,
    analyse=analyse_survey,
    render=render_survey,
    tables=TABLES,
    files=(
        ProjectFile(
            name="culture_survey",
            path="culture_survey.xlsx",
            description="The team-climate survey instrument as an XLSForm workbook (sheets "
            "survey, choices, settings as ODK/KoboToolbox write them, plus a subscale and a "
            "reverse column and an optional subscales sheet). Skip logic (relevant, on questions "
            "and groups) may compare a question with a literal (=, !=, and >, >=, <, <= for "
            "numbers), use selected(${q}, 'x'), not(), and, or and brackets; any other "
            "expression is refused (CSC-E3408). Without it csceval's open "
            "instrument is used (csceval survey form writes it). Optional.",
            parse=parse_instrument_file,
        ),
        ProjectFile(
            name="culture_survey_norms",
            path=NORMS_FILE,
            description="Norms for T-scores: CSV with subscale, mean, sd (of unit-level "
            "subscale means) and an optional source. Optional; csceval ships no norms.",
            parse=parse_norms,
        ),
    ),
    checks=check_survey_tables,
    error_codes=ERROR_CODES,
    error_range=(3400, 3499),
    output_scopes={
        "tables/survey-site-means.csv": Scope.ALL_LAS,
        "tables/survey-teams.csv": Scope.ALL_LAS,
        "tables/survey-tscores.csv": Scope.ALL_LAS,
    },
    simulate=SimulatorPart(files=survey_files, truth=survey_truth, truth_key="culture_survey"),
    cli=survey,
    web=WebApp(app="csceval.web.culture_survey", url_prefix="culture-survey/"),
    evidence=survey_evidence,
)
