"""Tests for csceval.impact.did: R ``did`` 2.5.0 golden values, bootstrap, properties, errors.

The reference numbers are read from ../shared/data/reference/ (see tests/golden/did/SOURCE.md):
``did_r250_ref_attgt.csv`` (ATT(g,t) and analytic SE), ``did_r250_ref_aggte.csv`` (the four
aggregations) and ``did_r250_ref_pretest.csv`` (Wald pre-test), all produced by R ``did`` 2.5.0
on ``mpdta.csv``. The tests skip on a clone without ../shared and fail when CI=true.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csceval.impact.did import aggte, att_gt

REFERENCE = Path(__file__).parents[2].parent / "shared" / "data" / "reference"
TOL = 1e-6
"""Acceptance tolerance against R (the implementation agrees to ~1e-13)."""

SCENARIOS: dict[str, dict[str, Any]] = {
    "mpdta_nev_dr": {"control_group": "nevertreated", "est_method": "dr"},
    "mpdta_nyt_dr": {"control_group": "notyettreated", "est_method": "dr"},
    "mpdta_nev_reg_cov": {
        "control_group": "nevertreated",
        "est_method": "reg",
        "covariates": ["lpop"],
    },
    "mpdta_nev_ipw": {"control_group": "nevertreated", "est_method": "ipw"},
}
NOT_SHIPPED = {"sim_nev_dr": "needs csdid's sim_data.csv, which is not in ../shared/data/reference"}


@pytest.fixture(scope="module")
def reference() -> Path:
    if not (REFERENCE / "did_r250_ref_attgt.csv").is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the R did reference files are missing from {REFERENCE}")
        pytest.skip(f"needs the shared reference data {REFERENCE} (not part of a user's clone)")
    return REFERENCE


@pytest.fixture(scope="module")
def mpdta(reference: Path) -> pd.DataFrame:
    return pd.read_csv(reference / "mpdta.csv")


def _fit(mpdta: pd.DataFrame, **kwargs: Any) -> Any:
    return att_gt(mpdta, "lemp", unit="countyreal", time="year", group="first.treat", **kwargs)


@pytest.fixture(scope="module")
def fits(mpdta: pd.DataFrame) -> dict[str, Any]:
    return {name: _fit(mpdta, **kw) for name, kw in SCENARIOS.items()}


# --------------------------------------------------------------------------- golden: R did 2.5.0


@pytest.mark.shared
def test_every_reference_scenario_is_covered(reference: Path) -> None:
    for name in ("attgt", "aggte", "pretest"):
        scenarios = set(pd.read_csv(reference / f"did_r250_ref_{name}.csv")["scenario"])
        assert scenarios == set(SCENARIOS) | set(NOT_SHIPPED), name


@pytest.mark.shared
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_attgt_matches_r(reference: Path, fits: dict[str, Any], scenario: str) -> None:
    ref = pd.read_csv(reference / "did_r250_ref_attgt.csv")
    ref = ref[ref["scenario"] == scenario]
    got = fits[scenario].to_frame()
    both = got.merge(ref, left_on=["group", "time"], right_on=["group", "t"], suffixes=("", "_r"))
    assert len(both) == len(ref) == len(got) == 12
    np.testing.assert_allclose(both["att"], both["att_r"], rtol=0, atol=TOL)
    np.testing.assert_allclose(both["se"], both["se_r"], rtol=0, atol=TOL)


@pytest.mark.shared
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("kind", ["simple", "group", "dynamic", "calendar"])
def test_aggte_matches_r(reference: Path, fits: dict[str, Any], scenario: str, kind: str) -> None:
    ref = pd.read_csv(reference / "did_r250_ref_aggte.csv")
    ref = ref[(ref["scenario"] == scenario) & (ref["type"] == kind)]
    agg = aggte(fits[scenario], kind)
    assert agg.overall_att == pytest.approx(ref["overall_att"].iloc[0], abs=TOL)
    assert agg.overall_se == pytest.approx(ref["overall_se"].iloc[0], abs=TOL)
    if kind == "simple":
        assert len(agg.labels) == 0
        return
    np.testing.assert_array_equal(agg.labels, ref["egt"].to_numpy(dtype=float))
    np.testing.assert_allclose(agg.att, ref["att_egt"], rtol=0, atol=TOL)
    np.testing.assert_allclose(agg.se, ref["se_egt"], rtol=0, atol=TOL)


@pytest.mark.shared
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_pretest_matches_r(reference: Path, fits: dict[str, Any], scenario: str) -> None:
    ref = pd.read_csv(reference / "did_r250_ref_pretest.csv").set_index("scenario")
    res = fits[scenario]
    assert res.pretest_df == 5
    assert res.pretest_w == pytest.approx(ref.loc[scenario, "W"], abs=TOL)
    assert round(res.pretest_p, 5) == pytest.approx(ref.loc[scenario, "Wpval"], abs=TOL)


@pytest.mark.shared
def test_published_summary_numbers(fits: dict[str, Any]) -> None:
    """The rounded figures quoted in causal_estimators.md section 3.4 (R did README/vignette)."""
    res = fits["mpdta_nev_dr"]
    assert aggte(res, "simple").overall_att == pytest.approx(-0.0399513, abs=5e-8)
    assert aggte(res, "dynamic").overall_att == pytest.approx(-0.0772398, abs=5e-8)
    np.testing.assert_allclose(
        aggte(res, "group").att, [-0.0797, -0.0229, -0.0261], rtol=0, atol=5e-5
    )


# --------------------------------------------------------------------------- bootstrap


@pytest.mark.shared
def test_bootstrap_se_close_to_analytic(mpdta: pd.DataFrame) -> None:
    res = _fit(mpdta, inference="bootstrap", n_boot=999, seed=20211)
    ratios = list(res.se / res.se_analytic)
    for kind in ("simple", "group", "dynamic", "calendar"):
        boot, exact = aggte(res, kind), aggte(res, kind, inference="analytic")
        ratios += [boot.overall_se / exact.overall_se, *(boot.se / exact.se)]
    dev = np.abs(np.asarray(ratios) - 1)
    # Each IQR-based bootstrap SE has ~4% Monte Carlo noise at B=999 (measured over 40 seeds).
    assert np.mean(dev) < 0.10
    assert np.median(dev) < 0.10
    assert dev.max() < 0.25


@pytest.mark.shared
def test_bootstrap_uniform_band(mpdta: pd.DataFrame) -> None:
    res = _fit(mpdta, inference="bootstrap", seed=7)
    z = 1.959963984540054
    assert res.uniform
    assert z < res.crit_value < 4
    np.testing.assert_allclose(res.ci_upper - res.att, res.crit_value * res.se)
    dyn = aggte(res, "dynamic")
    assert dyn.inference == "bootstrap"
    assert dyn.seed == 7
    assert dyn.uniform
    assert z < dyn.crit_value < 4
    lo, hi = dyn.overall_ci
    assert hi - dyn.overall_att == pytest.approx(z * dyn.overall_se)
    assert dyn.n_boot == 999
    assert math.isfinite(lo)


@pytest.mark.shared
def test_bootstrap_is_seeded_and_mammen_works(mpdta: pd.DataFrame) -> None:
    a = _fit(mpdta, inference="bootstrap", seed=3)
    b = _fit(mpdta, inference="bootstrap", seed=3)
    c = _fit(mpdta, inference="bootstrap", seed=4)
    np.testing.assert_array_equal(a.se, b.se)
    assert a.crit_value == b.crit_value
    assert not np.array_equal(a.se, c.se)
    m = _fit(mpdta, inference="bootstrap", seed=3, multiplier="mammen")
    assert np.all(np.abs(m.se / m.se_analytic - 1) < 0.25)
    drawn = _fit(mpdta, inference="bootstrap")  # a fresh seed is drawn and recorded
    assert drawn.seed is not None
    again = _fit(mpdta, inference="bootstrap", seed=drawn.seed)
    np.testing.assert_array_equal(drawn.se, again.se)


# --------------------------------------------------------------------------- properties


def _panel(
    n_never: int = 12,
    cohorts: dict[int, int] | None = None,
    periods: range = range(2010, 2018),
    effect: float = 0.0,
    dynamic: float = 0.0,
    seed: int = 0,
    covariate_trend: float = 0.0,
) -> pd.DataFrame:
    """Noiseless panel ``y = a_i + b_t + x_i * c * (t - t0) + effect after g`` (parallel trends)."""
    cohorts = cohorts or {2013: 3, 2015: 2, 2016: 3}
    rng = np.random.default_rng(seed)
    g = np.concatenate([np.zeros(n_never), *[np.full(k, c) for c, k in cohorts.items()]])
    n, t = len(g), np.asarray(periods, dtype=float)
    a, b, x = rng.normal(0, 2, n), rng.normal(0, 1, len(t)).cumsum(), rng.normal(0, 1, n)
    y = a[:, None] + b[None, :] + covariate_trend * x[:, None] * (t - t[0])[None, :]
    e = t[None, :] - g[:, None]
    treated = (g[:, None] > 0) & (e >= 0)
    y = y + np.where(treated, effect + dynamic * e, 0.0)
    return pd.DataFrame(
        {
            "la": np.repeat(np.arange(100, 100 + n), len(t)),
            "year": np.tile(t, n),
            "g": np.repeat(g, len(t)),
            "y": y.ravel(),
            "x": np.repeat(x, len(t)),
        }
    )


def _est(data: pd.DataFrame, **kwargs: Any) -> Any:
    return att_gt(data, "y", unit="la", time="year", group="g", **kwargs)


OPTIONS = st.fixed_dictionaries(
    {
        "est_method": st.sampled_from(["dr", "ipw", "reg"]),
        "control_group": st.sampled_from(["nevertreated", "notyettreated"]),
        "base_period": st.sampled_from(["varying", "universal"]),
    }
)


@settings(max_examples=15, deadline=None)
@given(opts=OPTIONS, seed=st.integers(0, 10_000))
def test_zero_effect_gives_zero_atts(opts: dict[str, str], seed: int) -> None:
    res = _est(_panel(seed=seed), **opts)
    assert np.all(np.abs(res.att) < 1e-9)
    for kind in ("simple", "group", "dynamic", "calendar"):
        assert abs(aggte(res, kind).overall_att) < 1e-9


@settings(max_examples=15, deadline=None)
@given(
    opts=OPTIONS,
    effect=st.floats(-5, 5, allow_nan=False),
    dynamic=st.floats(-1, 1, allow_nan=False),
    seed=st.integers(0, 10_000),
)
def test_injected_effect_recovered_exactly(
    opts: dict[str, str], effect: float, dynamic: float, seed: int
) -> None:
    res = _est(_panel(effect=effect, dynamic=dynamic, seed=seed), **opts)
    e = res.time - res.group
    expected = np.where(e >= 0, effect + dynamic * e, 0.0)
    np.testing.assert_allclose(res.att, expected, rtol=0, atol=1e-9)
    dyn = aggte(res, "dynamic")
    np.testing.assert_allclose(
        dyn.att, np.where(dyn.labels >= 0, effect + dynamic * dyn.labels, 0), atol=1e-9
    )


@pytest.mark.parametrize("est_method", ["dr", "reg"])
def test_covariate_specific_trends_recovered_with_covariates(est_method: str) -> None:
    data = _panel(effect=1.5, covariate_trend=0.7, seed=5)
    res = _est(data, est_method=est_method, covariates=["x"])
    np.testing.assert_allclose(res.att, np.where(res.post, 1.5, 0.0), atol=1e-9)
    plain = _est(data, est_method=est_method)
    assert np.max(np.abs(plain.att - np.where(plain.post, 1.5, 0.0))) > 1e-3


def test_anticipation_shifts_the_base_period() -> None:
    data = _panel(n_never=40, cohorts={2013: 10, 2015: 10, 2016: 10}, effect=2.0, seed=2)
    data["g"] = np.where(data["g"] > 0, data["g"] + 1, 0)  # units react a year early
    res = _est(data, anticipation=1)
    e = res.time - res.group
    np.testing.assert_allclose(res.att, np.where(e >= -1, 2.0, 0.0), atol=1e-9)
    data["y"] += np.random.default_rng(8).normal(0, 0.1, len(data))
    noisy = _est(data, anticipation=1)
    assert noisy.pretest_w is not None
    assert noisy.pretest_df == int(np.sum(e < -1))  # the anticipation cells are not tested


def test_universal_base_period_normalises_reference_cell() -> None:
    data = _panel(effect=1.0, seed=4)
    data["y"] += np.random.default_rng(1).normal(0, 0.1, len(data))
    uni, var = _est(data, base_period="universal"), _est(data)
    ref = uni.time == uni.group - 1
    assert np.all(uni.att[ref] == 0)
    assert np.all(np.isnan(uni.se[ref]))
    post_u, post_v = uni.to_frame()[uni.post], var.to_frame()[var.post]
    np.testing.assert_allclose(post_u[["att", "se"]], post_v[["att", "se"]], atol=1e-12)


def test_invariant_to_row_and_unit_order() -> None:
    data = _panel(effect=0.5, seed=9)
    data["y"] += np.random.default_rng(3).normal(0, 0.2, len(data))
    base = _est(data, inference="bootstrap", seed=11)
    shuffled = data.sample(frac=1.0, random_state=5)
    again = _est(shuffled, inference="bootstrap", seed=11)
    for field in ("att", "se", "se_analytic", "ci_lower"):
        np.testing.assert_array_equal(getattr(base, field), getattr(again, field))
    relabel = dict(
        zip(data["la"].unique(), np.random.default_rng(2).permutation(500)[:44], strict=False)
    )
    renamed = _est(shuffled.assign(la=shuffled["la"].map(relabel)))
    np.testing.assert_allclose(renamed.att, base.att, atol=1e-12)
    np.testing.assert_allclose(renamed.se, base.se_analytic, atol=1e-12)
    assert aggte(renamed, "dynamic").overall_se == pytest.approx(
        aggte(base, "dynamic", inference="analytic").overall_se
    )


def test_results_are_frozen_and_json_safe() -> None:
    res = _est(_panel(effect=1.0), base_period="universal")
    with pytest.raises(AttributeError):
        res.att = res.att  # type: ignore[misc]
    text = json.dumps(res.to_dict(), allow_nan=False)
    assert '"se": null' in text  # the universal base cells
    agg = aggte(res, "dynamic")
    json.dumps(agg.to_dict(), allow_nan=False)
    assert list(agg.to_frame().columns) == ["event_time", "att", "se", "ci_lower", "ci_upper"]
    assert "influence" not in repr(res)
    assert res.influence.shape == (res.n_units, len(res.att))


def test_na_cells_need_na_rm() -> None:
    data = _panel(effect=1.0, seed=6)
    jitter = np.random.default_rng(0).uniform(-0.1, 0.1, data["la"].nunique())
    data["x"] = (data["g"] == 2015) + np.repeat(jitter, data["year"].nunique())
    res = _est(data, covariates=["x"])  # x perfectly separates cohort 2015 from the others
    bad = res.group == 2015
    assert np.all(np.isnan(res.att[bad]))
    assert np.all(np.isfinite(res.att[~bad]))
    assert any("ATT(2015," in note for note in res.notes)
    with pytest.raises(ValueError, match="na_rm=True"):
        aggte(res, "simple")
    agg = aggte(res, "group", na_rm=True)
    np.testing.assert_array_equal(agg.labels, [2013, 2016])
    assert agg.overall_att == pytest.approx(1.0)


# --------------------------------------------------------------------------- errors


def test_unbalanced_panel_names_units_and_periods() -> None:
    data = _panel()
    data = data.drop(data.index[(data["la"] == 103) & (data["year"].isin([2012, 2014]))])
    with pytest.raises(ValueError, match=r"unbalanced panel.*unit 103 lacks 2012, 2014"):
        _est(data)


def test_nan_outcome_names_the_cell() -> None:
    data = _panel()
    data.loc[(data["la"] == 105) & (data["year"] == 2011), "y"] = np.nan
    with pytest.raises(ValueError, match=r"'y' has 1 missing.*unit 105 at 2011"):
        _est(data)


def test_no_never_treated_units() -> None:
    data = _panel()
    data = data[data["g"] > 0]
    with pytest.raises(ValueError, match="no never-treated units"):
        _est(data)
    res = _est(data, control_group="notyettreated")  # R: last cohort becomes the comparison
    assert set(res.groups) == {2013, 2015}
    assert res.periods.max() == 2015
    assert any("only as a not-yet-treated" in note for note in res.notes)


def test_cohort_without_pre_period() -> None:
    data = _panel()
    data.loc[data["g"] == 2013, "g"] = 2010
    with pytest.raises(ValueError, match=r"no pre-treatment period for cohort 2010 \(units 112"):
        _est(data)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"est_method": "twfe"}, "est_method"),
        ({"control_group": "all"}, "control_group"),
        ({"base_period": "fixed"}, "base_period"),
        ({"covariates": ["nope"]}, "'nope' not found"),
        ({"inference": "jackknife"}, "inference"),
        ({"multiplier": "webb"}, "multiplier"),
    ],
)
def test_invalid_settings(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _est(_panel(), **kwargs)


def test_cohort_must_be_constant_and_rows_unique() -> None:
    data = _panel()
    data.loc[(data["la"] == 113) & (data["year"] == 2017), "g"] = 2016
    with pytest.raises(ValueError, match="changes over time within 1 unit"):
        _est(data)
    dup = pd.concat([_panel(), _panel().iloc[:1]])
    with pytest.raises(ValueError, match="appear more than once"):
        _est(dup)


def test_late_cohorts_count_as_never_treated() -> None:
    data = _panel()
    data.loc[data["g"] == 2016, "g"] = 2030
    res = _est(data)
    assert set(res.groups) == {2013, 2015}
    assert any("after the last period" in note for note in res.notes)
