"""csceval.site_comparison against scipy's reference values; the MDE by simulation."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from csceval.site_comparison import (
    hedges_correction,
    mde_multiplier,
    minimum_detectable_effect_size,
    site_mean_t_test,
    site_permutation_test,
    within_group_spread,
)

GOLDEN = json.loads(
    (Path(__file__).resolve().parents[1] / "golden" / "family-goals" / "site_comparison.json")
    .read_text()
)  # fmt: skip


def _means(key: str) -> np.ndarray:
    return np.array([np.mean(s) for s in GOLDEN[key]])


def test_site_mean_t_test_equals_scipy() -> None:
    test = site_mean_t_test(_means("framework_sites"), _means("contrast_sites"))
    ref = GOLDEN["t_test"]
    assert test.difference == pytest.approx(GOLDEN["difference"], abs=1e-12)
    assert test.difference / test.se == pytest.approx(ref["statistic"], abs=1e-9)
    assert test.df == ref["df"]
    assert test.p_value == pytest.approx(ref["p_value"], abs=1e-9)
    assert (test.low, test.high) == pytest.approx((ref["low"], ref["high"]), abs=1e-9)


def test_exact_permutation_equals_scipy() -> None:
    values = np.concatenate([_means("framework_sites"), _means("contrast_sites")])
    labels = np.arange(len(values)) < len(GOLDEN["framework_sites"])
    perm = site_permutation_test(values, labels)
    assert perm.exact
    assert perm.n_relabellings == math.comb(7, 4)
    assert perm.p_value == pytest.approx(GOLDEN["permutation_p"], abs=1e-12)
    assert perm.smallest_p == pytest.approx(1 / 35)  # 4 v 3: no mirror-image labelling
    sampled = site_permutation_test(values, labels, max_exact=10, n_resamples=4000, seed=3)
    assert not sampled.exact
    assert abs(sampled.p_value - perm.p_value) < 0.02


def test_hedges_g_in_a_balanced_design_equals_the_textbook_value() -> None:
    fw, ct = GOLDEN["framework_sites"], GOLDEN["contrast_sites"]
    values = np.concatenate([np.ravel(fw), np.ravel(ct)])
    sites = np.repeat(np.arange(len(fw) + len(ct)), 3)
    in_fw = sites < len(fw)
    spread = within_group_spread(values, sites, in_fw)
    j = hedges_correction(len(values) - 2)
    assert j == pytest.approx(GOLDEN["hedges_j"], abs=1e-12)
    assert j * GOLDEN["difference"] / spread.sd_within == pytest.approx(
        GOLDEN["hedges_g_balanced"], abs=1e-9
    )
    assert 0 <= spread.icc < 1


def test_the_multiplier_tends_to_2_8() -> None:
    assert mde_multiplier(100_000) == pytest.approx(1.959964 + 0.841621, abs=1e-4)
    assert mde_multiplier(10) == pytest.approx(
        stats.t.ppf(0.975, 10) + stats.t.ppf(0.8, 10), abs=1e-12
    )
    assert math.isnan(minimum_detectable_effect_size(0, 3, 10, 0.1))


def test_a_true_effect_at_the_mde_is_detected_about_80_percent_of_the_time() -> None:
    """Cluster design, 6 v 6 sites of 12 families, ICC 0.1: site-mean t-test power at the MDES."""
    rng = np.random.default_rng(20)
    j_f, j_c, m, icc, reps = 6, 6, 12, 0.1, 4000
    mdes = minimum_detectable_effect_size(j_f, j_c, m, icc)
    site = rng.normal(0, math.sqrt(icc), (reps, j_f + j_c))
    fam = rng.normal(0, math.sqrt(1 - icc), (reps, j_f + j_c, m)).mean(axis=2)
    means = site + fam
    means[:, :j_f] += mdes
    t = stats.ttest_ind(means[:, :j_f], means[:, j_f:], axis=1)
    power = float(np.mean(t.pvalue < 0.05))
    assert power == pytest.approx(0.8, abs=0.03)
