"""Matching: CEM weights and balance by hand, propensity scores against statsmodels, nearest
neighbours against a brute-force search."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.errors import InputError
from csceval.impact.matching import (
    balance_table,
    coarsened_exact_match,
    propensity_match,
)

HERE = Path(__file__).parents[1] / "golden" / "few_clusters"
CHILDREN = pd.read_csv(HERE / "synthetic_children.csv")
GOLDEN = json.loads((HERE / "golden.json").read_text("utf-8"))["propensity"]

# Strata (year, sex, age bin with cuts at 5 and 12): A = 2020 F <5, B = 2020 M 5-12,
# C = 2021 M 5-12 (no control), D = 2021 F 12+ (no treated), E = 2020 F 12+, F = 2020 F 5-12
# (no treated).
SMALL = pd.DataFrame(
    {
        "treated": [1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0],
        "sex": ["F", "F", "F", "M", "M", "M", "M", "F", "F", "F", "F", "F"],
        "age": [3, 4, 2, 8, 10, 8, 9, 15, 13, 14, 12, 11.9],
        "year": [2020] * 5 + [2021, 2020, 2021] + [2020] * 4,
    },
    index=[f"r{i}" for i in range(12)],
)


def test_cem_weights_equal_the_closed_form_by_hand() -> None:
    """Matched: A (1 treated, 2 controls), B (1, 2), E (2, 1); m_T = 4, m_C = 5. A control in
    stratum s weighs (m_C / m_T) * (m_T^s / m_C^s): 5/4 * 1/2 in A and B, 5/4 * 2 in E."""
    m = coarsened_exact_match(
        SMALL, treated="treated", exact=["sex"], coarsen={"age": [5, 12]}, within=["year"]
    )
    expected = [1, 0.625, 0.625, 1, 0.625, 0, 0.625, 0, 1, 2.5, 1, 0]
    assert m.weights.tolist() == pytest.approx(expected, abs=1e-12)
    assert list(m.weights.index) == list(SMALL.index)
    assert m.steps.to_dict("records") == [
        {"step": "input", "treated_kept": 5, "control_kept": 7, "dropped": 0},
        {"step": "strata with both groups", "treated_kept": 4, "control_kept": 5, "dropped": 3},
    ]
    assert (m.method, m.common_support, m.n_treated, m.n_control) == ("cem", None, 4, 5)
    assert m.strata is not None
    assert (m.strata[m.weights == 0] == -1).all()


def test_cem_never_matches_across_within() -> None:
    m = coarsened_exact_match(SMALL, treated="treated", exact=["sex"], coarsen={"age": [5, 12]})
    # Without ``within`` the 2021 treated boy (r5) matches the 2020 boys and the 2021 girl
    # (r7, 15) joins stratum E: only r11 is left out.
    assert m.weights["r5"] == 1
    assert m.weights["r7"] > 0
    assert m.weights["r11"] == 0


def test_propensity_scores_equal_statsmodels_logit() -> None:
    m = propensity_match(
        CHILDREN, treated="pilot", covariates=["age", "disabled"], within=["year"], trim=(0, 1)
    )
    assert m.score is not None
    np.testing.assert_allclose(m.score.to_numpy(), GOLDEN["score"], rtol=1e-8)


def test_odds_weights_rebalance_each_stratum_to_its_treated_count() -> None:
    m = propensity_match(
        CHILDREN, treated="pilot", covariates=["age", "disabled"], within=["year"], trim=(0, 1)
    )
    assert m.score is not None
    assert m.method == "ps-weighting"
    control = CHILDREN["pilot"] == 0
    odds = m.score / (1 - m.score)
    for _, rows in CHILDREN.groupby("year").groups.items():
        c = control[rows]
        assert m.weights[rows][c].sum() == pytest.approx((~c).sum(), rel=1e-12)
        ratio = (m.weights[rows][c] / odds[rows][c]).to_numpy()
        assert ratio == pytest.approx(np.full(ratio.size, ratio[0]), rel=1e-12)
    assert (m.weights[~control] == 1).all()
    lo, hi = m.common_support or (math.nan, math.nan)
    kept = m.weights > 0
    assert m.score[kept].between(lo, hi).all()


@pytest.mark.parametrize("caliper", [0.2, 0.01])
def test_nearest_neighbours_equal_a_brute_force_search(caliper: float) -> None:
    m = propensity_match(
        CHILDREN, treated="pilot", covariates=["age", "disabled"], within=["year"],
        method="nearest", caliper=caliper,
    )  # fmt: skip
    assert m.score is not None
    logit = np.log(m.score / (1 - m.score)).to_numpy()
    d = CHILDREN["pilot"].to_numpy()
    lo, hi = m.common_support or (0.0, 1.0)
    kept = (m.score.between(0.01, 0.99) & m.score.between(lo, hi)).to_numpy()
    sd = math.sqrt(
        (np.var(logit[kept & (d == 1)], ddof=1) + np.var(logit[kept & (d == 0)], ddof=1)) / 2
    )
    expected = np.zeros(len(d))
    years = CHILDREN["year"].to_numpy()
    for i in np.flatnonzero(kept & (d == 1)):
        pool = np.flatnonzero(kept & (d == 0) & (years == years[i]))
        dist = np.abs(logit[pool] - logit[i])
        if pool.size and dist.min() <= caliper * sd:
            expected[i] = 1
            expected[pool[np.argmin(dist)]] += 1
    assert m.weights.to_numpy() == pytest.approx(expected)
    assert m.steps["step"].iloc[-1] == f"matched within caliper {caliper:g} SD"
    assert m.n_treated == int(expected[d == 1].sum())


def test_balance_table_by_hand() -> None:
    frame = pd.DataFrame(
        {"t": [1, 1, 1, 0, 0, 0, 0], "x": [1, 2, 3, 2, 4, 6, 8], "b": [1, 0, 1, 0, 0, 1, 0]}
    )
    weights = pd.Series([1, 1, 1, 1, 1, 2, 0], dtype=float)
    table = balance_table(frame, treated="t", covariates=["x", "b"], weights=weights).set_index(
        "covariate"
    )
    sd_x = math.sqrt((1 + 20 / 3) / 2)
    assert table.loc["x", "smd_before"] == pytest.approx(-3 / sd_x)
    assert table.loc["x", "smd_after"] == pytest.approx(-2.5 / sd_x)
    # weighted variances: treated 2 / (3 - 1) = 1; control 11 / (4 - 6/4) = 4.4
    assert table.loc["x", "variance_ratio_after"] == pytest.approx(1 / 4.4)
    sd_b = math.sqrt((2 / 9 + 3 / 16) / 2)
    assert table.loc["b", "smd_before"] == pytest.approx((2 / 3 - 1 / 4) / sd_b)
    assert table.loc["b", "smd_after"] == pytest.approx((2 / 3 - 1 / 2) / sd_b)
    assert math.isnan(table.loc["b", "variance_ratio_after"])
    assert table.loc["b", "mean_control_after"] == pytest.approx(0.5)


def test_matching_improves_balance_on_a_confounded_sample() -> None:
    rng = np.random.default_rng(4)
    age = rng.integers(0, 18, 600).astype(float)
    treated = (rng.random(600) < 1 / (1 + np.exp(-(age - 9) / 3))).astype(int)
    frame = pd.DataFrame({"t": treated, "age": age, "sex": rng.integers(0, 2, 600)})
    cem = coarsened_exact_match(frame, treated="t", exact=["sex"], coarsen={"age": [4, 8, 12]})
    ps = propensity_match(frame, treated="t", covariates=["age", "sex"])
    for m in (cem, ps):
        table = balance_table(frame, treated="t", covariates=["age"], weights=m.weights)
        assert abs(table["smd_before"].iloc[0]) > 0.5
        assert abs(table["smd_after"].iloc[0]) < 0.25 * abs(table["smd_before"].iloc[0])


def _problem(call: object, **kwargs: object) -> tuple[str, str, str]:
    with pytest.raises(InputError) as err:
        call(**kwargs)  # type: ignore[operator]
    (p,) = err.value.problems
    assert p.code == "CSC-E7103"
    return p.message, p.column, p.value


def test_bad_input_is_a_coded_problem_naming_the_column() -> None:
    bad = SMALL.assign(treated=[2, *SMALL["treated"].iloc[1:]])
    assert _problem(coarsened_exact_match, frame=bad, treated="treated", exact=["sex"], coarsen={})[
        1:
    ] == ("treated", "2")
    gaps = SMALL.assign(sex=[None, *SMALL["sex"].iloc[1:]])
    assert (
        _problem(coarsened_exact_match, frame=gaps, treated="treated", exact=["sex"], coarsen={})[1]
        == "sex"
    )
    assert (
        "increasing"
        in _problem(
            coarsened_exact_match, frame=SMALL, treated="treated", exact=[], coarsen={"age": [5, 2]}
        )[0]
    )
    assert (
        _problem(coarsened_exact_match, frame=SMALL, treated="nope", exact=[], coarsen={})[1]
        == "nope"
    )
    separated = SMALL.assign(x=SMALL["treated"] * 10.0 + np.arange(12) / 100)
    assert (
        "separates"
        in _problem(propensity_match, frame=separated, treated="treated", covariates=["x"])[0]
    )
    assert (
        "numeric"
        in _problem(propensity_match, frame=SMALL, treated="treated", covariates=["sex"])[0]
    )
    all_treated = SMALL.assign(treated=1)
    assert (
        "both treated and control"
        in _problem(propensity_match, frame=all_treated, treated="treated", covariates=["age"])[0]
    )
