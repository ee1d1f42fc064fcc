"""csceval.site_comparison against scipy's reference values; the MDE by simulation; the
strength word's rates on the design against brute force."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from csceval.site_comparison import (
    contrast_verdict,
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


def _labellings(n: int, k: int) -> list[np.ndarray]:
    out = []
    for chosen in itertools.combinations(range(n), k):
        mask = np.zeros(n, dtype=bool)
        mask[list(chosen)] = True
        out.append(mask)
    return out


@pytest.mark.parametrize(("n_fw", "n_ct"), [(2, 2), (3, 3), (4, 4), (5, 5), (3, 6)])
def test_the_words_rate_with_no_effect_is_the_share_of_labellings_rated_low(
    n_fw: int, n_ct: int
) -> None:
    """Brute force: each labelling of the observed site means taken as the observed one."""
    values = np.random.default_rng(n_fw * 10 + n_ct).normal(size=n_fw + n_ct)
    labels = np.arange(n_fw + n_ct) < n_fw
    by_hand = np.mean(
        [site_permutation_test(values, m).p_value <= 0.05 for m in _labellings(len(values), n_fw)]
    )
    verdict = contrast_verdict(values, labels, site_permutation_test(values, labels).p_value, 1.0)
    assert verdict.null_rate == pytest.approx(by_hand, abs=1e-12)
    if n_fw + n_ct <= 6:  # no two-sided p below 0.05 can arise: the word can never appear
        assert verdict.null_rate == 0
        assert verdict.power_at_mde == 0
        assert "can never give" in verdict.clause()


def test_low_exactly_when_the_permutation_p_is_at_most_005() -> None:
    values, labels = np.arange(10.0), np.arange(10) < 5
    p = site_permutation_test(values, labels).p_value  # the five highest against the rest
    assert p <= 0.05
    assert contrast_verdict(values, labels, p, 1.0).strength == "low"
    assert contrast_verdict(values, labels, 0.0501, 1.0).strength == "none"
    assert contrast_verdict(values, labels, math.nan, 1.0).strength == "none"
    verdict = contrast_verdict(values, labels, p, 1.0)
    assert 0 < verdict.null_rate <= 0.05  # equally spaced means tie: ties count against
    rates = f"{100 * verdict.null_rate:.0f}% of studies with no difference and 80% with"
    assert rates in verdict.clause()


def test_power_at_the_mde_equals_a_brute_force_run_of_the_permutation_test() -> None:
    """The same simulated studies (site means normal with the MDE's own spread, framework sites
    shifted by the MDE), each tested with the permutation test itself."""
    n_fw, n_ct, mde, seed = 4, 4, 3.0, 7
    labels = np.arange(8) < n_fw
    spread = mde / (mde_multiplier(6) * math.sqrt(1 / n_fw + 1 / n_ct))
    studies = np.random.default_rng([seed, 1]).normal(0.0, spread, size=(8, 300))
    studies += mde * labels[:, None]
    by_hand = np.mean([site_permutation_test(s, labels).p_value <= 0.05 for s in studies.T])
    verdict = contrast_verdict(np.zeros(8), labels, 1.0, mde, n_sim=300, seed=seed)
    assert verdict.power_at_mde == pytest.approx(by_hand, abs=1e-12)
    assert 0.3 < verdict.power_at_mde < 0.8  # 4 v 4: below the t-test's 80% at its own MDE


def test_with_enough_sites_the_rule_has_the_t_tests_power_at_the_mde() -> None:
    labels = np.arange(20) < 10  # 184,756 labellings: a seeded sample of 9,999
    values = np.random.default_rng(3).normal(size=20)
    verdict = contrast_verdict(values, labels, 0.5, 2.0, n_sim=400)
    assert verdict.null_rate == pytest.approx(0.05, abs=0.002)
    assert 0.72 < verdict.power_at_mde < 0.86
