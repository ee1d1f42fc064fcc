"""Matched staggered difference-in-differences against a stacked regression fitted by pyfixest,
wildboottest and the published CR2 formulas, plus exact recovery of a noise-free effect.

``synthetic_children.csv`` (12 LAs, 2018-2022, cohorts 2020 and 2021, matching-style weights)
and the goldens are written by ``tests/golden/few_clusters/make_goldens.py``, which builds the
stacked 2x2 design itself (see SOURCE.md there).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.errors import InputError
from csceval.impact.matched_did import MatchedDid, matched_did

HERE = Path(__file__).parents[1] / "golden" / "few_clusters"
CHILDREN = pd.read_csv(HERE / "synthetic_children.csv")
GOLDEN = json.loads((HERE / "golden.json").read_text("utf-8"))["matched_did"]
COLUMNS = {
    "outcome": "rereferral",
    "cluster": "la",
    "group": "pilot",
    "period": "year",
    "adoption": "adoption",
}


def fit(frame: pd.DataFrame = CHILDREN, **kwargs: object) -> MatchedDid:
    options: dict[str, object] = {**COLUMNS, "weights": "weight", "reps": 999, "seed": 11}
    options.update(kwargs)
    return matched_did(frame, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "covariates"), [("plain", ()), ("covariates", ("age", "disabled"))]
)
def test_matched_did_equals_the_stacked_regression_in_pyfixest(
    key: str, covariates: tuple[str, ...]
) -> None:
    gold = GOLDEN[key]
    res = fit(covariates=covariates)
    o = res.overall
    assert o.estimate == pytest.approx(gold["estimate"], rel=1e-6)
    assert o.se_cr1 == pytest.approx(gold["se_cr1"], rel=1e-6)
    assert o.se_cr2 == pytest.approx(gold["se_cr2"], rel=1e-8)
    assert o.df_bm == pytest.approx(gold["df_bm"], rel=1e-8)
    assert o.n_obs == gold["n_obs_stacked"]
    assert o.n_clusters == 12
    assert res.cells is not None
    cells = res.cells[["group", "period", "estimate"]].to_numpy(dtype=float)
    np.testing.assert_allclose(cells, np.array(gold["cells"]), rtol=1e-6)
    event = res.event_study.set_index("event_time")
    for e, values in gold["event_study"].items():
        assert event.loc[int(e), "estimate"] == pytest.approx(values["estimate"], rel=1e-6)
        assert event.loc[int(e), "se_cr1"] == pytest.approx(values["se_cr1"], rel=1e-6)
    wild = gold["wild_webb"]
    assert o.wild is not None
    assert o.wild.t_stat == pytest.approx(wild["t_stat"], rel=1e-8)
    tol = 4 * math.sqrt(wild["p_value"] * (1 - wild["p_value"]) * (1 / 999 + 1 / wild["reps"]))
    assert abs(o.wild.p_value - wild["p_value"]) < tol


def test_a_noise_free_effect_is_recovered_exactly_in_every_cell() -> None:
    """Outcome = LA effect + year effect + covariate effect + an effect that grows with years
    since adoption: every post-adoption ATT(g,t) equals the injected effect and every placebo
    is zero (to rounding), whatever the weights."""
    frame = CHILDREN.copy()
    la_effect = frame["la"].str[2:].astype(int) * 0.03
    since = np.where(frame["adoption"] > 0, frame["year"] - frame["adoption"], -1)
    effect = np.where(since >= 0, -0.1 - 0.05 * since, 0.0)
    frame["y"] = la_effect + 0.02 * (frame["year"] - 2018) + 0.01 * frame["age"] + effect
    res = fit(frame, outcome="y", covariates=("age",), wild=False)
    assert res.cells is not None
    truth = np.where(res.cells["event_time"] >= 0, -0.1 - 0.05 * res.cells["event_time"], 0.0)
    np.testing.assert_allclose(res.cells["estimate"], truth, atol=1e-10)
    post = res.cells[res.cells["event_time"] >= 0]
    expected = float(np.average(post["estimate"], weights=post["weight"]))
    assert res.overall.estimate == pytest.approx(expected, abs=1e-12)
    assert res.overall.wild is None
    assert res.event_study.loc[res.event_study["event_time"] < 0, "estimate"].abs().max() < 1e-10


def test_not_yet_treated_lets_the_later_cohort_serve_as_control() -> None:
    never = fit(wild=False)
    not_yet = fit(control_group="notyettreated", wild=False)
    assert never.cells is not None
    assert not_yet.cells is not None
    early = not_yet.cells[(not_yet.cells["group"] == 2020) & (not_yet.cells["period"] == 2020)]
    assert early["n_control_clusters"].item() == 9  # 6 never treated + 3 adopting in 2021
    assert (never.cells["n_control_clusters"] == 6).all()
    assert (never.n_clusters_treated, never.n_clusters_control) == (6, 6)


def test_result_tables_and_summary_say_how_many_clusters_carry_the_inference() -> None:
    res = fit()
    table = res.to_frame()
    assert table["term"].tolist() == [
        "ATT",
        "event_time=-3",
        "event_time=-2",
        "event_time=0",
        "event_time=1",
        "event_time=2",
    ]
    assert (table["ci_lower"] < table["estimate"]).all()
    assert "12 LA clusters: 6 treated and 6 comparator LAs" in res.summary()
    assert "webb, 999 replications" in res.summary()


def test_the_unrestricted_bootstrap_is_passed_through_to_every_estimate() -> None:
    """``restricted=False`` runs WCU (residuals of the full fit) for the ATT and the event study:
    the same sample t-statistic as WCR, another bootstrap distribution."""
    wcr, wcu = fit(), fit(restricted=False)
    assert wcr.overall.wild is not None
    assert wcu.overall.wild is not None
    assert wcr.overall.wild.restricted
    assert not wcu.overall.wild.restricted
    assert wcu.overall.wild.t_stat == pytest.approx(wcr.overall.wild.t_stat, rel=1e-12)
    assert wcu.overall.wild.p_value != wcr.overall.wild.p_value
    assert not wcu.event_study["p_wild"].equals(wcr.event_study["p_wild"])


def test_zero_weights_are_the_same_as_dropping_the_rows() -> None:
    zeroed = CHILDREN["weight"].where((CHILDREN["la"] != "LA11") & (CHILDREN.index % 7 != 0), 0.0)
    frame = CHILDREN.assign(weight=zeroed)
    full, kept = fit(frame, wild=False), fit(frame[frame["weight"] > 0], wild=False)
    assert full.n_clusters_control == kept.n_clusters_control == 5
    a, b = full.overall, kept.overall
    assert (a.n_clusters, a.n_obs) == (b.n_clusters, b.n_obs) == (11, b.n_obs)
    assert (a.estimate, a.se_cr1, a.se_cr2) == pytest.approx((b.estimate, b.se_cr1, b.se_cr2))


def test_a_cohort_without_a_pre_period_is_left_out_with_a_note() -> None:
    frame = CHILDREN.assign(adoption=CHILDREN["adoption"].replace({2020: 2018}))
    res = fit(frame, wild=False)
    assert res.notes == ("cohort 2018 has no period before adoption and is left out",)
    assert res.n_clusters_treated == 3


def test_a_cohort_adopting_after_the_data_end_is_never_treated() -> None:
    frame = CHILDREN.assign(adoption=CHILDREN["adoption"].replace({2021: 2030}))
    res = fit(frame, wild=False)
    assert res.notes[0] == "3 LA(s) adopting after 2022 count as never treated"
    assert (res.n_clusters_treated, res.n_clusters_control, res.n_clusters_other) == (3, 6, 3)
    assert res.overall.n_clusters == 12
    assert "and 3 other pilot LAs" in res.summary()


def _problem(frame: pd.DataFrame, **kwargs: object) -> tuple[str, str, str]:
    with pytest.raises(InputError) as err:
        fit(frame, wild=False, **kwargs)
    (p,) = err.value.problems
    assert p.code == "CSC-E7103"
    return p.message, p.column, p.value


def test_bad_input_is_a_coded_problem() -> None:
    assert "no LA is treated" in _problem(CHILDREN.assign(adoption=0))[0]
    assert "no LA is treated" in _problem(CHILDREN.assign(adoption=CHILDREN["adoption"] * 2))[0]
    varying = CHILDREN.assign(adoption=np.where(CHILDREN.index == 0, 2021, CHILDREN["adoption"]))
    assert _problem(varying)[1:] == ("adoption", "LA00")
    gaps = CHILDREN.assign(rereferral=np.where(CHILDREN.index == 5, np.nan, CHILDREN["rereferral"]))
    assert _problem(gaps)[1] == "rereferral"
    assert _problem(CHILDREN.assign(pilot=0))[1] == "pilot"
    assert "never-treated" in _problem(CHILDREN[CHILDREN["adoption"] > 0])[0]
    la_level = CHILDREN.assign(size=CHILDREN["la"].str[2:].astype(float))
    assert "collinear" in _problem(la_level, covariates=("size",))[0]
    assert _problem(CHILDREN, covariates=("missing",))[1] == "missing"
    assert "whole numbers" in _problem(CHILDREN.assign(year=CHILDREN["year"] + 0.5))[0]
