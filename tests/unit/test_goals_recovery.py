"""On simulated goals, the framework-contrast difference and parent-worker agreement recover
the simulator's truth (a few seeds; the longer study is benchmarks/family_goals_recovery.py)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from csceval.strands.family_goals.analysis import GoalsResult, analyse_goal_records
from csceval.strands.family_goals.simulate import (
    GoalsConfig,
    GoalsSimulation,
    simulate_family_goals,
)

SITES = tuple((f"{401 + i}", "framework" if i < 8 else "contrast") for i in range(16))
ROLES = {code: "pilot" if group == "framework" else "contrast" for code, group in SITES}
CONFIG = GoalsConfig(families_per_site=(25, 30), truth_families=1000)
SEEDS = (21, 22, 23)


def as_read(sim: GoalsSimulation) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The simulated tables with the dtypes the project reader gives them."""
    ratings = sim.ratings.assign(
        rating=pd.array([None if x == "" else int(x) for x in sim.ratings["rating"]],
                        dtype="Int64"),
        entry=pd.array(sim.ratings["entry"], dtype="Int64"),
    )  # fmt: skip
    return sim.goals.assign(weight=sim.goals["weight"].astype(float)), ratings


@pytest.fixture(scope="module")
def runs() -> list[tuple[dict[str, Any], GoalsResult]]:
    out = []
    for seed in SEEDS:
        sim = simulate_family_goals(seed, SITES, CONFIG)
        goals, ratings = as_read(sim)
        out.append((sim.truth, analyse_goal_records(goals, ratings, ROLES, n_boot=50)))
    return out


def test_simulation_is_deterministic_by_seed() -> None:
    a = simulate_family_goals(5, SITES[:3], GoalsConfig(truth_families=40))
    b = simulate_family_goals(5, SITES[:3], GoalsConfig(truth_families=40))
    pd.testing.assert_frame_equal(a.ratings, b.ratings)
    assert a.truth == b.truth
    assert a.goals["family"].str.fullmatch(r"P-[A-Z2-7]{16}").all()
    assert a.goals["description"].str.len().gt(0).all()


def test_the_framework_contrast_difference_recovers_the_truth(
    runs: list[tuple[dict[str, Any], GoalsResult]],
) -> None:
    """Within 3 standard errors each time, and the mean error under 1.5 T points."""
    errors = []
    for truth, result in runs:
        for c in result.comparisons:
            true = truth["framework_minus_contrast"][c.rater]
            assert abs(c.difference - true) < 3 * c.se, (c.rater, c.difference, true, c.se)
            errors.append(c.difference - true)
            assert c.mde > 0
            assert c.n_sites_framework == 8
    assert len(errors) == 2 * len(SEEDS)
    assert abs(sum(errors) / len(errors)) < 1.5


def test_parent_worker_agreement_recovers_the_truth(
    runs: list[tuple[dict[str, Any], GoalsResult]],
) -> None:
    """Krippendorff's alpha within 0.06 and weighted kappa within 0.06 of the population value;
    the parents' leniency within 0.08 levels."""
    for truth, result in runs:
        true = truth["parent_worker_agreement"]
        a = result.agreement
        assert a.alpha is not None
        assert a.kappa is not None
        assert a.alpha.estimate == pytest.approx(true["krippendorff_alpha_ordinal"], abs=0.06)
        assert a.kappa.estimate == pytest.approx(true["weighted_kappa_quadratic"], abs=0.06)
        assert a.mean_difference == pytest.approx(true["mean_parent_minus_worker"], abs=0.08)
        n_double, same = result.double_entry
        assert n_double > 0
        assert same > 0.9
