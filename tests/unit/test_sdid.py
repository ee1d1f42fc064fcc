"""Synthetic DiD: Prop 99 golden (R synthdid / Arkhangelsky et al. 2021) and properties."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.impact.sdid import synthdid
from csceval.impact.sdid_solver import estimate_block, fit_batch, fw_weights, options_for
from csceval.impact.synth_data import SynthPanel

GOLDEN = json.loads(
    (Path(__file__).parents[1] / "golden" / "sdid" / "prop99_synthdid.json").read_text("utf-8")
)


@pytest.fixture(scope="module")
def prop99(shared_data: Path) -> SynthPanel:
    spec = GOLDEN["data"]
    frame = pd.read_csv(shared_data / "reference" / spec["file"])
    return SynthPanel.from_long(
        frame, unit=spec["unit"], time=spec["time"], variables=[spec["outcome"]]
    )


def prop99_fit(panel: SynthPanel, method: str, **kw: object):  # type: ignore[no-untyped-def]
    spec = GOLDEN["data"]
    return synthdid(panel, spec["outcome"], {spec["treated"]: spec["start"]}, method=method, **kw)


def test_prop99_sdid_matches_r_synthdid(prop99: SynthPanel) -> None:
    result = prop99_fit(prop99, "sdid", inference="none")
    assert result.tau == pytest.approx(GOLDEN["r_synthdid_tau"], abs=GOLDEN["tolerance_tau"])
    (cohort,) = result.cohorts
    lam = cohort.to_dict()["time_weights"]
    assert set(lam) == set(GOLDEN["time_weights"])
    for year, w in GOLDEN["time_weights"].items():
        assert lam[year] == pytest.approx(w, abs=GOLDEN["time_weights_tolerance"])
    # published Table 1, one decimal
    assert round(result.tau, 1) == GOLDEN["published_table1"]["sdid"][0]


@pytest.mark.parametrize("method", ["sc", "did"])
def test_prop99_sc_and_did_from_the_same_solver(prop99: SynthPanel, method: str) -> None:
    result = prop99_fit(prop99, method, inference="none")
    same = GOLDEN["same_solver"]
    assert result.tau == pytest.approx(same[method], abs=same["tolerance"])
    assert round(result.tau, 1) == GOLDEN["published_table1"][method][0]


def test_prop99_placebo_se_is_in_the_published_range(prop99: SynthPanel) -> None:
    result = prop99_fit(prop99, "sdid", n_reps=200, seed=1)
    low, high = GOLDEN["placebo_se_band"]["sdid"]
    assert low < result.se < high
    assert result.ci[0] < result.tau < result.ci[1]
    assert 0 < result.p_value <= 1
    again = prop99_fit(prop99, "sdid", n_reps=200, seed=1)
    assert again.se == result.se  # the seed fixes the draws
    # a single treated unit: jackknife is not defined (as R's jackknife_se)
    jk = prop99_fit(prop99, "sdid", inference="jackknife")
    assert np.isnan(jk.se)
    assert jk.notes


# --------------------------------------------------------------------------------------------
# properties on simulated panels
# --------------------------------------------------------------------------------------------


def factor_panel(
    seed: int, n: int = 30, t: int = 12, effect: float = 2.0, noise: float = 0.0
) -> tuple[np.ndarray, int, int]:
    """Units x times: unit + time effects + a unit-specific trend, controls first."""
    rng = np.random.default_rng(seed)
    y = rng.normal(0, 3, (n, 1)) + rng.normal(0, 1, (1, t)).cumsum(axis=1)
    y = y + noise * rng.normal(size=(n, t))
    n0, t0 = n - 3, t - 4
    y[n0:, t0:] += effect
    return y, n0, t0


@pytest.mark.parametrize("seed", range(5))
def test_two_way_fixed_effects_data_give_the_effect_exactly(seed: int) -> None:
    y, n0, t0 = factor_panel(seed)
    for method in ("sdid", "did"):
        assert estimate_block(y, n0, t0, method).tau == pytest.approx(2.0, abs=1e-8)  # type: ignore[arg-type]


def test_did_method_is_the_two_by_two_difference() -> None:
    rng = np.random.default_rng(3)
    y = rng.normal(size=(20, 9))
    n0, t0 = 16, 5
    manual = (y[n0:, t0:].mean() - y[n0:, :t0].mean()) - (y[:n0, t0:].mean() - y[:n0, :t0].mean())
    assert estimate_block(y, n0, t0, "did").tau == pytest.approx(manual, abs=1e-12)


def test_weights_lie_on_the_simplex() -> None:
    y, n0, t0 = factor_panel(7, noise=1.0)
    fit = estimate_block(y, n0, t0, "sdid")
    for w in (fit.omega, fit.lam):
        assert (w >= 0).all()
        assert w.sum() == pytest.approx(1.0, abs=1e-12)


def test_batched_solver_equals_one_at_a_time() -> None:
    rng = np.random.default_rng(11)
    ys = rng.normal(size=(4, 15, 7)).cumsum(axis=2)
    batch = fw_weights(ys, 0.3, intercept=True, start=None, min_decrease=1e-6, max_iter=500)
    for b in range(4):
        one = fw_weights(ys[b], 0.3, intercept=True, start=None, min_decrease=1e-6, max_iter=500)
        np.testing.assert_allclose(batch[b], one, atol=1e-12)
    y, n0, t0 = factor_panel(2, noise=1.0)
    opts, _ = options_for("sdid", y, n0, t0)
    start_o, start_l = np.full((2, n0), 1 / n0), np.full((2, t0), 1 / t0)
    taus, _, _ = fit_batch(np.stack([y, y[::-1].copy()]), n0, t0, opts, start_o, start_l)
    assert taus[0] == pytest.approx(estimate_block(y, n0, t0).tau, abs=1e-10)


def long_panel(y: np.ndarray, first_year: int = 2000) -> SynthPanel:
    rows = [
        {"unit": f"u{i:02d}", "year": first_year + t, "y": float(y[i, t])}
        for i in range(y.shape[0])
        for t in range(y.shape[1])
    ]
    return SynthPanel.from_long(pd.DataFrame(rows), unit="unit", time="year", variables=["y"])


def test_staggered_cohorts_are_weighted_by_treated_unit_periods() -> None:
    y, _, _ = factor_panel(5, n=40, t=14, effect=0.0, noise=0.5)
    panel = long_panel(y)
    adoption = {"u30": 2008, "u31": 2008, "u32": 2011}
    result = synthdid(panel, "y", adoption, inference="none")
    a, b = result.cohorts
    assert (a.start, b.start) == (2008, 2011)
    assert (a.unit_periods, b.unit_periods) == (2 * 6, 1 * 3)
    assert result.tau == pytest.approx((12 * a.tau + 3 * b.tau) / 15, abs=1e-12)
    # a cohort alone is the block design on never-treated controls (other cohorts left out)
    alone = synthdid(
        panel,
        "y",
        {"u32": 2011},
        controls=[u for u in panel.units if u not in adoption],
        inference="none",
    )
    assert alone.tau == pytest.approx(b.tau, abs=1e-12)


def test_placebo_and_jackknife_on_a_staggered_design() -> None:
    y, _, _ = factor_panel(8, n=40, t=14, effect=0.0, noise=1.0)
    panel = long_panel(y)
    adoption = {"u30": 2008, "u31": 2008, "u32": 2011, "u33": 2011}
    placebo = synthdid(panel, "y", adoption, n_reps=50, seed=2)
    assert placebo.placebo.shape == (50,)
    assert placebo.se > 0
    assert placebo.p_value == pytest.approx(
        (1 + np.sum(np.abs(placebo.placebo) >= abs(placebo.tau))) / 51
    )
    jack = synthdid(panel, "y", adoption, inference="jackknife")
    assert jack.se > 0
    assert jack.tau == placebo.tau


def test_jackknife_matches_the_leave_one_out_formula() -> None:
    y, _, _ = factor_panel(9, n=12, t=8, effect=0.0, noise=1.0)
    panel = long_panel(y)
    adoption = {"u10": 2005, "u11": 2005}
    full = synthdid(panel, "y", adoption, inference="jackknife")
    (cohort,) = full.cohorts
    omega, lam = cohort.fit.omega, cohort.fit.lam
    n0, t0 = 10, 5
    estimates = []
    for drop in range(12):
        keep_c = [i for i in range(n0) if i != drop]
        keep_t = [i for i in (10, 11) if i != drop]
        w = omega[keep_c] / omega[keep_c].sum()
        synth = w @ y[keep_c]
        treated = y[keep_t].mean(axis=0)
        gap = treated - synth
        estimates.append(gap[t0:].mean() - lam @ gap[:t0])
    u = np.asarray(estimates)
    expected = np.sqrt((len(u) - 1) / len(u) * (len(u) - 1) * np.var(u, ddof=1))
    assert full.se == pytest.approx(expected, rel=1e-10)


def test_jackknife_drops_a_single_pilot_cohort_from_its_own_replicate() -> None:
    y, _, _ = factor_panel(11, n=16, t=10, effect=0.0, noise=1.0)
    panel = long_panel(y)
    adoption = {"u13": 2005, "u14": 2005, "u15": 2007}  # the 2007 cohort has one unit
    full = synthdid(panel, "y", adoption, inference="jackknife")
    assert np.isfinite(full.se)
    assert full.se > 0
    cohorts = full.cohorts
    n0 = 13
    estimates = []
    for drop in range(16):
        taus, sizes = [], []
        for cohort, members in zip(cohorts, ([13, 14], [15]), strict=True):
            keep_t = [i for i in members if i != drop]
            if not keep_t:
                continue
            keep_c = [i for i in range(n0) if i != drop]
            w = cohort.fit.omega[keep_c] / cohort.fit.omega[keep_c].sum()
            gap = y[keep_t].mean(axis=0) - w @ y[keep_c]
            taus.append(gap[cohort.n_pre :].mean() - cohort.fit.lam @ gap[: cohort.n_pre])
            sizes.append(len(keep_t) * cohort.n_post)
        estimates.append(np.average(taus, weights=sizes))
    u = np.asarray(estimates)
    expected = np.sqrt((len(u) - 1) / len(u) * (len(u) - 1) * np.var(u, ddof=1))
    assert full.se == pytest.approx(expected, rel=1e-10)
    # one treated unit in all: the jackknife is not defined
    alone = synthdid(panel, "y", {"u15": 2007}, inference="jackknife")
    assert np.isnan(alone.se)
    assert any("jackknife not defined" in n for n in alone.notes)


def test_bad_input_is_refused_with_the_reason() -> None:
    y, _, _ = factor_panel(4, n=10, t=8)
    panel = long_panel(y)
    with pytest.raises(ValueError, match="fewer than two pre-periods"):
        synthdid(panel, "y", {"u09": 2001})
    with pytest.raises(ValueError, match="usable control"):
        synthdid(panel, "y", {"u09": 2004}, controls=["u00"])
    y_missing = y.copy()
    y_missing[9, 2] = np.nan
    with pytest.raises(ValueError, match="treated unit u09"):
        synthdid(long_panel(y_missing), "y", {"u09": 2004})
    y_missing = y.copy()
    y_missing[0, 2] = np.nan
    result = synthdid(long_panel(y_missing), "y", {"u09": 2004}, inference="none")
    assert "u00" not in result.cohorts[0].controls
    assert any("u00" in note for note in result.notes)
    late = synthdid(panel, "y", {"u09": 2004, "u08": 2030}, inference="none")
    assert any("u08" in note for note in late.notes)
