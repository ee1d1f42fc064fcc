"""Small-sample methods: REML multilevel model (statsmodels golden), Hedges' g, permutations."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csceval.site_comparison import (
    hedges_correction,
    hedges_g,
    site_permutation_test,
)
from csceval.strands.quality_of_recording.analysis import reading
from csceval.strands.quality_of_recording.multilevel import fit_random_intercept

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "case_audit"


@pytest.mark.parametrize("model", ["intercept_framework", "with_time"])
def test_reml_fit_matches_statsmodels_mixedlm(model: str) -> None:
    golden = json.loads((GOLDEN / "mixedlm_random_intercept.json").read_text())
    data = pd.DataFrame(golden["data"])
    spec = golden["models"][model]
    x = np.column_stack([np.ones(len(data)), *(data[c] for c in spec["columns"][1:])])
    fit = fit_random_intercept(data["y"], x, data["site"])
    np.testing.assert_allclose(fit.beta, spec["fe_params"], atol=1e-4)
    np.testing.assert_allclose(fit.se, spec["bse_fe"], atol=1e-4)
    assert fit.tau2 == pytest.approx(spec["cov_re"], rel=1e-4)
    assert fit.sigma2 == pytest.approx(spec["scale"], rel=1e-4)
    assert fit.loglik == pytest.approx(spec["llf"], abs=1e-4)
    assert fit.loglik >= spec["llf"] - 1e-9
    assert fit.df == 10 - 2  # framework is a site-level column


def test_no_site_variance_gives_ordinary_least_squares() -> None:
    rng = np.random.default_rng(3)
    sites = np.repeat(np.arange(6), 8)
    x = np.column_stack([np.ones(48), rng.normal(size=48)])
    y = 2 + 0.5 * x[:, 1] + rng.normal(size=48)
    y -= np.bincount(sites, weights=y)[sites] / 8 - y.mean()  # identical site means: tau2 = 0
    fit = fit_random_intercept(y, x, sites)
    ols = np.linalg.lstsq(x, y, rcond=None)[0]
    assert fit.tau2 == pytest.approx(0.0, abs=1e-8)
    np.testing.assert_allclose(fit.beta, ols, atol=1e-8)
    with pytest.raises(ValueError, match="at least 2 sites"):
        fit_random_intercept(y[:8], x[:8], sites[:8])


def test_hedges_g_and_its_exact_interval() -> None:
    a, b = [1, 2, 3, 4, 5], [2, 3, 4, 5, 6, 7]
    result = hedges_g(a, b)
    pooled = math.sqrt((4 * np.var(a, ddof=1) + 5 * np.var(b, ddof=1)) / 9)
    d = (np.mean(a) - np.mean(b)) / pooled
    assert result.g == pytest.approx(d * hedges_correction(9))
    assert hedges_correction(9) == pytest.approx(1 - 3 / (4 * 9 - 1), abs=2e-3)
    # the interval's ends are where the observed t sits at the 97.5th / 2.5th percentile
    scale = math.sqrt(5 * 6 / 11)
    t = d * scale
    j = hedges_correction(9)
    assert stats.nct.cdf(t, 9, result.low / j * scale) == pytest.approx(0.975, abs=1e-8)
    assert stats.nct.cdf(t, 9, result.high / j * scale) == pytest.approx(0.025, abs=1e-8)
    assert math.isnan(hedges_g([1], [2, 3]).g)
    big = hedges_g(np.arange(200) % 7 + 30, np.arange(200) % 5)
    assert big.low < big.g < big.high


def test_site_permutation_with_two_sites_against_two() -> None:
    test = site_permutation_test([60, 62, 50, 51], [True, True, False, False])
    assert (test.n_relabellings, test.exact) == (6, True)
    assert test.p_value == pytest.approx(2 / 6)
    assert test.smallest_p == pytest.approx(2 / 6)
    assert test.statistic == pytest.approx(10.5)
    many = site_permutation_test(np.arange(40.0), np.arange(40) < 20, max_exact=100, seed=1)
    assert not many.exact
    assert many.p_value < 0.01


@pytest.mark.parametrize(
    ("alpha", "n", "start"),
    [(0.85, 30, "auditors agree well"), (0.7, 30, "moderate"), (0.5, 30, "auditors often"),
     (0.9, 5, "too few")],
)  # fmt: skip
def test_reliability_reading(alpha: float, n: int, start: str) -> None:
    assert reading(alpha, n).startswith(start)
