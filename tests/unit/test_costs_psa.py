"""Monte Carlo PSA: method-of-moments parameters and convergence to the analytic CBA."""

from __future__ import annotations

import numpy as np
import pytest

from csceval.strands.costs.cba import ActivityChange, BenefitLine, CBAModel
from csceval.strands.costs.psa import beta_params, gamma_params, lognormal_from_ci, run_psa


def test_method_of_moments_parameters() -> None:
    # ../shared/reference/measurement_and_cba.md 4.7 (source page and [verified] values)
    assert gamma_params(250_000, 50_000) == pytest.approx((25, 10_000))
    assert gamma_params(5_000, 1_000) == pytest.approx((25, 200))
    a, b = beta_params(0.76, 0.03)
    assert (round(a, 2), round(b, 2)) == (153.27, 48.40)
    assert beta_params(0.2, 0.05) == pytest.approx((12.6, 50.4))
    mu, sigma = lognormal_from_ci(0.8, 0.64, 1.0)
    assert mu == pytest.approx(np.log(0.8))
    assert sigma == pytest.approx((np.log(1.0) - np.log(0.64)) / (2 * 1.959964), rel=1e-6)
    with pytest.raises(ValueError, match="Gamma needs"):
        gamma_params(0, 1)


def _model() -> CBAModel:
    lines = tuple(
        BenefitLine(ActivityChange(f"a{k}", -2.0 - k, 1.0 + 0.2 * k, "t", la), "u", 100 + 10 * k,
                    20.0, "t")
        for k in range(3)
        for la in ("401", "402")
    )  # fmt: skip
    return CBAModel(
        costs=np.array([2000.0, 300, 300, 300, 300]),
        lines=lines,
        benefit_profile=np.array([0.0, 1, 1, 1, 1]),
        optimism_bias=0.1,
        cost_se_share=0.15,
    )


def test_mean_converges_to_the_analytic_npv_within_its_standard_error() -> None:
    model = _model()
    analytic = model.evaluate().npv
    psa = run_psa(model, 50_000, seed=11, site_pv_costs=[0.4 * model.pv_costs_before_ob,
                                                       0.6 * model.pv_costs_before_ob])  # fmt: skip
    assert abs(psa.mean_npv - analytic) < 4 * psa.se_mean_npv
    # The test can fail: a wrong sign on the costs moves the mean by hundreds of SEs.
    assert abs(psa.mean_npv + 2 * psa.pv_costs.mean() - analytic) > 50 * psa.se_mean_npv
    assert float(psa.pv_costs.mean()) == pytest.approx(model.evaluate().pv_costs, rel=0.01)


def test_gamma_draws_have_the_stated_moments() -> None:
    # Gamma(25, 200), N = 10,000: the sample mean is within 2% of 5,000 (reference 4.7).
    line = BenefitLine(ActivityChange("a", -1.0, 0.0, "t"), "u", 5000.0, 1000.0, "t")
    model = CBAModel(np.array([0.0]), (line,), np.array([1.0]))
    psa = run_psa(model, 10_000, seed=20240101)
    assert psa.pv_benefits.mean() == pytest.approx(5000, rel=0.02)
    assert psa.pv_benefits.std() == pytest.approx(1000, rel=0.05)


def test_seeded_reproducible_and_probability_sensible() -> None:
    model = _model()
    a, b = run_psa(model, 2_000, seed=3), run_psa(model, 2_000, seed=3)
    assert np.array_equal(a.npv, b.npv)
    assert not np.array_equal(a.npv, run_psa(model, 2_000, seed=4).npv)
    assert 0 <= a.prob_benefits_exceed_costs <= 1
    assert a.prob_benefits_exceed_costs == pytest.approx(float(np.mean(a.bcr > 1)))
    lo, hi = a.npv_interval()
    assert lo < a.mean_npv < hi


def test_inputs_without_uncertainty_give_the_central_answer() -> None:
    model = CBAModel(
        np.array([100.0, 0, 0, 0, 0, 0]),
        (BenefitLine(ActivityChange("a", -1.0, 0.0, "t"), "u", 30.0, 0.0, "t"),),
        np.array([0.0, 1, 1, 1, 1, 1]),
    )
    psa = run_psa(model, 100, seed=1)
    assert np.allclose(psa.npv, 35.451571264122464)
    assert psa.prob_benefits_exceed_costs == 1.0
