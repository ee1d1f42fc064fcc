"""Few-cluster inference against references: pyfixest (CR1), wildboottest (wild cluster
bootstrap), the published CR2 formulas, pyfixest's HC2 (CR2 with singleton clusters) and a
hand-derived closed form.

Goldens: ``tests/golden/few_clusters/golden.json`` (sources and script in SOURCE.md there). The
castle-doctrine panel (Cheng & Hoekstra 2013) comes from ``../shared/data/reference``:
``l_homicide`` on ``post`` with state and year dummies, clustered by state, unweighted and
weighted by ``popwt``; ``castle11`` keeps the 11 states with ``sid <= 12`` (few clusters: the
Rademacher draws are fully enumerated), ``castle50`` all 50.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csceval.errors import InputError
from csceval.impact.few_clusters import (
    cluster_ols,
    cr1_vcov,
    cr2_vcov,
    wild_cluster_bootstrap,
)

GOLDEN = json.loads(
    (Path(__file__).parents[1] / "golden" / "few_clusters" / "golden.json").read_text("utf-8")
)
CASES = sorted(GOLDEN["castle"])


def mc_tolerance(p: float, reps: int, golden_reps: int) -> float:
    """Four standard errors of the difference of two independent bootstrap p-values."""
    return 4 * math.sqrt(max(p * (1 - p), 0.01) * (1 / reps + 1 / golden_reps))


@pytest.fixture(scope="module")
def castle(shared_data: Path) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """Per golden case: y, X (intercept, post, state and year dummies), clusters, weights."""
    raw = pd.read_csv(shared_data / "reference" / "castle_doctrine.csv")
    out = {}
    for case in CASES:
        df = raw[raw.sid <= (12 if case.startswith("castle11") else 99)]
        df = df.sort_values(["sid", "year"]).reset_index(drop=True)
        dummies = pd.get_dummies(df[["sid", "year"]].astype(str), drop_first=True, dtype=float)
        x = np.column_stack([np.ones(len(df)), df["post"].to_numpy(float), dummies.to_numpy()])
        w = df["popwt"].to_numpy(float) if case.endswith("popwt") else np.ones(len(df))
        out[case] = (df["l_homicide"].to_numpy(float), x, df["sid"].to_numpy(), w)
    return out


def names_of(x: np.ndarray) -> list[str]:
    return ["const", "post", *(f"d{j}" for j in range(x.shape[1] - 2))]


@pytest.mark.parametrize("case", CASES)
def test_estimates_and_cr1_equal_pyfixest_and_cr2_the_published_formula(
    castle: dict[str, Any], case: str
) -> None:
    y, x, cl, w = castle[case]
    gold = GOLDEN["castle"][case]
    (est,) = cluster_ols(y, x, cl, names=names_of(x), test=["post"], weights=w, wild=False)
    assert est.estimate == pytest.approx(gold["estimate"], rel=1e-6)
    assert est.se_cr1 == pytest.approx(gold["se_cr1"], rel=1e-6)
    assert est.se_cr2 == pytest.approx(gold["se_cr2"], rel=1e-8)
    assert est.df_bm == pytest.approx(gold["df_bm"], rel=1e-8)
    assert (est.n_clusters, est.n_obs, est.df) == (
        gold["n_clusters"],
        gold["n_obs"],
        gold["n_clusters"] - 1,
    )
    assert est.wild is None


@pytest.mark.parametrize("case", ["castle11_popwt", "castle50_unweighted"])
def test_cr2_with_one_row_per_cluster_equals_pyfixest_hc2(
    castle: dict[str, Any], case: str
) -> None:
    """With singleton clusters ``A_i = (1 - h_ii)^{-1/2}``: CR2 is HC2, which pyfixest has."""
    y, x, _, w = castle[case]
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]
    v = cr2_vcov(x, y - x @ beta, np.arange(len(y)), w)
    assert math.sqrt(v[1, 1]) == pytest.approx(GOLDEN["castle"][case]["se_hc2"], rel=1e-6)


@pytest.mark.parametrize("case", ["castle11_unweighted", "castle11_popwt"])
def test_rademacher_is_enumerated_and_equals_wildboottest(
    castle: dict[str, Any], case: str
) -> None:
    """2^11 = 2048 <= reps: every sign vector once, so the p-value is exact. The draws v = 1 and
    v = -1 reproduce |t| exactly (up to rounding): csceval counts these two ties as extreme,
    wildboottest counts only |t*| > |t|, so it counts them or not as rounding falls (here: not
    unweighted, yes weighted). Nothing else may differ."""
    y, x, cl, w = castle[case]
    gold = GOLDEN["castle"][case]["wild_rademacher"]
    res = wild_cluster_bootstrap(y, x, cl, 1, weights=w, draws="rademacher", reps=9999)
    assert res.enumerated
    assert res.reps == gold["reps"] == 2048
    assert res.t_stat == pytest.approx(gold["t_stat"], rel=1e-8)
    ties = 2 / 2048 if case.endswith("unweighted") else 0.0
    assert res.p_value == pytest.approx(gold["p_value"] + ties, abs=1e-12)
    assert res.restricted
    assert res.n_clusters == 11


@pytest.mark.parametrize("case", CASES)
def test_unrestricted_bootstrap_equals_wildboottest(castle: dict[str, Any], case: str) -> None:
    """WCU (residuals of the full fit, numerator centred on the estimate): no draw ties with
    the sample, so the enumerated p-value is exactly wildboottest's."""
    y, x, cl, w = castle[case]
    gold = GOLDEN["castle"][case]["wild_rademacher_wcu"]
    res = wild_cluster_bootstrap(
        y, x, cl, 1, weights=w, draws="rademacher", reps=9999 if "11" in case else 999,
        restricted=False, seed=3,
    )  # fmt: skip
    assert not res.restricted
    if res.enumerated:
        assert res.p_value == pytest.approx(gold["p_value"], abs=1e-12)
    else:
        tol = mc_tolerance(gold["p_value"], 999, gold["reps"])
        assert abs(res.p_value - gold["p_value"]) < tol


SAMPLED = [
    (case, draws)
    for case in CASES
    for draws in ("webb", "rademacher")
    if draws == "webb" or case.startswith("castle50")  # castle11 Rademacher is enumerated
]


@pytest.mark.parametrize(("case", "draws"), SAMPLED)
def test_sampled_bootstrap_equals_wildboottest_within_monte_carlo_error(
    castle: dict[str, Any], case: str, draws: str
) -> None:
    y, x, cl, w = castle[case]
    gold = GOLDEN["castle"][case][f"wild_{draws}"]
    res = wild_cluster_bootstrap(y, x, cl, 1, weights=w, draws=draws, reps=999, seed=5)  # type: ignore[arg-type]
    assert not res.enumerated
    assert res.reps == 999
    assert res.t_stat == pytest.approx(gold["t_stat"], rel=1e-8)
    assert abs(res.p_value - gold["p_value"]) < mc_tolerance(gold["p_value"], 999, gold["reps"])


def test_cr2_has_the_closed_form_of_a_balanced_two_group_design() -> None:
    """With an intercept, a cluster-level 0/1 regressor and equal cluster sizes, CR2 of the
    difference in means is ``S1^2/G1 + S0^2/G0`` (sample variances of the cluster means) and
    the Bell-McCaffrey df is ``(1/G1 + 1/G0)^2 / (1/(G1^2 (G1-1)) + 1/(G0^2 (G0-1)))``: the
    working model makes every leverage block ``J / (n G_j)`` (derivation in docs/methods.md)."""
    rng = np.random.default_rng(3)
    g1, g0, n = 4, 7, 5
    cl = np.repeat(np.arange(g1 + g0), n)
    d = (cl < g1).astype(float)
    y = rng.normal(size=cl.size) + rng.normal(size=g1 + g0)[cl] + 0.3 * d
    (est,) = cluster_ols(
        y, np.column_stack([np.ones_like(d), d]), cl, names=["c", "d"], test=["d"], wild=False
    )
    means = pd.Series(y).groupby(cl).mean().to_numpy()
    s1, s0 = np.var(means[:g1], ddof=1), np.var(means[g1:], ddof=1)
    assert est.estimate == pytest.approx(means[:g1].mean() - means[g1:].mean(), rel=1e-12)
    assert est.se_cr2**2 == pytest.approx(s1 / g1 + s0 / g0, rel=1e-10)
    df = (1 / g1 + 1 / g0) ** 2 / (1 / (g1**2 * (g1 - 1)) + 1 / (g0**2 * (g0 - 1)))
    assert est.df_bm == pytest.approx(df, rel=1e-10)
    assert est.p_cr2 == pytest.approx(2 * stats.t.sf(abs(est.estimate / est.se_cr2), df), rel=1e-10)


def test_variance_functions_agree_with_cluster_ols(castle: dict[str, Any]) -> None:
    y, x, cl, w = castle["castle11_popwt"]
    sw = np.sqrt(w)
    beta = np.linalg.lstsq(x * sw[:, None], y * sw, rcond=None)[0]
    (est,) = cluster_ols(y, x, cl, names=names_of(x), test=["post"], weights=w, wild=False)
    assert math.sqrt(cr1_vcov(x, y - x @ beta, cl, w)[1, 1]) == pytest.approx(est.se_cr1, rel=1e-9)
    assert math.sqrt(cr2_vcov(x, y - x @ beta, cl, w)[1, 1]) == pytest.approx(est.se_cr2, rel=1e-9)


def test_zero_weights_drop_rows_and_whole_clusters(castle: dict[str, Any]) -> None:
    y, x, cl, w = castle["castle11_popwt"]
    state = cl[x[:, 2] == 1][0]  # the state of the first state dummy, which is then dropped
    x = np.delete(x, 2, axis=1)
    w = np.where(cl == state, 0.0, w)
    w[[30, 31, 70]] = 0.0
    keep = w > 0
    names = names_of(x)
    (full,) = cluster_ols(y, x, cl, names=names, test=["post"], weights=w, wild=False)
    (kept,) = cluster_ols(
        y[keep], x[keep], cl[keep], names=names, test=["post"], weights=w[keep], wild=False
    )
    assert (full.n_clusters, full.n_obs) == (10, int(keep.sum()))
    assert (full.estimate, full.se_cr1, full.se_cr2) == pytest.approx(
        (kept.estimate, kept.se_cr1, kept.se_cr2), rel=1e-9
    )


def test_rescaling_the_outcome_scales_estimates_and_keeps_every_test(
    castle: dict[str, Any],
) -> None:
    y, x, cl, _w = castle["castle11_unweighted"]
    a, b = (
        cluster_ols(v, x, cl, names=names_of(x), test=["post"], reps=199, seed=2)[0]
        for v in (y, -3.0 * y + 1.0)
    )
    assert b.estimate == pytest.approx(-3 * a.estimate, rel=1e-9)
    assert b.se_cr2 == pytest.approx(3 * a.se_cr2, rel=1e-9)
    assert b.p_cr2 == pytest.approx(a.p_cr2, rel=1e-9)
    assert a.wild is not None
    assert b.wild is not None
    assert b.wild.p_value == a.wild.p_value
    assert a.wild.draws == "webb"


def _bad(**changes: Any) -> InputError:
    rng = np.random.default_rng(0)
    args: dict[str, Any] = {
        "y": rng.normal(size=40),
        "X": np.column_stack([np.ones(40), rng.normal(size=40)]),
        "clusters": np.repeat(np.arange(8), 5),
        "weights": None,
    }
    args.update(changes)
    with pytest.raises(InputError) as err:
        cluster_ols(
            args["y"], args["X"], args["clusters"], names=["c", "x"], test=["x"],
            weights=args["weights"], wild=False,
        )  # fmt: skip
    (problem,) = err.value.problems
    assert problem.code == "CSC-E7103"
    return err.value


def test_bad_input_is_a_coded_problem_naming_what_is_wrong() -> None:
    y = np.random.default_rng(1).normal(size=40)
    y[7] = np.nan
    assert "row 7" in _bad(y=y).problems[0].message
    assert "at least two clusters" in _bad(clusters=np.zeros(40)).problems[0].message
    collinear = np.column_stack([np.ones(40), np.full(40, 2.0)])
    assert _bad(X=collinear).problems[0].column == "c, x"
    assert "negative" in _bad(weights=-np.ones(40)).problems[0].message
    assert "same number of rows" in _bad(y=np.zeros(39)).problems[0].message
    missing = np.repeat(np.arange(8), 5).astype(object)
    missing[3] = None
    assert _bad(clusters=missing).problems[0].column == "clusters"
    with pytest.raises(InputError, match="draws must be one of"):
        wild_cluster_bootstrap(y[:5], np.ones((5, 1)), np.arange(5), 0, draws="mammen")  # type: ignore[arg-type]
