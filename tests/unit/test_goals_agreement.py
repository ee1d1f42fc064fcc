"""Parent-worker agreement, the double-entry check and the word-overlap concordance of goals."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from csceval.reliability import cohen_kappa, krippendorff_alpha
from csceval.strands.family_goals.agreement import (
    CATEGORIES,
    double_entry_agreement,
    goal_pairs,
    jaccard,
    paired_ratings,
    rater_agreement,
    words,
)


def test_words_are_normalised() -> None:
    assert words("Kids get to school ON TIME, every day!") == {"kid", "school", "time", "every",
                                                               "day"}  # fmt: skip
    assert words("Stress-free classes") == {"stress", "free", "classe"}


def test_jaccard_by_hand() -> None:
    a = words("Children attend school every day and arrive on time")
    b = words("Kids get to school on time every day")
    # a = {children, attend, school, every, day, arrive, time}; b = {kid, school, time, every,
    # day}: 4 shared of 8 distinct words.
    assert jaccard(a, b) == pytest.approx(4 / 8)
    assert jaccard(frozenset(), frozenset()) == 0.0


def _goals() -> pd.DataFrame:
    rows = [
        ("P-AAAA", "G1", "plan", "Keep the house clean"),
        ("P-AAAA", "G2", "worker", "Children attend school every day and arrive on time"),
        ("P-AAAA", "G3", "parent", "Kids get to school on time every day"),
        ("P-AAAA", "G4", "parent", "Sort out the rent"),
        ("P-BBBB", "G1", "parent", "Stop drinking"),
    ]
    frame = pd.DataFrame(rows, columns=["family", "goal", "source", "description"])
    return frame.assign(la_code="401", time_point="T2")


def test_pairs_are_proposals_over_the_threshold() -> None:
    pairs = goal_pairs(_goals(), threshold=0.25).set_index(["family", "parent_goal"])
    assert pairs.at[("P-AAAA", "G3"), "worker_goal"] == "G2"
    assert pairs.at[("P-AAAA", "G3"), "proposed"]
    assert not pairs.at[("P-AAAA", "G4"), "proposed"]
    assert pairs.at[("P-BBBB", "G1"), "worker_goal"] == ""  # no worker goal in the family
    assert not goal_pairs(_goals(), threshold=0.6)["proposed"].any()


def _ratings(values: list[tuple[str, int, float]]) -> pd.DataFrame:
    rows = [("401", "T2", "P-AAAA", f"G{k // 2 + 1}", role, entry, rating)
            for k, (role, entry, rating) in enumerate(values)]  # fmt: skip
    frame = pd.DataFrame(
        rows, columns=["la_code", "time_point", "family", "goal", "rater_role", "entry", "rating"]
    )
    return frame.astype({"rating": "Int64", "entry": "Int64"})


def test_agreement_uses_the_reliability_library_on_goals_rated_by_both() -> None:
    rng = np.random.default_rng(1)
    worker = rng.integers(-2, 3, 40)
    parent = np.clip(worker + rng.integers(-1, 2, 40), -2, 2)
    pairs = pd.DataFrame({"worker": worker.astype(float), "parent": parent.astype(float)})
    pairs.loc[3, "parent"] = math.nan
    got = rater_agreement(pairs, n_boot=0)
    m = pairs.dropna().to_numpy()
    assert got.n_goals == 39
    assert got.kappa is not None
    assert got.alpha is not None
    assert got.kappa.estimate == pytest.approx(
        cohen_kappa(m, weights="quadratic", categories=CATEGORIES).estimate
    )
    assert got.alpha.estimate == pytest.approx(
        krippendorff_alpha(m, level="ordinal", categories=CATEGORIES).estimate
    )
    assert got.mean_difference == pytest.approx(float((m[:, 1] - m[:, 0]).mean()))
    assert rater_agreement(pairs.head(1)).kappa is None


def test_paired_ratings_take_first_entries() -> None:
    frame = _ratings([("worker", 1, 1), ("parent", 1, 2), ("worker", 1, -1), ("worker", 2, 0)])
    frame.loc[3, "goal"] = "G2"
    pairs = paired_ratings(frame).set_index("goal")
    assert pairs.at["G1", "worker"] == 1
    assert pairs.at["G1", "parent"] == 2
    assert pairs.at["G2", "worker"] == -1
    assert math.isnan(pairs.at["G2", "parent"])


def test_double_entry_agreement_counts_blanks_as_identical() -> None:
    frame = _ratings([("worker", 1, 1), ("worker", 2, 1), ("parent", 1, 0), ("parent", 2, 1)])
    frame["goal"] = "G1"
    frame.loc[[0, 1], "rating"] = pd.NA
    assert double_entry_agreement(frame) == (2, 0.5)
    n, share = double_entry_agreement(frame[frame["entry"] == 1])
    assert n == 0
    assert math.isnan(share)
