"""The strength of evidence of the costs section's answers (issue 14, item 3).

The cost-benefit result is no stronger than the weakest impact estimate it values, nor than its
own simulations' certainty of the net present value's sign; implementation costs are graded by
how complete the pilots' cost returns are. The summary repeats the section's grades.
On the valid fixture: one pilot (401), financial years 2017-18 and 2018-19.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from csceval.pipeline import load_project, policy_of
from csceval.project import Project
from csceval.report.questions import COST_BENEFIT, COSTS
from csceval.strands.costs.analysis import analyse_costs
from csceval.strands.costs.grades import cba_grade, costs_grade, sign_grade, weakest
from csceval.strands.costs.section import render_costs
from csceval.strands.costs.tables import COST_LEDGER

HEADER = ",".join(COST_LEDGER.column_names) + "\n"
ROWS = {
    "2017-18": "401,2017-18,licences,Licence,one_off,cash,400000,,,2017-18,Invoice\n",
    "2018-19": "401,2018-19,licences,Licence,ongoing,cash,50000,,,2018-19,Invoice\n",
}


class Impact:
    """A stand-in for the impact result: its documented frame, with or without ``strength``."""

    def __init__(self, estimate: float, low: float, high: float, strength: str | None) -> None:
        row = {"indicator": "cla_rate_per_10k", "title": "Children looked after rate",
               "scale": "log", "unit": "% change", "method": "synth_pooled",
               "estimate": estimate, "low": low, "high": high, "p_value": 0.01,
               "estimable": math.isfinite(estimate), "n_pilots": 1,
               "headline": True}  # fmt: skip
        if strength is not None:
            row["strength"] = strength
        self.frame = pd.DataFrame([row])

    def to_frame(self) -> pd.DataFrame:
        return self.frame


def _project(tmp: Path, years: tuple[str, ...]) -> Project:
    root = tmp / "project"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "valid_project", root)
    (root / COST_LEDGER.file).write_text(HEADER + "".join(ROWS[y] for y in years), encoding="utf-8")
    return load_project(root)


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return _project(tmp_path_factory.mktemp("complete"), ("2017-18", "2018-19"))


def test_the_grade_rules() -> None:
    assert weakest("high", "low", "moderate") == "low"
    assert [sign_grade(p) for p in (0.99, 0.01, 0.9, 0.15, 0.7, 0.5)] == [
        "high", "high", "moderate", "moderate", "low", "none",
    ]  # fmt: skip


def test_the_cba_is_no_stronger_than_the_impact_evidence_it_values(complete: Project) -> None:
    big = (-20.0, -30.0, -10.0)  # a clear fall in care: the simulations agree on the sign
    sure = analyse_costs(complete, impact=Impact(*big, "high"))
    assert sure.psa is not None
    assert sure.psa.prob_benefits_exceed_costs > 0.95
    assert cba_grade(sure).strength == "high"
    capped = analyse_costs(complete, impact=Impact(*big, "low"))
    grade = cba_grade(capped)
    assert grade.strength == "low"
    assert "children looked after: low in the impact section" in grade.reason
    unstated = analyse_costs(complete, impact=Impact(*big, None))
    assert cba_grade(unstated).strength == "none", "an ungraded estimate counts as none"
    coin = analyse_costs(complete, impact=Impact(0.0, -10.0, 10.0, "high"))
    assert coin.psa is not None
    assert 0.2 < coin.psa.prob_benefits_exceed_costs < 0.8
    assert cba_grade(coin).strength in ("none", "low"), "the sign is close to a coin toss"
    assert cba_grade(analyse_costs(complete)).strength == "none", "no CBA: savings unknown"


def test_costs_are_graded_by_the_completeness_of_the_returns(
    complete: Project, tmp_path: Path
) -> None:
    full = costs_grade(analyse_costs(complete))
    assert full.strength == "high"
    assert "2 of the 2 expected cost returns" in full.reason
    half = costs_grade(analyse_costs(_project(tmp_path, ("2017-18",))))
    assert half.strength == "low"
    assert "1 of the 2 expected cost returns" in half.reason
    assert "missing: Ashcombe 2018-19" in half.reason


def test_the_summary_repeats_the_sections_grades(complete: Project) -> None:
    result = analyse_costs(complete, impact=Impact(-20.0, -30.0, -10.0, "moderate"))
    section = render_costs(result, policy_of(complete))
    answers = {a.question: a for a in section.answers}
    assert answers[COSTS].strength == "high"
    assert answers[COST_BENEFIT].strength == "moderate"
    by_text = {f.text: f.strength for f in section.findings}
    for answer in answers.values():
        assert by_text[answer.text] == answer.strength, "the answer is the section's finding"
    prose = " ".join(getattr(b, "text", "") for b in section.blocks)
    assert "The cost-benefit result is graded moderate" in prose
