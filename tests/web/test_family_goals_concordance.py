"""Reviewed goal matches (data/goal_concordance.csv, written by the web platform): the checks
refuse a match naming a goal the family does not have, and the analysis and its section carry
the reviewers' verdicts beside the word-overlap proposals."""

from __future__ import annotations

import pandas as pd

from csceval.strands.family_goals.agreement import goal_pairs
from csceval.strands.family_goals.analysis import reviewed_pairs
from csceval.strands.family_goals.checks import _concordance_rows

KEYS = {"la_code": "901", "time_point": "T2", "family": "P-ABCD"}


def _goals() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {**KEYS, "goal": "G1", "source": "worker", "description": "Children attend school"},
            {**KEYS, "goal": "G2", "source": "parent", "description": "Kids go to school"},
            {**KEYS, "goal": "G3", "source": "parent", "description": "A tidy flat"},
        ]
    )


def test_a_match_must_name_the_familys_parent_and_worker_goals() -> None:
    concordance = pd.DataFrame(
        [
            {**KEYS, "parent_goal": "G2", "worker_goal": "G1", "matched": "yes"},
            {**KEYS, "parent_goal": "G1", "worker_goal": "G9", "matched": "no"},
        ]
    )
    problems = list(_concordance_rows(concordance, _goals()))
    assert [(p.code, p.row, p.column, p.value) for p in problems] == [
        ("CSC-E3307", 3, "parent_goal", "G1"),
        ("CSC-E3307", 3, "worker_goal", "G9"),
    ]


def test_the_verdicts_join_the_proposals() -> None:
    pairs = goal_pairs(_goals())
    verdicts = pd.DataFrame([{**KEYS, "parent_goal": "G3", "worker_goal": "G1", "matched": "no"}])
    out = reviewed_pairs(pairs, verdicts).set_index("parent_goal")
    assert out.at["G2", "proposed"]
    assert out.at["G2", "reviewed"] == ""
    assert out.at["G3", "reviewed"] == "no"
    assert list(reviewed_pairs(pairs, None)["reviewed"]) == ["", ""]
