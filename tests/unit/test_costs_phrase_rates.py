"""How often the cost-benefit reading says "likely" to repay, on the design (psa_operating).

With no costs and a unit cost known exactly, the share of simulations with savings above costs
is the chance the drawn effect is a reduction, ``Phi(-x / s)``; with ``x`` drawn around zero
with spread ``s``, "likely" (share >= 0.8) occurs in ``Phi(-0.842) = 20%`` of worlds and "very
likely" (>= 0.95) in 5%; centred on a reduction of the MDE (``2.80 s``), in ``Phi(1.96) =
97.5%`` and ``Phi(1.157) = 87.6%``. The module must give those rates.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from csceval.impact.multiplicity import MDE_FACTOR
from csceval.strands.costs.cba import ActivityChange, BenefitLine, CBAModel
from csceval.strands.costs.psa import run_psa
from csceval.strands.costs.psa_operating import LIKELY, VERY_LIKELY, phrase_rates

SE = 0.08


def _model(null_sd: float, entered: bool = False) -> CBAModel:
    change = (
        ActivityChange("care", -5.0, 1.0, "entered")
        if entered
        else ActivityChange.relative("care", 400.0, 0.3, SE, "impact", None, null_sd)
    )
    line = BenefitLine(change, "child-year", 50_000.0, 0.0, "test")
    return CBAModel(np.array([1e-6]), (line,), np.array([1.0]))


@pytest.mark.parametrize("batch", [1_000, 150])
def test_the_rates_are_those_of_the_normal_model(
    batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Also when memory splits the worlds into batches (``MAX_OFFSETS``)."""
    monkeypatch.setattr("csceval.strands.costs.psa_operating.MAX_OFFSETS", batch * 2_000)
    rates = phrase_rates(_model(SE), np.array([1e-6]), seed=4, worlds=1_000, draws=2_000)
    assert rates is not None
    expected = {
        "null_likely": norm.cdf(-norm.ppf(LIKELY)),
        "null_very_likely": norm.cdf(-norm.ppf(VERY_LIKELY)),
        "mde_likely": norm.cdf(MDE_FACTOR - norm.ppf(LIKELY)),
        "mde_very_likely": norm.cdf(MDE_FACTOR - norm.ppf(VERY_LIKELY)),
    }
    for name, value in expected.items():
        got = getattr(rates, name)
        assert abs(got - value) <= 4 * rates.mc_error(value) + 0.01, (name, got, value)


def test_the_observed_estimate_plays_no_part() -> None:
    """Worlds are centred on zero (or the MDE), not on the project's own estimate."""
    a = phrase_rates(_model(SE), np.array([1e-6]), seed=9, worlds=200, draws=500)
    model = _model(SE)
    moved = CBAModel(
        model.costs,
        (
            BenefitLine(
                ActivityChange.relative("care", 400.0, -0.9, SE, "impact", None, SE),
                "child-year",
                50_000.0,
                0.0,
                "test",
            ),
        ),
        model.benefit_profile,
    )
    b = phrase_rates(moved, np.array([1e-6]), seed=9, worlds=200, draws=500)
    assert a == b


def test_not_measured_without_a_spread_or_for_an_entered_change() -> None:
    assert phrase_rates(_model(math.nan), np.array([1e-6]), seed=1) is None
    assert phrase_rates(_model(SE, entered=True), np.array([1e-6]), seed=1) is None


def test_offsets_move_the_estimates_draw_by_draw() -> None:
    """An offset equal to the difference of two estimates gives the other model's draws."""
    relative = ActivityChange.relative("care", 400.0, 0.3, SE, "impact")
    additive = ActivityChange("referral", -20.0, 5.0, "entered")

    def model(log_effect: float, change: float) -> CBAModel:
        lines = (
            BenefitLine(
                ActivityChange.relative("care", 400.0, log_effect, SE, "impact"),
                "child-year",
                50_000.0,
                5_000.0,
                "test",
            ),
            BenefitLine(
                ActivityChange("referral", change, 5.0, "entered"), "referral", 900.0, 90.0, "t"
            ),
        )
        return CBAModel(np.array([1e5]), lines, np.array([1.0]), cost_se_share=0.1)

    base, other = model(relative.log_effect, additive.change), model(-0.2, 12.0)
    offsets = np.tile([-0.2 - 0.3, 12.0 - -20.0], (3_000, 1))
    moved = run_psa(base, 3_000, seed=5, offsets=offsets)
    direct = run_psa(other, 3_000, seed=5)
    np.testing.assert_allclose(moved.pv_benefits, direct.pv_benefits, rtol=1e-9, atol=1e-6)
    np.testing.assert_array_equal(moved.pv_costs, direct.pv_costs)
    with pytest.raises(ValueError, match="draws x lines"):
        run_psa(base, 3_000, seed=5, offsets=offsets[:, :1])
