"""On simulated audits, reliability and site differences recover the simulator's truth."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from csceval.strands.quality_of_recording.analysis import QualityResult, analyse_audits
from csceval.strands.quality_of_recording.instrument import default_instrument
from csceval.strands.quality_of_recording.scoring import case_scores, item_scores
from csceval.strands.quality_of_recording.simulate import (
    AuditConfig,
    AuditSimulation,
    simulate_case_audits,
)

SITES = tuple((f"{401 + i}", "framework" if i < 6 else "contrast") for i in range(12))
ROLES = {code: "pilot" if group == "framework" else "contrast" for code, group in SITES}
CONFIG = AuditConfig(cases_per_site=30, double_share=0.5)
SEEDS = (11, 12, 13, 14)


@pytest.fixture(scope="module")
def sims() -> list[AuditSimulation]:
    return [simulate_case_audits(seed, SITES, config=CONFIG) for seed in SEEDS]


@pytest.fixture(scope="module")
def runs(sims: list[AuditSimulation]) -> list[tuple[dict[str, Any], QualityResult]]:
    ins = default_instrument()
    return [(sim.truth, analyse_audits(sim.audits, ins, ROLES, n_boot=50)) for sim in sims]


def test_simulation_is_deterministic_by_seed() -> None:
    a = simulate_case_audits(5, SITES[:3], config=AuditConfig(cases_per_site=4))
    b = simulate_case_audits(5, SITES[:3], config=AuditConfig(cases_per_site=4))
    pd.testing.assert_frame_equal(a.audits, b.audits)
    pd.testing.assert_frame_equal(a.samples, b.samples)
    assert a.truth == b.truth
    c = simulate_case_audits(6, SITES[:3], config=AuditConfig(cases_per_site=4))
    assert not a.audits.equals(c.audits)


def test_site_means_are_unbiased_for_the_expected_scores(sims: list[AuditSimulation]) -> None:
    """Every site x time point mean against its exact expected score, over several seeds."""
    ins = default_instrument()
    z = []
    for sim in sims:
        cases = case_scores(item_scores(sim.audits, ins), ins)
        grouped = cases.groupby(["la_code", "time_point"])["overall"]
        expected = sim.truth["expected_scores"]
        assert isinstance(expected, dict)
        for (code, tp), mean in grouped.mean().items():
            se = grouped.std()[(code, tp)] / math.sqrt(grouped.count()[(code, tp)])
            z.append((mean - expected[code][tp]["overall"]) / se)
    z_arr = np.array(z)
    assert abs(z_arr.mean()) < 3 / math.sqrt(len(z_arr))  # no bias (3 standard errors)
    assert 0.6 < z_arr.std() < 1.4  # errors of the size the sampling error predicts
    # bounded scores near the ceiling make the t-like ratio heavy-tailed: allow a few outliers
    assert (np.abs(z_arr) > 3).sum() <= 2


def test_framework_minus_contrast_difference_is_recovered(
    runs: list[tuple[dict[str, Any], QualityResult]],
) -> None:
    """Estimated difference within 3.5 standard errors of the truth, at T1 (true gain 0) and
    T2 (true gain 0.5 latent SD), for each seed; and the T2 effect is detected on average."""
    t2 = []
    for truth, result in runs:
        cases = result.cases
        for c in (c for c in result.comparisons if c.measure == "overall"):
            rows = cases[cases["time_point"] == c.time_point]
            within = rows.groupby("la_code")["overall"].var().mean()
            n = rows.groupby("la_code").size().mean()
            se = math.sqrt(within / n * (1 / c.n_sites_framework + 1 / c.n_sites_contrast))
            target = truth["framework_minus_contrast_overall"][c.time_point]
            assert abs(c.difference - target) < 3.5 * se, (c.time_point, c.difference, target)
            assert c.ml_estimate == pytest.approx(c.difference, abs=1.0)  # balanced design
            if c.time_point == "T2":
                t2.append((c.difference, target))
    assert np.mean([d for d, _ in t2]) > 5
    assert np.mean([d for d, _ in t2]) == pytest.approx(np.mean([t for _, t in t2]), abs=3.0)


def test_reliability_is_recovered(runs: list[tuple[dict[str, Any], QualityResult]]) -> None:
    """Mean item alpha and agreement within 0.05 of the population values, for each seed."""
    for truth, result in runs:
        pop = truth["item_reliability"]
        est_alpha = np.mean([r.alpha for r in result.reliability])
        true_alpha = np.mean([pop[r.item]["krippendorff_alpha"] for r in result.reliability])
        est_agree = np.mean([r.agreement for r in result.reliability])
        true_agree = np.mean([pop[r.item]["percent_agreement"] for r in result.reliability])
        assert est_alpha == pytest.approx(true_alpha, abs=0.05)
        assert est_agree == pytest.approx(true_agree, abs=0.05)
        assert all(r.n_units >= 150 for r in result.reliability)
