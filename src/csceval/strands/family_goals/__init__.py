"""Family outcomes against goals: goal attainment scaling in framework and contrast sites.

Goal records (the plan's, the social worker's and the parent's goals, each with a five-level
attainment scale) and follow-up ratings by workers and parents give each family a
Kiresuk-Sherman T-score; sites are compared with methods for few sites, and the parents' and
workers' ratings and goals are compared with each other. Nothing here imports Django; a web app
can fill the two long tables a row at a time.
"""

from csceval.output_scopes import Scope
from csceval.strands.family_goals.analysis import GoalsResult, analyse_goals
from csceval.strands.family_goals.checks import check_goal_tables
from csceval.strands.family_goals.cli import goals
from csceval.strands.family_goals.error_codes import ERROR_CODES
from csceval.strands.family_goals.evidence import goals_evidence
from csceval.strands.family_goals.scoring import DEFAULT_RHO, t_score
from csceval.strands.family_goals.section import render_goals
from csceval.strands.family_goals.simulate import family_goal_files, family_goal_truth
from csceval.strands.family_goals.tables import TABLES
from csceval.strands.strand import SimulatorPart, Strand, StrandInputs, WebApp


def _available(inputs: StrandInputs) -> bool:
    return not inputs.table("family_goals").empty and not inputs.table("goal_ratings").empty


STRAND = Strand(
    id="family-goals",
    title="Family outcomes against goals",
    available=_available,
    analyse=analyse_goals,
    render=render_goals,
    tables=TABLES,
    checks=check_goal_tables,
    error_codes=ERROR_CODES,
    error_range=(3300, 3399),
    output_scopes={"tables/goals-by-site.csv": Scope.ALL_LAS},
    simulate=SimulatorPart(
        files=family_goal_files, truth=family_goal_truth, truth_key="family_goals"
    ),
    cli=goals,
    web=WebApp(app="csceval.web.family_goals", url_prefix="family-goals/"),
    evidence=goals_evidence,
)

__all__ = ["DEFAULT_RHO", "STRAND", "GoalsResult", "t_score"]
