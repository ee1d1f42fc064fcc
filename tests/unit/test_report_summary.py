"""The summary page (answers, what was not evaluated, scope, description) and the wording rules
that keep rendering defects out: units said once, one full stop, marker labels apart."""

from __future__ import annotations

import re
from html import unescape

import pytest
from report_helpers import build_report, parse, rates_chart, rates_table

from csceval.disclosure import ColumnRole, PublishedColumn
from csceval.report import Marker, Report, Section, render_line_chart
from csceval.report.html import render_html, render_site
from csceval.report.questions import CONTRAST, IMPACT, Answer, ScopeEntry, contrast_answers
from csceval.report.views import column_heading, sentence


def summary_report() -> Report:
    base = build_report()
    impact = base.sections[0]
    answered = Section(
        impact.id,
        impact.title,
        impact.summary,
        impact.findings,
        impact.blocks,
        answers=(Answer(IMPACT, "Referrals fell by 8.1%.", "moderate", "Intervals run ±5%."),),
    )
    scope = (
        ScopeEntry("impact", "Impact", True),
        ScopeEntry("interviews", "Interviews", False, "no transcripts in the project"),
    )
    return Report(
        base.title,
        base.subtitle,
        (answered, base.sections[1]),
        base.provenance,
        synthetic=True,
        description="A test evaluation.\n\nAdoption dates are assumptions.",
        scope=scope,
    )


def test_the_summary_answers_and_says_what_was_not_evaluated() -> None:
    html = render_site(summary_report())["index.html"]
    text = unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
    assert "Did the framework change the pilots' key indicators?" in text
    assert "Referrals fell by 8.1%. Strength of evidence: Moderate Intervals run ±5%." in text
    assert '<a href="impact.html">Detail' in html
    assert "Interviews: not run (no transcripts in the project)." in text
    unanswered = "How do framework sites compare with contrast sites? Not answered"
    assert unanswered in text
    assert text.index("Not evaluated") < text.index("Adoption dates are assumptions.")
    assert "Scope: every strand of the plan" in text
    page = parse(html)
    assert [t for t, _ in page.events].count("h1") == 1


def test_a_report_without_answers_or_scope_has_no_summary() -> None:
    html = render_html(build_report())
    assert 'id="summary"' not in html
    assert 'id="summary"' in render_html(summary_report())


def test_contrast_answers_take_the_last_estimable_comparison() -> None:
    class C:
        def __init__(self, difference: float) -> None:
            self.time_point, self.difference = "T2", difference
            self.n_sites_framework, self.n_sites_contrast = 8, 2

    (answer,) = contrast_answers([C(1.0), C(-9.44)], "Quality at {time_point}", "points", str)
    assert answer.question == CONTRAST
    assert answer.text == (
        "Quality at T2: framework sites 9.4 points lower than contrast sites (8 against 2 sites)."
    )
    assert contrast_answers([C(float("nan"))], "Q", "points", str) == ()
    assert contrast_answers([], "Q", "points", str) == ()
    with pytest.raises(ValueError, match="empty"):
        Answer(IMPACT, " ")


def test_units_are_said_once_and_sources_end_with_one_full_stop() -> None:
    column = PublishedColumn("x", "Effect (% change)", ColumnRole.VALUE, unit="% change")
    assert column_heading(column) == "Effect (% change)"
    plain = PublishedColumn("x", "Rate", ColumnRole.RATE, unit="per 10,000")
    assert column_heading(plain) == "Rate (per 10,000)"
    assert (
        sentence("computed by csceval.")
        == sentence("computed by csceval")
        == "computed by csceval."
    )
    assert sentence(" ") == ""


def test_marker_labels_that_would_overlap_move_up_a_row() -> None:
    markers = (Marker(2017.0, "First pilot starts"), Marker(2017.3, "Pilots embedded (median)"))
    svg = render_line_chart(rates_chart(markers=markers), rates_table())
    ys = [
        float(y)
        for y in re.findall(
            r'<text x="[\d.]+" y="([\d.]+)" fill="#[0-9A-Fa-f]+" font-size="13"', svg
        )
    ]
    assert len(ys) == 2
    assert abs(ys[0] - ys[1]) >= 16, "the two labels sit on different rows"
