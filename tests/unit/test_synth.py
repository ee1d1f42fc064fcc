"""Synthetic control: Prop 99 golden tests (ADH 2010) and property tests of the estimator."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import minimize

from csceval.impact.synth import (
    Predictor,
    SynthPanel,
    SynthSpec,
    fit_synth,
    leave_one_out,
    placebo_in_space,
    placebo_in_time,
    pooled_synth,
)
from csceval.impact.synth_pooled import _draws
from csceval.impact.synth_weights import simplex_lstsq

REFERENCE = Path(__file__).parents[2].parent / "shared" / "data" / "reference"
GOLDEN = json.loads(
    (Path(__file__).parents[1] / "golden" / "synth" / "prop99_abadie2010.json").read_text(
        encoding="utf-8"
    )
)


# --------------------------------------------------------------------------------------------
# Prop 99 (Abadie, Diamond & Hainmueller 2010)
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def prop99() -> SynthPanel:
    path = REFERENCE / "prop99_smoking_long.csv"
    if not path.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the Prop 99 reference data is missing: {path}")
        pytest.skip(f"needs the shared reference data {path} (not part of a user's clone)")
    spec = GOLDEN["specification"]
    return SynthPanel.from_long(pd.read_csv(path), unit=spec["unit"], time=spec["time"])


def adh_spec(**kw: Any) -> SynthSpec:
    s = GOLDEN["specification"]
    return SynthSpec(
        s["outcome"],
        predictors=tuple(Predictor(v, a, b) for v, a, b in s["predictors"]),
        optimize_window=tuple(s["optimize_window"]),
        v_method="nested",
        nested_multistart=True,
        **kw,
    )


@pytest.fixture(scope="module")
def adh_placebos(prop99: SynthPanel) -> Any:
    s = GOLDEN["specification"]
    return placebo_in_space(prop99, adh_spec(), s["treated"], s["treatment_time"])


def published_fit(panel: SynthPanel) -> tuple[float, float, float]:
    """Pre-RMSPE 1970-88, gap in 2000 and mean gap 1989-2000 with the published weights."""
    y = panel.variable("cigsale")
    times = np.asarray(panel.times)
    synth = sum(w * y[:, panel.index_of(u)] for u, w in GOLDEN["published"]["weights"].items())
    gap = y[:, panel.index_of("California")] - synth
    pre = times < 1989
    return (
        float(np.sqrt(np.mean(gap[pre] ** 2))),
        float(gap[times == 2000][0]),
        float(gap[~pre].mean()),
    )


@pytest.mark.shared
def test_prop99_published_weights_reproduce_derived_figures(prop99: SynthPanel) -> None:
    rmspe, gap2000, mean_gap = published_fit(prop99)
    derived = GOLDEN["derived_from_published_weights"]
    tol = GOLDEN["tolerances"]["derived_abs"]
    assert rmspe == pytest.approx(derived["pre_rmspe_1970_1988"], abs=tol)
    assert gap2000 == pytest.approx(derived["gap_2000"], abs=tol)
    assert mean_gap == pytest.approx(derived["mean_gap_1989_2000"], abs=tol)


@pytest.mark.shared
def test_prop99_adh_weights(prop99: SynthPanel, adh_placebos: Any) -> None:
    fit = adh_placebos.fit
    published = GOLDEN["published"]["weights"]
    tol = GOLDEN["tolerances"]
    assert len(fit.weights) == GOLDEN["specification"]["n_donors"]
    assert sum(fit.weights[u] for u in published) >= tol["share_on_published_donors_min"]
    for unit, w in published.items():
        assert fit.weights[unit] == pytest.approx(w, abs=tol["adh_weight_abs"]), unit
    published_rmspe, _, _ = published_fit(prop99)
    assert fit.pre_rmspe <= published_rmspe
    assert math.sqrt(fit.loss_v) == pytest.approx(fit.pre_rmspe)  # loss window = pre-period
    assert fit.gaps[2000] == pytest.approx(-26, abs=1.0)  # "about 26 packs lower"


@pytest.mark.shared
def test_prop99_california_placebo_rank(adh_placebos: Any) -> None:
    published = GOLDEN["published"]
    assert adh_placebos.n_placebos + 1 == published["placebo_n_units"]
    assert adh_placebos.rank == published["placebo_rank"]
    assert adh_placebos.p_value == pytest.approx(published["placebo_p_value"])
    for exclusion in adh_placebos.exclusions:
        assert exclusion.rank == 1


@pytest.mark.shared
def test_prop99_outcome_only(prop99: SynthPanel) -> None:
    ref, tol = GOLDEN["outcome_only_sc"], GOLDEN["tolerances"]
    res = placebo_in_space(prop99, SynthSpec("cigsale", v_method="equal"), "California", 1989)
    for unit, w in ref["weights"].items():
        assert res.fit.weights[unit] == pytest.approx(w, abs=tol["outcome_only_weight_abs"])
    assert res.fit.att == pytest.approx(ref["mean_gap_1989_2000"], abs=1e-3)
    assert res.fit.pre_rmspe == pytest.approx(ref["pre_rmspe"], abs=1e-3)
    assert res.rank == ref["placebo_rank"]
    assert res.treated_ratio == pytest.approx(ref["placebo_rmspe_ratio"], abs=0.01)


# --------------------------------------------------------------------------------------------
# Synthetic panels
# --------------------------------------------------------------------------------------------


def factor_panel(
    n_units: int = 30, n_times: int = 14, seed: int = 0, noise: float = 0.3
) -> SynthPanel:
    """Unit effects + two factors + noise, with a covariate."""
    rng = np.random.default_rng(seed)
    f = np.cumsum(rng.normal(size=(n_times, 2)), axis=0)
    y = rng.normal(10, 2, n_units) + f @ rng.normal(1, 0.5, (2, n_units))
    y += noise * rng.normal(size=(n_times, n_units))
    x = rng.normal(size=(n_times, n_units)) + y / 10
    units = tuple(f"u{i:02d}" for i in range(n_units))
    return SynthPanel(units, tuple(range(2000, 2000 + n_times)), {"y": y, "x": x})


def convex_panel(
    weights: dict[int, float], effect: float = 0.0, start: int = 2010, seed: int = 1
) -> SynthPanel:
    """Noiseless: unit ``t`` is an exact convex combination of donors, plus ``effect`` from
    ``start``; donors have distinct, generic paths (no unit lies in the others' hull)."""
    rng = np.random.default_rng(seed)
    n_donors, times = 10, np.arange(2000, 2016)
    y = rng.normal(size=(times.size, n_donors)).cumsum(axis=0) + rng.normal(0, 3, n_donors)
    treated = sum(w * y[:, j] for j, w in weights.items()) + effect * (times >= start)
    units = ("t", *(f"d{j}" for j in range(n_donors)))
    return SynthPanel(units, tuple(int(t) for t in times), {"y": np.column_stack([treated, y])})


@pytest.mark.parametrize("v_method", ["equal", "regression", "nested"])
def test_weights_are_on_the_simplex(v_method: str) -> None:
    panel = factor_panel()
    spec = SynthSpec(
        "y",
        predictors=(Predictor("x", 2000, 2007), Predictor("y", 2004), Predictor("y", 2007)),
        v_method=v_method,  # type: ignore[arg-type]
    )
    res = placebo_in_space(panel, spec, "u00", 2008, exclude_above=(2.0,))
    w = np.array(list(res.fit.weights.values()))
    assert (w >= 0).all()
    assert w.sum() == pytest.approx(1.0, abs=1e-12)
    assert "u00" not in res.fit.weights
    assert sum(res.fit.v.values()) == pytest.approx(1.0)
    assert min(res.fit.v.values()) >= 0


def test_nested_v_is_no_worse_than_its_starts() -> None:
    panel = factor_panel(seed=3)
    preds = (Predictor("x", 2000, 2007), Predictor("y", 2001), Predictor("y", 2007))
    losses = {
        m: fit_synth(panel, SynthSpec("y", predictors=preds, v_method=m), "u01", 2008).loss_v  # type: ignore[arg-type]
        for m in ("equal", "regression", "nested")
    }
    assert losses["nested"] <= min(losses["equal"], losses["regression"]) + 1e-12


def test_solver_matches_a_reference_qp() -> None:
    rng = np.random.default_rng(5)
    for trial in range(25):
        k, n_j = int(rng.integers(2, 12)), int(rng.integers(3, 30))
        x = rng.normal(size=(k, n_j))
        t = rng.normal(size=k) * (0.5 if trial % 2 else 3.0)
        r = rng.uniform(0.2, 2.0, k)
        sol = simplex_lstsq(x, t, r)
        p = r[:, None] * (x - t[:, None])

        def obj(w: np.ndarray, p: np.ndarray = p) -> float:
            return float(np.sum((p @ w) ** 2))

        ref = minimize(
            obj,
            np.full(n_j, 1.0 / n_j),
            jac=lambda w, p=p: 2 * p.T @ (p @ w),
            bounds=[(0, 1)] * n_j,
            constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1}],
            method="SLSQP",
            options={"ftol": 1e-15, "maxiter": 1000},
        )
        assert sol.loss[0] <= obj(ref.x) * (1 + 1e-9) + 1e-14
        assert sol.gap[0] <= 1e-10 * sol.loss[0] + 1e-12  # optimality certificate
        assert sol.weights[0].sum() == pytest.approx(1.0, abs=1e-14)


def test_solver_batch_equals_single_problems() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(6, 25))
    t = rng.normal(size=(8, 6))
    mask = rng.random((8, 25)) > 0.3
    batch = simplex_lstsq(x, t, None, mask)
    for b in range(8):
        one = simplex_lstsq(x, t[b], None, mask[b : b + 1])
        assert batch.loss[b] == pytest.approx(one.loss[0], rel=1e-10, abs=1e-14)
        assert (batch.weights[b][~mask[b]] == 0).all()


def test_exact_convex_combination_is_recovered() -> None:
    truth = {1: 0.4, 4: 0.3, 7: 0.2, 9: 0.1}
    fit = fit_synth(convex_panel(truth), SynthSpec("y"), "t", 2012)
    assert fit.pre_rmspe < 1e-9
    for j in range(10):
        assert fit.weights[f"d{j}"] == pytest.approx(truth.get(j, 0.0), abs=1e-8)


def test_constant_effect_is_recovered_on_a_noiseless_panel() -> None:
    panel = convex_panel({0: 0.5, 3: 0.25, 8: 0.25}, effect=-2.5, start=2010)
    fit = fit_synth(panel, SynthSpec("y"), "t", 2010)
    assert fit.att == pytest.approx(-2.5, abs=1e-8)
    assert fit.post_rmspe == pytest.approx(2.5, abs=1e-8)
    assert all(abs(fit.gaps[t] + 2.5) < 1e-8 for t in range(2010, 2016))
    in_time = placebo_in_time(panel, SynthSpec("y"), "t", 2010, 2006)
    assert abs(in_time.att) < 1e-8
    assert max(in_time.gaps) == 2009


def test_demeaned_fit_recovers_the_effect_of_a_unit_below_every_donor() -> None:
    panel = convex_panel({0: 0.5, 3: 0.25, 8: 0.25}, effect=-2.5, start=2010)
    y = panel.variable("y").copy()
    y[:, 0] -= 40.0  # far below every donor: outside their hull in level, not in path
    shifted = SynthPanel(panel.units, panel.times, {"y": y})
    level = fit_synth(shifted, SynthSpec("y", v_method="equal"), "t", 2010)
    assert level.att < -30  # the level gap swamps the effect
    fit = fit_synth(shifted, SynthSpec("y", v_method="equal", demean=True), "t", 2010)
    assert fit.att == pytest.approx(-2.5, abs=1e-8)
    for j, w in {0: 0.5, 3: 0.25, 8: 0.25}.items():
        assert fit.weights[f"d{j}"] == pytest.approx(w, abs=1e-8)
    # paths are reported in levels: the treated path is the data, the gap is unchanged
    assert fit.treated_path[2005] == pytest.approx(y[5, 0])
    assert fit.treated_path[2012] - fit.synthetic_path[2012] == pytest.approx(-2.5, abs=1e-8)
    assert "demeaned" in fit.method


def test_p_values_are_valid_and_deterministic() -> None:
    panel = factor_panel(n_units=25, seed=2)
    res = placebo_in_space(panel, SynthSpec("y"), "u03", 2009)
    assert 0 < res.p_value <= 1
    assert 0 < res.p_value_att <= 1
    assert res.p_value == res.rank / (res.n_placebos + 1)
    for e in res.exclusions:
        assert 0 < e.p_value <= 1
        assert e.n_kept <= res.n_placebos
    treated = {"u00": 2008, "u01": 2009, "u02": 2009}
    a = pooled_synth(panel, SynthSpec("y"), treated, n_draws=200, seed=11)
    b = pooled_synth(panel, SynthSpec("y"), treated, n_draws=200, seed=11)
    c = pooled_synth(panel, SynthSpec("y"), treated, n_draws=200, seed=12)
    assert not a.exhaustive
    assert a.n_draws == 200
    assert 0 < a.p_value <= 1
    assert all(0 < p <= 1 for p in a.event_p_values.values())
    np.testing.assert_array_equal(a.null_att, b.null_att)
    assert a.p_value == b.p_value
    assert not np.array_equal(a.null_att, c.null_att)
    assert a.att == pytest.approx(np.mean([f.att for f in a.fits.values()]))
    assert set(a.event_gaps) >= {-1, 0, 1}
    assert a.event_n[0] == 3


@pytest.mark.parametrize("null_fits", ["exclusive", "shared"])
def test_pooled_null_draws_are_fitted_as_the_treated_units_are(null_fits: str) -> None:
    """Exclusive: each pseudo-treated unit is fitted from the donors outside its draw, as the
    treated units are fitted from the donors outside the treated set; shared: from every other
    donor (its in-space placebo fit)."""
    panel = factor_panel(n_units=16, seed=4)
    treated = {"u00": 2008, "u01": 2010}
    spec = SynthSpec("y", v_method="equal")
    res = pooled_synth(panel, spec, treated, n_draws=6, seed=3, null_fits=null_fits)  # type: ignore[arg-type]
    donors = [u for u in panel.units if u not in treated]
    draws, _ = _draws(len(donors), 2, 6, 3)
    for b in range(6):
        members = [donors[i] for i in draws[b]]
        atts = []
        for member, start in zip(members, treated.values(), strict=True):
            excluded = set(members) if null_fits == "exclusive" else {member}
            pool = [d for d in donors if d not in excluded]
            atts.append(fit_synth(panel, spec, member, start, pool).att)
        assert res.null_att[b] == pytest.approx(np.mean(atts), abs=1e-9)
    assert (
        f"{'from the donors outside its draw' if null_fits == 'exclusive' else 'shared'}"
        in (res.notes[0])
    )


def test_pooled_with_one_treated_unit_enumerates_the_placebos() -> None:
    panel = factor_panel(n_units=20, seed=4)
    single = placebo_in_space(panel, SynthSpec("y"), "u05", 2010)
    pooled = pooled_synth(panel, SynthSpec("y"), {"u05": 2010}, n_draws=999)
    assert pooled.exhaustive
    assert pooled.n_draws == 19
    assert pooled.p_value == pytest.approx(single.p_value_att)
    np.testing.assert_allclose(np.sort(pooled.null_att), np.sort(single.att))


def test_leave_one_out_drops_each_positive_donor() -> None:
    panel = factor_panel(seed=6)
    res = leave_one_out(panel, SynthSpec("y"), "u02", 2009)
    assert set(res.fits) == set(res.fit.top_donors())
    for dropped, fit in res.fits.items():
        assert dropped not in fit.weights
        assert sum(fit.weights.values()) == pytest.approx(1.0)
    lo, hi = res.att_range
    assert lo <= res.fit.att <= hi


def test_results_are_json_safe() -> None:
    panel = factor_panel(n_units=12, seed=8)
    y = panel.values["y"].copy()
    y[-1, 0] = np.nan  # treated unit unobserved in the last year: NaN gap
    panel = SynthPanel(panel.units, panel.times, {"y": y, "x": panel.values["x"]})
    pooled = pooled_synth(panel, SynthSpec("y"), {"u00": 2009, "u01": 2010}, n_draws=50)
    loo = leave_one_out(panel, SynthSpec("y"), "u00", 2009)
    for obj in (pooled.to_dict(), loo.to_dict(), pooled.placebos["u00"].to_dict()):
        json.dumps(obj, allow_nan=False)
    assert any("missing after treatment" in n for n in pooled.fits["u00"].notes)


def test_regression_and_equal_v_agree_on_outcome_only_predictors() -> None:
    panel = factor_panel(seed=9)
    eq = fit_synth(panel, SynthSpec("y", v_method="equal"), "u04", 2009)
    reg = fit_synth(panel, SynthSpec("y", v_method="regression"), "u04", 2009)
    assert reg.att == pytest.approx(eq.att, abs=1e-8)


def test_donor_with_missing_pre_period_outcome_is_dropped_with_a_note() -> None:
    panel = factor_panel(n_units=10)
    y = panel.values["y"].copy()
    y[2, 3] = np.nan
    panel = SynthPanel(panel.units, panel.times, {"y": y})
    fit = fit_synth(panel, SynthSpec("y"), "u00", 2008)
    assert "u03" not in fit.weights
    assert len(fit.weights) == 8
    assert any("u03" in n and "dropped" in n for n in fit.notes)


def test_from_long_round_trip() -> None:
    df = pd.DataFrame(
        {
            "la": ["A", "A", "B", "B"],
            "year": [2020.0, 2021.0, 2020.0, 2021.0],
            "y": [1.0, 2.0, 3.0, np.nan],
        }
    )
    panel = SynthPanel.from_long(df, unit="la", time="year")
    assert panel.times == (2020, 2021)
    assert panel.units == ("A", "B")
    np.testing.assert_array_equal(panel.values["y"], [[1.0, 3.0], [2.0, np.nan]])
    with pytest.raises(ValueError, match="repeat"):
        SynthPanel.from_long(pd.concat([df, df]), unit="la", time="year")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"treated": "nope"}, "not in the panel"),
        ({"treatment_time": 2000}, "no pre-period"),
        ({"treatment_time": 1990}, "no pre-period"),
        ({"treatment_time": 2030}, "no post-period"),
        ({"donors": []}, "no donors"),
        ({"donors": ["u00"]}, "no donors"),
    ],
)
def test_clear_errors(kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"treated": "u00", "treatment_time": 2008, "donors": None} | kwargs
    with pytest.raises(ValueError, match=message):
        fit_synth(factor_panel(n_units=6), SynthSpec("y"), **args)


def test_clear_errors_for_missing_data() -> None:
    panel = factor_panel(n_units=6)
    y = panel.values["y"].copy()
    y[:, 0] = np.nan
    with pytest.raises(ValueError, match="missing \\(NaN\\) in every year"):
        fit_synth(SynthPanel(panel.units, panel.times, {"y": y}), SynthSpec("y"), "u00", 2008)
    y = panel.values["y"].copy()
    y[:8, 0] = np.nan
    with pytest.raises(ValueError, match="no pre-period"):
        fit_synth(SynthPanel(panel.units, panel.times, {"y": y}), SynthSpec("y"), "u00", 2008)
    y = panel.values["y"].copy()
    y[0, 1:] = np.nan
    with pytest.raises(ValueError, match="no donors"):
        fit_synth(SynthPanel(panel.units, panel.times, {"y": y}), SynthSpec("y"), "u00", 2008)
    with pytest.raises(ValueError, match="treatment period"):
        fit_synth(panel, SynthSpec("y", predictors=(Predictor("x", 2006, 2008),)), "u00", 2008)
    with pytest.raises(ValueError, match="v_method"):
        SynthSpec("y", v_method="magic")  # type: ignore[arg-type]
