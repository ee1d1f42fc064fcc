"""Theory of change and implementation: the model, plans, self-profiles and the progress map."""

from collections.abc import Mapping

import pandas as pd

from csceval.errors import Problem
from csceval.output_scopes import Scope
from csceval.project import EvaluationSettings, ProjectFile
from csceval.strands.implementation.elements import check_milestones, check_self_profiles
from csceval.strands.implementation.error_codes import ERROR_CODES
from csceval.strands.implementation.progress import analyse_implementation, implementation_available
from csceval.strands.implementation.section import render_implementation
from csceval.strands.implementation.simulate import implementation_files
from csceval.strands.implementation.tables import TABLES
from csceval.strands.implementation.theory_of_change import FILE, parse_theory_of_change
from csceval.strands.strand import SimulatorPart, Strand, WebApp


def _checks(settings: EvaluationSettings, tables: Mapping[str, pd.DataFrame]) -> list[Problem]:
    return check_milestones(settings, tables["implementation_milestones"]) + check_self_profiles(
        settings, tables["self_profiles"]
    )


STRAND = Strand(
    id="implementation",
    title="Theory of change and implementation",
    available=implementation_available,
    analyse=analyse_implementation,
    render=render_implementation,
    tables=TABLES,
    files=(
        ProjectFile(
            name="theory_of_change",
            path=FILE,
            description="The project's own theory of change (nodes, edges and the evidence each "
            "node rests on); without it the framework default is used. Optional.",
            parse=parse_theory_of_change,
        ),
    ),
    checks=_checks,
    error_codes=ERROR_CODES,
    error_range=(3100, 3199),
    output_scopes={
        "tables/progress-*.csv": Scope.ALL_LAS,
        "tables/implementation-depth.csv": Scope.ALL_LAS,
        "tables/implementation-milestones.csv": Scope.ALL_LAS,
        "tables/implementation-slippage.csv": Scope.ALL_LAS,
    },
    simulate=SimulatorPart(
        files=lambda world: implementation_files(world.design.pilots, world.seed)
    ),
    web=WebApp(app="csceval.web.implementation", url_prefix="self-profiles/"),
    consumes_evidence=True,
)
