"""Goal attainment T-scores against the Kiresuk-Sherman worked examples, and summaries."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.strands.family_goals.scoring import (
    RhoError,
    family_scores,
    score,
    site_summaries,
    t_score,
)

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "family-goals" / "gas_t_scores.json"
CASES = json.loads(GOLDEN.read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_t_scores_equal_the_worked_examples(case: dict[str, object]) -> None:
    levels = [math.nan if x is None else x for x in case["levels"]]  # type: ignore[attr-defined]
    got = t_score(levels, case["weights"], rho=case["rho"])  # type: ignore[arg-type]
    if case["t_score"] is None:
        assert math.isnan(got)
    else:
        assert got == pytest.approx(case["t_score"], abs=1e-9)


def test_the_gasr_example_is_exactly_55() -> None:
    assert t_score([-2, 0, -1, 2, 0, 1], [3, 5, 1, 4, 2, 6]) == pytest.approx(55.0, abs=1e-12)


def test_scaling_the_weights_leaves_t_unchanged() -> None:
    x, w = [2, -1, 0, 1], np.array([1.0, 2.0, 3.0, 0.5])
    assert t_score(x, w) == pytest.approx(t_score(x, 7 * w), abs=1e-12)


@pytest.mark.parametrize("rho", [-0.1, 1.5, math.nan])
def test_rho_outside_zero_to_one_is_refused(rho: float) -> None:
    with pytest.raises(RhoError) as info:
        t_score([1, 0], rho=rho)
    assert info.value.problem().code == "CSC-E3317"


def test_weights_must_be_positive_and_match() -> None:
    with pytest.raises(ValueError, match="greater than 0"):
        t_score([1, 0], [1, 0])
    with pytest.raises(ValueError, match="weights"):
        t_score([1, 0], [1, 2, 3])


def _goals() -> pd.DataFrame:
    rows = [
        ("401", "P-AAAA", 3, -2), ("401", "P-AAAA", 5, math.nan), ("401", "P-AAAA", 1, -1),
        ("401", "P-AAAA", 4, 2), ("401", "P-AAAA", 2, 0), ("401", "P-AAAA", 6, 1),
        ("401", "P-BBBB", 1, 1), ("401", "P-BBBB", 1, 1), ("401", "P-BBBB", 1, 1),
        ("402", "P-CCCC", 1, math.nan), ("402", "P-CCCC", 1, math.nan),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["la_code", "family", "weight", "rating"])


def test_family_scores_leave_unrated_goals_out_and_count_them() -> None:
    fam = family_scores(_goals()).set_index("family")
    by_label = {c["label"]: c["t_score"] for c in CASES}
    assert fam.at["P-AAAA", "t_score"] == pytest.approx(
        by_label["weighted with a goal not rated"], abs=1e-9
    )
    assert fam.loc["P-AAAA", ["n_goals", "n_rated", "n_missing", "n_met"]].tolist() == [6, 5, 1, 3]
    assert fam.at["P-BBBB", "t_score"] == pytest.approx(by_label["three goals somewhat more"])
    assert math.isnan(fam.at["P-CCCC", "t_score"])
    assert fam.at["P-CCCC", "n_missing"] == 2


def test_site_summaries_give_the_mean_and_a_t_interval() -> None:
    sites = site_summaries(family_scores(_goals())).set_index("la_code")
    t = family_scores(_goals()).set_index("family")["t_score"]
    mean = (t["P-AAAA"] + t["P-BBBB"]) / 2
    assert sites.at["401", "mean_t"] == pytest.approx(mean)
    half = 12.706204736174698 * abs(t["P-AAAA"] - t["P-BBBB"]) / math.sqrt(2) / math.sqrt(2)
    assert sites.at["401", "high_t"] - mean == pytest.approx(half, rel=1e-9)
    assert sites.at["401", "share_met"] == pytest.approx(6 / 8)
    assert sites.at["402", "n_families"] == 0
    assert math.isnan(sites.at["402", "mean_t"])


def test_score_carries_rho() -> None:
    assert score(_goals(), rho=0.5).rho == 0.5
