"""Child-level verdicts calibrated on the project's own design (design_null, design_verdicts).

Checks: the vectorised replicate tests equal refitting the estimator draw by draw; the null
model recovers the LA-by-year shocks it is fitted to; the rule's design p-values and rates equal
a brute-force count; on a design's own draws "moderate" keeps to its 2% and 5% family-wise
bounds; the figures survive child_impact.json; the section states them.
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from csceval.disclosure import DisclosurePolicy
from csceval.impact.did_setup import ReplicateTests, prepare_did
from csceval.impact.matched_did import matched_did
from csceval.impact.multiplicity import MIN_RANK_DRAWS, holm
from csceval.report.model import TableBlock
from csceval.strands.child_impact.design_figures import operating_from_json
from csceval.strands.child_impact.design_null import OutcomeDraws, null_model, outcome_draws
from csceval.strands.child_impact.design_verdicts import (
    calibrate_on_design,
    design_operating,
    design_strength,
)
from csceval.strands.child_impact.estimate import NULL_DRAWS
from csceval.strands.child_impact.folder import parse_result, result_bytes
from csceval.strands.child_impact.result import OutcomeEstimate
from csceval.strands.child_impact.section import render_child_impact
from csceval.terminal import json_text

KW: dict[str, Any] = {
    "outcome": "y",
    "cluster": "la_code",
    "group": "pilot",
    "period": "cohort_year",
    "adoption": "adoption",
    "weights": "weight",
}
ADOPTION = {"P1": 2018, "P2": 2018, "P3": 2019, "P4": 2019}


def design_frame(seed: int, shock_sd: float, n_las: int = 14, per_cell: int = 80) -> pd.DataFrame:
    """Children of ``n_las`` LAs (four pilots) over 2015-2020 with LA-by-year shocks of
    ``shock_sd`` on a 20% rate, positive matching-like weights and a 0/1 covariate."""
    rng = np.random.default_rng(seed)
    las = [*ADOPTION, *(f"C{i}" for i in range(n_las - len(ADOPTION)))]
    rows = []
    for la in las:
        level = rng.normal(0.2, 0.03)
        for year in range(2015, 2021):
            p = np.clip(level + 0.01 * (year - 2015) + rng.normal(0, shock_sd), 0.01, 0.99)
            y = rng.random(per_cell) < p
            for k in range(per_cell):
                rows.append((la, year, float(y[k]), rng.uniform(0.5, 2.0), float(k % 2)))
    frame = pd.DataFrame(rows, columns=["la_code", "cohort_year", "y", "weight", "z"])
    frame["pilot"] = frame["la_code"].isin(list(ADOPTION)).astype(int)
    frame["adoption"] = frame["la_code"].map(ADOPTION).fillna(0).astype(int)
    return frame


@pytest.mark.parametrize("covariates", [(), ("z",)])
def test_replicate_tests_equal_refitting_draw_by_draw(covariates: tuple[str, ...]) -> None:
    frame = design_frame(1, 0.02)
    setup = prepare_did(frame, covariates=covariates, **KW)
    ys = (np.random.default_rng(2).random((len(frame), 4)) < 0.3).astype(float)
    got = setup.overall_replicates(ys)
    for r in range(ys.shape[1]):
        fit = matched_did(frame.assign(y=ys[:, r]), covariates=covariates, wild=False, **KW)
        assert got.estimate[r] == pytest.approx(fit.overall.estimate, abs=1e-12)
        assert got.se_cr2[r] == pytest.approx(fit.overall.se_cr2, rel=1e-10)
        assert got.p_cr2[r] == pytest.approx(fit.overall.p_cr2, rel=1e-9)
        assert got.df_bm == pytest.approx(fit.overall.df_bm, rel=1e-12)


def test_replicate_tests_refuse_a_wrong_shape() -> None:
    setup = prepare_did(design_frame(1, 0.0), **KW)
    with pytest.raises(Exception, match="one row per frame row"):
        setup.overall_replicates(np.zeros((3, 2)))


@pytest.mark.parametrize(("shock_sd", "low", "high"), [(0.0, 0.0, 0.012), (0.04, 0.028, 0.052)])
def test_null_model_recovers_the_shocks(shock_sd: float, low: float, high: float) -> None:
    sds = [null_model(design_frame(s, shock_sd, n_las=40)).sd for s in range(6)]
    assert low <= float(np.mean(sds)) <= high


def test_null_model_leaves_the_effect_out() -> None:
    frame = design_frame(3, 0.0)
    treated = (frame["pilot"] == 1) & (frame["cohort_year"] >= frame["adoption"])
    jumped = frame.assign(y=np.where(treated, 1.0, frame["y"]))  # a huge effect after adoption
    plain, model = null_model(frame), null_model(jumped)
    np.testing.assert_allclose(model.expected, plain.expected, atol=1e-12)
    assert model.treated_post.sum() == treated.sum()


def _draws(t_null: list[float], t_effect: list[float]) -> OutcomeDraws:
    """Draws with these |t| (se 1) and their two-sided normal-ish p-values from df 1e6."""
    from scipy import stats

    def tests(t: list[float]) -> ReplicateTests:
        est = np.asarray(t, dtype=float)
        return ReplicateTests(est, np.ones_like(est), 2 * stats.norm.sf(np.abs(est)), 1e6)

    return OutcomeDraws(tests(t_null), tests(t_effect), 0.05, 0.01, 0.0)


def test_design_rates_equal_a_brute_force_count() -> None:
    rng = np.random.default_rng(5)
    n = 60
    draws = {o: _draws(list(rng.normal(size=n)), list(rng.normal(3, 1, size=n))) for o in "ab"}
    observed = {"a": (2.6, 1.0, 0.0093), "b": (0.4, 1.0, 0.69)}
    op = design_operating(draws, observed, n, seed=0)
    t0 = np.abs(np.array([draws[o].null.estimate for o in "ab"]))
    p0 = np.array([draws[o].null.p_cr2 for o in "ab"])
    largest = t0.max(axis=0)

    def rank(t: float, null: np.ndarray) -> float:
        return (1 + int(np.sum(null >= t))) / (1 + len(null))

    a = op.get("a")
    assert a is not None
    assert a.p_design == pytest.approx(rank(2.6, t0[0]))
    assert a.p_family_design == pytest.approx(rank(2.6, largest))
    words = []
    for r in range(n):
        adjusted = holm(list(p0[:, r]))
        words.append(
            [
                design_strength(
                    p0[k, r], rank(t0[k, r], t0[k]), adjusted[k], rank(t0[k, r], largest)
                )
                for k in range(2)
            ]
        )
    assert a.null_moderate == pytest.approx(np.mean([w[0] == "moderate" for w in words]))
    assert a.null_low == pytest.approx(np.mean([w[0] != "none" for w in words]))
    assert op.moderate_any == pytest.approx(np.mean(["moderate" in w for w in words]))
    t1 = np.abs(draws["a"].effect.estimate)
    p1 = draws["a"].effect.p_cr2
    at_mde = []
    for r in range(n):
        adjusted = holm([p1[r], p0[1, r]])
        at_mde.append(design_strength(p1[r], rank(t1[r], t0[0]), adjusted[0], rank(t1[r], largest)))
    assert a.mde_moderate == pytest.approx(np.mean([w == "moderate" for w in at_mde]))
    assert a.power_cr2 == pytest.approx(np.mean(p1 <= 0.05))


def test_a_word_needs_both_tests() -> None:
    assert design_strength(0.01, 0.015, 0.03, 0.04) == "moderate"
    assert design_strength(0.01, 0.03, 0.03, 0.04) == "low"  # the design p is too large
    assert design_strength(0.03, 0.01, 0.03, 0.04) == "low"  # the CR2 p is too large
    assert design_strength(0.01, 0.01, 0.06, 0.04) == "low"  # Holm's is too large
    assert design_strength(0.01, 0.01, 0.04, 0.06) == "low"  # max-T's is too large
    assert design_strength(0.05, 0.12, 0.2, 0.3) == "none"
    assert design_strength(math.nan, 0.01, 0.0, 0.0) == "none"
    assert design_strength(0.01, math.nan, 0.0, 0.0) == "none"


def _estimate(outcome: str, frame: pd.DataFrame) -> OutcomeEstimate:
    fit = matched_did(frame, wild=False, **KW).overall
    mde = 2.9 * fit.se_cr2
    est = 100 * fit.estimate
    half = 196 * fit.se_cr2
    return OutcomeEstimate(
        outcome, "cem", est, 100 * fit.se_cr2, est - half, est + half, fit.p_cr2,
        math.nan, "", 0, 4, 10, len(frame), 0, 0.0, 20.0, 100 * mde,
    )  # fmt: skip


def test_moderate_keeps_its_bounds_on_the_design_draws() -> None:
    frame = design_frame(7, 0.03)
    outcomes = ("rereferral_12m", "cpp_12m", "cla_12m")
    data = frame.assign(**dict.fromkeys(outcomes, frame["y"]))
    estimates = [_estimate(o, frame) for o in outcomes]
    op = calibrate_on_design(data, estimates, 400, seed=11)
    for o in op.outcomes:
        assert o.null_moderate <= 0.02 + 2 * op.mc_error(0.02)
        assert o.power_cr2 > 0.5  # the CR2 MDE: about 80% when the SE is right
        assert o.shock_sd > 0
    assert op.moderate_any <= 0.05 + 2 * op.mc_error(0.05)
    again = calibrate_on_design(data, estimates, 400, seed=11)
    assert again == op  # the same seed, the same figures


def test_outcome_draws_are_seeded() -> None:
    data = design_frame(8, 0.02)
    one = outcome_draws(data, 0.05, 30, np.random.default_rng(3))
    two = outcome_draws(data, 0.05, 30, np.random.default_rng(3))
    np.testing.assert_array_equal(one.null.estimate, two.null.estimate)
    assert float(np.mean(one.effect.estimate)) > float(np.mean(one.null.estimate)) + 0.02


def test_the_section_states_the_design_figures(demo_project: Path) -> None:
    stored = (demo_project / "child_impact.json").read_bytes()
    result = parse_result(stored)
    assert result.operating is not None
    assert result.operating.draws == NULL_DRAWS
    assert parse_result(result_bytes(result)).operating == result.operating
    section = render_child_impact(result, DisclosurePolicy())
    first = section.findings[0].text
    assert "this project's own design" in first
    assert f"{result.operating.draws:,} worlds with no effect" in first
    table = next(
        b for b in section.blocks if isinstance(b, TableBlock) and b.id == "child-impact-operating"
    )
    shown = table.table.values
    assert len(shown) == len(result.operating.outcomes)
    first_outcome = result.operating.outcomes[0]
    assert shown.iloc[0, 4] == pytest.approx(100 * first_outcome.null_moderate, abs=0.05)
    assert {f.strength for f in section.findings[1:]} <= {"none", "low", "moderate"}


def test_without_draws_the_section_falls_back_and_says_so(demo_project: Path) -> None:
    result = replace(
        parse_result((demo_project / "child_impact.json").read_bytes()), operating=None
    )
    section = render_child_impact(result, DisclosurePolicy())
    first = section.findings[0].text
    assert "(a design of 10 pilot and 10 comparator LAs, five cohorts, not this project's)" in first
    assert not any(
        isinstance(b, TableBlock) and b.id == "child-impact-operating" for b in section.blocks
    )


def test_no_testable_outcome_gives_no_figures() -> None:
    op = design_operating({}, {}, 99, seed=1)
    assert op.outcomes == ()
    assert math.isnan(op.moderate_any)
    back = operating_from_json(json.loads(json_text(op.to_json())))
    assert back is not None
    assert back.outcomes == ()
    assert math.isnan(back.moderate_any)


def test_cell_sums_give_the_rows_tests() -> None:
    frame = design_frame(4, 0.02)
    setup = prepare_did(frame, **KW)
    ys = (np.random.default_rng(6).random((len(frame), 3)) < 0.25).astype(float)
    by_rows = setup.overall_replicates(ys)
    sums = setup.summing(setup.cell_codes) @ (frame["weight"].to_numpy()[:, None] * ys)
    by_cells = setup.replicates_from_sums(sums)
    np.testing.assert_allclose(by_cells.estimate, by_rows.estimate, atol=1e-13)
    np.testing.assert_allclose(by_cells.se_cr2, by_rows.se_cr2, rtol=1e-10)


@pytest.mark.parametrize("weights", ["strata", "distinct"])
def test_the_null_draws_spread_as_the_standard_error_says(weights: str) -> None:
    """Binomial counts by group (and uniform draws for lone children) give null estimates
    centred on zero whose spread is the CR2 standard error's (no shocks: the model is right)."""
    frame = design_frame(9, 0.0)
    if weights == "strata":
        strata = np.random.default_rng(1).integers(0, 5, len(frame))
        ratios = np.array([0.5, 0.8, 1.0, 1.5, 2.0])
        frame["weight"] = np.where(frame["pilot"] == 1, 1.0, ratios[strata])
    draws = outcome_draws(frame, 0.05, 600, np.random.default_rng(2))
    est, se = draws.null.estimate, draws.null.se_cr2
    assert abs(float(est.mean())) < 3 * float(est.std()) / math.sqrt(len(est))
    assert float(est.std()) == pytest.approx(float(np.sqrt(np.mean(se**2))), rel=0.15)
    assert float(draws.effect.estimate.mean() - est.mean()) == pytest.approx(0.05, abs=0.01)


def test_the_command_draws_the_strands_default() -> None:
    from csceval.cli.child_did import child_did

    (option,) = [p for p in child_did.params if p.name == "null_draws"]
    assert option.default == NULL_DRAWS
    assert f"under {MIN_RANK_DRAWS}: none" in (option.help or "")
