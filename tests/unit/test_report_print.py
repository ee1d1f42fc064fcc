"""The print edition (what the PDF holds) and the evaluation's stated assumptions (issue 14).

The print edition keeps the summary, findings, charts and headline tables, and names every
table, chart's data and detail page it leaves out with where to find it; the assumptions of
``evaluation.toml`` are rendered on the summary page and in the print edition.
"""

from __future__ import annotations

import re
import shutil
from html import unescape
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError
from report_helpers import build_report, parse

from csceval.disclosure import ColumnRole, PublishedColumn, TableSpec, protect
from csceval.pipeline import load_project
from csceval.pipeline.run import analyse_strands
from csceval.pipeline.run import build_report as report_of_project
from csceval.project.settings import EvaluationInfo
from csceval.report import Finding, Report, Section, TableBlock
from csceval.report.html import render_site
from csceval.report.model import DetailPage
from csceval.report.print_edition import PRINT_ROWS, render_print
from csceval.report.questions import IMPACT, Answer, ScopeEntry

ASSUMPTIONS = ("Adoption dates are assumptions, taken from the pilots' bids.",)


def _long_table(rows: int) -> TableBlock:
    frame = pd.DataFrame({"site": [f"Site {i}" for i in range(rows)], "n": range(100, 100 + rows)})
    spec = TableSpec(
        columns=(
            PublishedColumn("site", "Site", ColumnRole.LABEL),
            PublishedColumn("n", "Referrals", ColumnRole.COUNT),
        )
    )
    return TableBlock("long", "Referrals by site", protect(frame, spec), source="Test data")


def print_report() -> Report:
    """The helpers' report, with a long table, a detail page, an answer and assumptions."""
    base = build_report()
    impact = base.sections[0]
    detail = DetailPage(
        "impact-pilot-a",
        "Pilot A: detail",
        "Where pilot A stands.",
        (Finding("Pilot A ranks 3rd of 152 LAs on referrals."),),
        (TableBlock("pilot-a", "Pilot A table", _long_table(3).table),),
    )
    section = Section(
        impact.id,
        impact.title,
        impact.summary,
        impact.findings,
        (*impact.blocks, _long_table(PRINT_ROWS + 5)),
        pages=(detail,),
        answers=(Answer(IMPACT, "Referrals fell by 8.1%.", "moderate"),),
    )
    return Report(
        base.title,
        base.subtitle,
        (section, base.sections[1]),
        base.provenance,
        synthetic=True,
        description="A test evaluation.",
        scope=(ScopeEntry("impact", "Impact", True),),
        assumptions=ASSUMPTIONS,
    )


def _text(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_the_print_edition_keeps_findings_and_charts_and_points_to_the_rest() -> None:
    html = render_print(print_report())
    text = _text(html)
    assert "This is the print edition of the report" in text
    assert "Referral rates fell by about 60 per 10,000 relative to comparators." in text
    assert html.count("<svg") == 2, "both charts, as vector SVG"
    assert "<details" not in html
    # a chart's data table is not printed; the description says where it is
    assert 'id="rates"' not in html
    assert 'The data (10 rows by 4 columns) are in sheet "1 Referral rate" of report.xlsx' in text
    # a long table is named, not printed
    assert 'id="long"' not in html
    assert "Site 24" not in text
    assert (
        f"Referrals by site ({PRINT_ROWS + 5} rows by 2 columns): not printed; see sheet "
        '"3 Referrals by site" of report.xlsx and tables/long.csv.'
    ) in text
    # the detail page: its findings printed, its tables pointed to
    assert "Pilot A: detail" in text
    assert "Pilot A ranks 3rd of 152 LAs on referrals." in text
    assert (
        "Its charts and tables are not printed: see the page report/impact-pilot-a.html of the "
        "HTML report and sheet 4 of report.xlsx."
    ) in text
    # a short table that no chart draws is printed whole
    assert 'id="plans-again"' in html
    assert "Strength of evidence: Moderate" in text
    assert re.search(r'<a href="#impact">Impact on referrals</a>', html), "contents list"
    assert [tag for tag, _ in parse(html).events].count("h1") == 1


def test_assumptions_are_stated_on_the_summary_and_in_print() -> None:
    report = print_report()
    for html in (render_site(report)["index.html"], render_print(report)):
        text = _text(html)
        assert "Assumptions" in text
        assert ASSUMPTIONS[0] in text
        assert text.index("A test evaluation.") < text.index(ASSUMPTIONS[0])
    assert "Assumptions" not in _text(render_site(build_report())["index.html"])


def test_the_assumptions_setting_is_a_list_of_short_statements() -> None:
    base = {"name": "E", "frameworks": ["F"], "price_year": "2019-20"}
    info = EvaluationInfo(**base, assumptions=["  Dates are assumed.  "])
    assert info.assumptions == ["Dates are assumed."]
    assert EvaluationInfo(**base).assumptions == []
    for bad in ([""], ["x" * 401], "not a list"):
        with pytest.raises(ValidationError):
            EvaluationInfo(**base, assumptions=bad)


def test_a_project_states_its_assumptions_in_its_report(
    tmp_path: Path, valid_project: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    toml = root / "evaluation.toml"
    text = toml.read_text(encoding="utf-8")
    assert "assumptions" not in text
    toml.write_text(
        text.replace("[evaluation]\n", f'[evaluation]\nassumptions = ["{ASSUMPTIONS[0]}"]\n', 1),
        encoding="utf-8",
    )
    project = load_project(root)
    report = report_of_project(project, analyse_strands(project, only="key-indicators"))
    assert report.assumptions == ASSUMPTIONS
    assert ASSUMPTIONS[0] in _text(render_site(report)["index.html"])
