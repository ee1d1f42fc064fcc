"""Child-level cohorts: DfE definitions on hand-made returns, the simulator's truth, pseudonyms."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.errors import InputError
from csceval.strands.child_impact.cohorts import la_cohorts
from csceval.strands.child_impact.pseudonym import (
    KEY_VARIABLE,
    Pseudonymiser,
    pseudonymiser_from_environment,
)
from csceval.strands.child_impact.returns import find_returns, read_year
from csceval.strands.child_impact.simulate_model import OUTCOMES, ChildWorldSpec
from csceval.strands.child_impact.simulate_records import simulate_la
from csceval.strands.child_impact.simulate_returns import la_returns

GOLDEN = Path(__file__).parents[1] / "golden" / "child_impact"
KEY = Pseudonymiser(b"a test key of thirty-two bytes!!")


def _golden_cohort() -> tuple[pd.DataFrame, dict[str, int]]:
    folders = find_returns(GOLDEN)["901"]
    return la_cohorts("901", {y: read_year(p) for y, p in folders.items()}, KEY)


def test_the_cohort_of_hand_made_returns_is_the_one_worked_out_by_hand() -> None:
    got, dropped = _golden_cohort()
    expected = pd.read_csv(GOLDEN / "expected_cohort.csv", dtype={"cohort_year": int})
    got = got.sort_values("ref").reset_index(drop=True)
    assert len(got) == len(expected)
    assert got["ref"].dt.strftime("%Y-%m-%d").tolist() == expected["ref"].tolist()
    for column in expected.columns.drop(["story", "ref"]):
        assert got[column].astype(str).tolist() == expected[column].astype(str).tolist(), column
    assert dropped == {
        "re-referrals (outcomes, not cohort members)": 2,
        "referrals in years without look-back or follow-up": 4,
    }


def test_no_child_id_leaves_the_cohort_builder() -> None:
    got, _ = _golden_cohort()
    assert "LAchildID" not in got.columns
    assert not set(got["child"]) & set("ABCDEFG")
    assert got["child"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert got["child"].nunique() == len(got)


def test_the_cohort_builder_recovers_the_simulated_outcomes_exactly() -> None:
    spec = ChildWorldSpec({"801": 60.0}, {"801": dt.date(2017, 4, 1)}, tuple(range(2015, 2020)))
    records = simulate_la(spec, "801")
    got, _ = la_cohorts("801", la_returns(records, spec.years), KEY)
    truth = records.index.copy()
    ref = pd.to_datetime(truth["ref"])
    year = ref.dt.year + (ref.dt.month >= 4)
    truth = truth[(year > spec.years[0]) & (year < spec.years[-1])]
    key = [
        f"{c}|{r}"
        for c, r in zip(
            KEY.pseudonyms("801", [f"801C{c:07d}" for c in truth["child"]]),
            pd.to_datetime(truth["ref"]).dt.date,
            strict=True,
        )
    ]
    mine = dict(
        zip(
            [f"{c}|{r}" for c, r in zip(got["child"], got["ref"].dt.date, strict=True)],
            got.index,
            strict=True,
        )
    )
    assert len(got) == len(truth) > 100
    rows = got.loc[[mine[k] for k in key]]
    for outcome in OUTCOMES:
        assert rows[outcome].to_numpy().tolist() == truth[outcome].to_numpy().tolist(), outcome
    assert rows["prior_cpp"].to_numpy().tolist() == truth["prior_cpp"].to_numpy().tolist()
    # a plan before the returns is not a prior_cpp covariate but makes the next plan a repeat
    repeat = (truth["cpp_12m"] & (truth["prior_cpp"] | truth["history"])).to_numpy()
    assert np.array_equal(rows["repeat_cpp_12m"].to_numpy(), repeat)
    assert (truth["history"] & ~truth["prior_cpp"] & truth["cpp_12m"]).any()


def test_pseudonyms_are_keyed_and_differ_between_las() -> None:
    one = KEY.pseudonyms("901", ["A", "B", "A"])
    assert one[0] == one[2] != one[1]
    assert KEY.pseudonyms("902", ["A"])[0] != one[0]
    assert Pseudonymiser(b"another key of thirty-two bytes!").pseudonyms("901", ["A"])[0] != one[0]
    assert "test key" not in repr(KEY)


def test_the_key_comes_from_the_environment_or_is_drawn_per_run() -> None:
    fixed = {KEY_VARIABLE: "k" * 40}
    a = pseudonymiser_from_environment(fixed).pseudonyms("901", ["A"])
    assert a == pseudonymiser_from_environment(fixed).pseudonyms("901", ["A"])
    runs = {pseudonymiser_from_environment({}).pseudonyms("901", ["A"])[0] for _ in range(3)}
    assert len(runs) == 3
    with pytest.raises(InputError) as caught:
        pseudonymiser_from_environment({KEY_VARIABLE: "short"})
    assert caught.value.problems[0].code == "CSC-E3804"
    assert "short" not in str(caught.value)


def test_a_sample_that_cannot_be_estimated_is_a_coded_problem() -> None:
    from csceval.strands.child_impact.estimate import estimate_child_impact

    pilot, _ = _golden_cohort()
    both = pd.concat([pilot, pilot.assign(la_code="902")], ignore_index=True)
    with pytest.raises(InputError) as caught:  # one cohort year: no year before adoption
        estimate_child_impact(both, {"901": 2019}, reps=99, methods=("cem",))
    codes = [p.code for p in caught.value.problems]
    assert codes[0] == "CSC-E3807"
    assert "CSC-E7103" in codes


def test_permanence_is_read_from_the_reason_care_ended_where_24_months_are_observed() -> None:
    spec = ChildWorldSpec({"802": 300.0}, {"802": dt.date(2016, 4, 1)}, tuple(range(2014, 2020)))
    records = simulate_la(spec, "802")
    got, _ = la_cohorts("802", la_returns(records, spec.years), KEY)
    truth = records.index.assign(
        child=KEY.pseudonyms("802", [f"802C{c:07d}" for c in records.index["child"]])
    )
    both = got.merge(truth, on=["child", "ref"], suffixes=("", "_true"), validate="1:1")
    assert len(both) == len(got)
    observed = both["cla_12m_true"] & (
        both["decom"] + pd.DateOffset(months=24) <= pd.Timestamp(2019, 3, 31)
    )
    assert both.loc[~observed, "permanence_24m"].isna().all()
    seen = both[observed]
    assert len(seen) > 40
    assert 0 < seen["permanence_24m_true"].sum() < len(seen)
    assert seen["permanence_24m"].tolist() == seen["permanence_24m_true"].astype(float).tolist()
