"""The child-level simulator's calibration (repeat plans) and its truth on the matched sample."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from csceval.strands.child_impact.estimate import matching_weights
from csceval.strands.child_impact.simulate import (
    adoption_years,
    spec_cohorts,
    spec_records,
    spec_returns,
    spec_truth,
)
from csceval.strands.child_impact.simulate_model import ChildWorldSpec, collection_year

YEARS = tuple(range(2014, 2021))


def _spec(size: float = 150.0) -> ChildWorldSpec:
    starts: dict[str, dt.date | None] = {"701": dt.date(2016, 4, 1), "702": dt.date(2017, 4, 1)}
    starts |= {"711": None, "712": None}
    return ChildWorldSpec(dict.fromkeys(starts, size), starts, YEARS, seed=77)


def test_about_a_fifth_of_plans_are_second_or_later_plans_as_in_england() -> None:
    # DfE CIN table D3: 16.6% (2014-15) to 20.8% (2018-19) of plan starts in England
    index = pd.concat([r.index for r in spec_records(_spec(400.0))], ignore_index=True)
    year = collection_year(index["ref"].to_numpy())
    index = index[(year > YEARS[0]) & (year < YEARS[-1])]
    plans = index[index["cpp_12m"]]
    share = float((plans["prior_cpp"] | plans["history"]).mean())
    assert 0.15 < share < 0.25, share
    # most of them had their first plan before the returns: the covariate cannot see it
    assert plans["history"].mean() > 5 * plans["prior_cpp"].mean()


def test_the_truth_over_the_kept_children_is_the_truth_over_those_children() -> None:
    spec = _spec()
    records = spec_records(spec)
    cohorts, _ = spec_cohorts(spec, spec_returns(records, spec.years))
    adoption = adoption_years(spec)
    post = (cohorts["la_code"].map(adoption) <= cohorts["cohort_year"]).to_numpy()
    everyone = spec_truth(spec, records)
    assert spec_truth(spec, records, cohorts[post]) == pytest.approx(everyone, rel=1e-12)
    kept = matching_weights(cohorts, adoption)[post] > 0
    assert 0.5 < kept.mean() < 1.0  # the match drops some pilot children, not most
    matched = spec_truth(spec, records, cohorts[post][kept])
    assert matched["cpp_12m"] != everyone["cpp_12m"]
    # by hand: the mean effect over the kept children's simulated referrals
    index = pd.concat([r.index.assign(la_code=r.la_code) for r in records], ignore_index=True)
    first = cohorts[post][kept].iloc[:1]
    one = spec_truth(spec, records, first)
    la, ref = first["la_code"].iloc[0], first["ref"].iloc[0]
    rows = index[(index["la_code"] == la) & (pd.to_datetime(index["ref"]) == ref)]
    assert 100 * rows["effect_cla_12m"].to_numpy() == pytest.approx(one["cla_12m"])
    assert np.isfinite(one["rereferral_12m"])
