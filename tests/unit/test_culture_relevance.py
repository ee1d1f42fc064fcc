"""Skip logic: the supported subset of XLSForm ``relevant`` expressions, ODK's semantics for
unanswered questions, group conditions, and refusal (CSC-E3408) of anything else at load."""

from __future__ import annotations

import pytest
from test_survey_instrument import KOBO_SURVEY, codes, kobo

from csceval.strands.culture_survey.relevance import UnsupportedRelevant, parse_relevant
from csceval.strands.culture_survey.xlsform import read_xlsform

CASES = [
    ("${a} = 'yes'", {"a": "yes"}, True),
    ("${a} = 'yes'", {}, False),
    ("${a} != 'yes'", {}, True),
    ("${n} > 3", {"n": "4"}, True),
    ("${n} > 3", {}, False),
    ("${n} <= 3", {"n": "x"}, False),
    ("${n} = 2", {"n": "2.0"}, True),
    ("selected(${m}, 'b')", {"m": ["a", "b"]}, True),
    ("selected(${m}, 'c')", {"m": "a b"}, False),
    ("not(${a} = 'yes')", {"a": "no"}, True),
    ("${a} = 'yes' or ${b} = 'yes' and ${c} = 'yes'", {"b": "yes"}, False),
    ("(${a} = 'yes' or ${b} = 'yes') and ${c} = 'yes'", {"b": "yes", "c": "yes"}, True),
    ("", {}, True),
]


@pytest.mark.parametrize(("text", "answers", "expected"), CASES)
def test_supported_expressions(text: str, answers: dict[str, str], expected: bool) -> None:
    assert parse_relevant(text)(answers) is expected


@pytest.mark.parametrize(
    "text",
    ["count-selected(${m}) > 1", "${a} = ", "${a} > 'x'", "${a} = 'x' and", "string-length(${a})",
     "${a} = ${b}", "(${a} = 'x'", "position(..) = 1"],
)  # fmt: skip
def test_anything_else_is_refused(text: str) -> None:
    with pytest.raises(UnsupportedRelevant):
        parse_relevant(text)


def test_instrument_refuses_unsupported_rules_and_inherits_group_rules() -> None:
    survey = [list(r) for r in KOBO_SURVEY]
    survey[9][5] = "string-length(${sup}) > 0"
    assert "CSC-E3408" in codes(kobo(survey=survey))
    survey = [list(r) for r in KOBO_SURVEY]
    survey[3][5] = "${team} = 'T01'"  # the begin_group row of "climate"
    form = read_xlsform(kobo(survey=survey), "form.xlsx")
    rule = form.question("q1").relevance
    assert rule.references == {"team"}
    assert rule({"team": "T01"}) is True
    assert rule({}) is False
    assert form.question("s1").relevance({"sup": "yes"}) is True
