"""National scoping: which practice framework every LA in England uses, since when, and how.

The register itself is a core table (``data/framework_register.csv``, read by
:mod:`csceval.project.register` and by comparator choice); this strand maps it as at the end of
the analysis period, counts it by region and framework, proposes contrast sites and follows the
scoping survey (responses, review into register rows, reminders).
"""

from csceval.strands.scoping.analysis import analyse_scoping, scoping_available
from csceval.strands.scoping.checks import check_scoping
from csceval.strands.scoping.cli import scoping
from csceval.strands.scoping.error_codes import ERROR_CODES
from csceval.strands.scoping.section import render_scoping
from csceval.strands.scoping.simulate import scoping_files, scoping_truth
from csceval.strands.scoping.tables import TABLES
from csceval.strands.strand import SimulatorPart, Strand, WebApp

STRAND = Strand(
    id="scoping",
    title="National scoping",
    available=scoping_available,
    analyse=analyse_scoping,
    render=render_scoping,
    tables=TABLES,
    checks=check_scoping,
    error_codes=ERROR_CODES,
    error_range=(3500, 3599),
    simulate=SimulatorPart(files=scoping_files, truth=scoping_truth, truth_key="scoping"),
    cli=scoping,
    web=WebApp(app="csceval.web.scoping", url_prefix="scoping/"),
)
