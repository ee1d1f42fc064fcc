"""The random-trend model as the impact strand's ``trend`` estimator: the plan accepts it, the
estimates table gets its row, the design calibration draws it, it leads the verdict (the
headline) where the plan has it, and a plan without it computes what it did."""

from __future__ import annotations

import math
import re
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_calibrate import YEARS, noise_panel
from test_impact_design_calibration import RATES, _assess, _impact, _null_design
from test_impact_strand import _values
from test_impact_verdict_rule import CALIBRATION
from test_truth_check_units import ADOPTION, _truth

from csceval.impact.calibrate import DRAW_OPTIONS, calibrate, run_methods_once
from csceval.indicators.catalogue import BY_ID
from csceval.pipeline import validate_project
from csceval.project import Project
from csceval.strands import StrandInputs
from csceval.strands.impact.design import DesignDraws, design_draws, design_methods
from csceval.strands.impact.methods import analyse_indicator
from csceval.strands.impact.recovery import truth_of
from csceval.strands.impact.results import Estimate, ImpactResult, IndicatorImpact
from csceval.strands.impact.strand import adoption_years, analyse_impact
from csceval.strands.truth_check.estimand import true_effect

WITHOUT = ("sdid",)
WITH = ("sdid", "trend")
OPTIONS = {**DRAW_OPTIONS, "synth_draws": 49, "n_boot": 99}


def _plan(project: Project, estimators: tuple[str, ...]) -> Project:
    analysis = project.settings.analysis.model_copy(update={"estimators": list(estimators)})
    return replace(project, settings=project.settings.model_copy(update={"analysis": analysis}))


@pytest.fixture(scope="module")
def project(demo_loaded: Callable[[], Project]) -> Project:
    return demo_loaded()


@pytest.fixture(scope="module")
def with_trend(project: Project) -> ImpactResult:
    return analyse_impact(StrandInputs.of(_plan(project, WITH)))


@pytest.fixture(scope="module")
def without_trend(project: Project) -> ImpactResult:
    return analyse_impact(StrandInputs.of(_plan(project, WITHOUT)))


def test_a_plan_may_name_trend(valid_project: Path, tmp_path: Path) -> None:
    def problems(estimators: str, name: str) -> list[str]:
        folder = tmp_path / name
        shutil.copytree(valid_project, folder)
        plan = folder / "evaluation.toml"
        text = re.sub(r"estimators = \[[^\]]*\]", f"estimators = {estimators}", plan.read_text())
        plan.write_text(text, encoding="utf-8")
        return [p.code for p in validate_project(folder)]

    assert problems('["descriptive", "trend"]', "trend") == []
    assert "CSC-E1302" in problems('["descriptive", "trends"]', "typo")  # still checked


def test_the_estimates_table_has_a_random_trend_row_per_indicator(
    with_trend: ImpactResult,
) -> None:
    assert with_trend.indicators
    for impact in with_trend.indicators:
        rows = [e for e in impact.estimates if e.method == "random_trend"]
        assert len(rows) == 1, impact.indicator.id
        row = rows[0]
        assert row.label == "Random-trend model"
        assert row.estimable
        assert math.isfinite(row.estimate)
        assert row.low < row.estimate < row.high
        assert 0 < row.p_value < 1
        assert "REML" in row.note
        assert [e.method for e in impact.estimates] == ["sdid", "random_trend"]
    frame = with_trend.to_frame()
    assert (frame["method"] == "random_trend").sum() == len(with_trend.indicators)


def test_unusable_input_is_an_explicit_row() -> None:
    cpp = BY_ID["cpp_rate_per_10k"]
    none = analyse_indicator(cpp, _values(), {"P0": 2016}, (), ("trend",), CALIBRATION)
    assert [(e.method, e.estimable) for e in none.estimates] == [("random_trend", False)]
    assert "no donors" in none.estimates[0].note
    donors = ("D0", "D1", "D2", "D3")  # enough for the strand (pilots + 3), not for four
    few = analyse_indicator(cpp, _values(1, 4), {"P0": 2016}, donors, ("trend",), CALIBRATION)
    (row,) = few.estimates
    assert not row.estimable
    assert row.note == "not estimable: the random-trend model needs at least 5 complete donors"


def test_a_log_scale_row_is_a_per_cent_change(with_trend: ImpactResult) -> None:
    """On the log scale the interval is symmetric in logs, so not in per cent: the upper end
    lies further from the estimate than the lower."""
    cla = next(i for i in with_trend.indicators if i.indicator.id == "cla_rate_per_10k")
    assert cla.scale == "log"
    row = cla.get("random_trend")
    assert row is not None
    lo, x, hi = (math.log1p(v / 100) for v in (row.low, row.estimate, row.high))
    assert x - lo == pytest.approx(hi - x)
    assert row.high - row.estimate > row.estimate - row.low


def test_a_plan_without_trend_gives_the_rows_it_gave(
    with_trend: ImpactResult, without_trend: ImpactResult
) -> None:
    before = without_trend.to_frame()
    assert "random_trend" not in set(before["method"])
    after = with_trend.to_frame()
    after = after[after["method"] != "random_trend"].reset_index(drop=True)
    columns = [c for c in before.columns if c not in ("strength", "headline")]  # it leads now
    pd.testing.assert_frame_equal(before[columns], after[columns])


def test_design_methods_add_random_trend_only_for_trend(project: Project) -> None:
    old = ("synth_pooled", "synth_rmspe", "did", "sdid")
    assert design_methods(_plan(project, ("descriptive", "synth", "did", "sdid"))) == old
    assert design_methods(_plan(project, ("synth", "did", "sdid", "trend"))) == (
        *old,
        "random_trend",
    )
    assert design_methods(_plan(project, ("trend",))) == ("random_trend",)


def test_a_draw_runs_random_trend_beside_the_others_without_changing_them() -> None:
    panel = noise_panel()
    treated = {"la03": 2006, "la11": 2006, "la17": 2008, "la20": 2008}
    alone = run_methods_once(panel, "y", treated, ["did"], 5, OPTIONS)
    both = run_methods_once(panel, "y", treated, ["did", "random_trend"], 5, OPTIONS)
    assert both["did"].estimates == alone["did"].estimates
    assert both["did"].rejections == alone["did"].rejections
    trend = both["random_trend"]
    assert (trend.tests, trend.intervals, trend.failures) == (1, 1, 0)
    assert trend.rejections in (0, 1)
    assert trend.half_widths[0] > 0
    assert bool(trend.rejections) == (abs(trend.estimates[0]) > trend.half_widths[0])


def test_calibrate_measures_its_size_when_asked() -> None:
    result = calibrate(noise_panel(), "y", YEARS, methods=["random_trend"], n_draws=20, seed=2)
    stat = result.methods["random_trend"]
    assert (stat.tests, stat.intervals, stat.failures) == (20, 20, 0)
    assert stat.covered == stat.tests - stat.rejections
    assert 0 <= stat.size <= 0.25  # a 5% test on noise of the model's kind
    assert result.to_dict()["methods"]["random_trend"]["label"].startswith("Random-trend")
    assert "random_trend" in result.settings


@pytest.fixture(scope="module")
def design(project: Project) -> DesignDraws:
    trend = _plan(project, ("trend",))
    drawn = design_draws(trend, sorted(adoption_years(trend).values()), draws=3, seed=0)
    assert drawn is not None
    return drawn


def test_the_design_calibration_draws_random_trend(design: DesignDraws) -> None:
    assert design.indicators
    for indicator, d in design.indicators.items():
        md = d.methods["random_trend"]
        assert md.tests == (1, 1, 1), indicator
        assert set(md.rejections) <= {0, 1}
        assert all(math.isfinite(x) for x in md.estimates)
        assert all(h > 0 for h in md.half_widths)
    assert DesignDraws.from_json(design.to_json()).indicators == design.indicators


def test_the_report_quotes_its_size_and_mde_from_the_design(
    project: Project, design: DesignDraws
) -> None:
    inputs = replace(StrandInputs.of(_plan(project, ("trend",))), derived={"design": design})
    result = analyse_impact(inputs)
    for impact in result.indicators:
        stats = result.stats(impact.indicator.id, "random_trend")
        assert stats is not None
        assert stats.tests == 3
        assert math.isfinite(stats.mde)
    frame = result.to_frame()
    assert (frame.loc[frame["method"] == "random_trend", "mde"] != "").all()


def _with_trend_rows(design: DesignDraws) -> DesignDraws:
    """The hand-made design with its pooled synthetic control's draws relabelled as the
    random-trend model's (the headline) beside CS-DiD's."""
    indicators = {
        i: replace(d, methods={"random_trend": d.methods["synth_pooled"], "did": d.methods["did"]})
        for i, d in design.indicators.items()
    }
    return replace(design, indicators=indicators)


def _trend_impacts(x: float, did: float, half: float) -> tuple[IndicatorImpact, ...]:
    return tuple(
        replace(
            imp,
            estimates=(
                Estimate("random_trend", "RT", estimate=x, low=x - half, high=x + half),
                imp.estimates[1],
            ),
        )
        for imp in (_impact(i, x, did, half) for i in RATES)
    )


def test_random_trend_leads_and_another_corroborates_unless_it_over_rejects() -> None:
    big = 100 * math.expm1(0.4)  # far beyond every null draw
    impacts = _trend_impacts(big, big, big / 3)
    a = _assess(_with_trend_rows(_null_design()), impacts)
    assert {v.headline for v in a.verdicts.values()} == {"random_trend"}
    assert {v.strength for v in a.verdicts.values()} == {"high"}
    over = _assess(_with_trend_rows(_null_design(did_size=120)), impacts)
    assert over.stats["cla_rate_per_10k"]["did"].over_rejects
    assert {v.strength for v in over.verdicts.values()} == {"moderate"}
    for v in over.verdicts.values():
        assert v.mde_rates is not None
        assert v.mde_rates["high"] == 0  # the draws' rule reads it too
    # of opposite sign it contradicts the headline
    contra = _assess(_with_trend_rows(_null_design()), _trend_impacts(big, -big, big / 3))
    assert {v.reason for v in contra.verdicts.values()} == {"the methods disagree in sign"}


def test_its_truth_weights_pilots_equally() -> None:
    years = list(range(2013, 2018))
    effects = pd.DataFrame(
        [[0, 0, -1, -1, -1], [0, 0, 0, 0, -4]], index=["A", "B"], columns=years, dtype=float
    )
    adoption, span = {"A": 2015, "B": 2017}, (2013, 2017)
    assert truth_of("random_trend", effects, adoption, span) == pytest.approx(-2.5)
    truth = _truth()
    args = ("cpp_rate_per_10k", "log")
    pooled = true_effect(truth, *args, "synth_pooled", ADOPTION, 2017)
    assert true_effect(truth, *args, "random_trend", ADOPTION, 2017) == pytest.approx(pooled)
    assert pooled != pytest.approx(true_effect(truth, *args, "did", ADOPTION, 2017))
    assert np.isfinite(pooled)


def test_the_frame_marks_one_headline_row_per_indicator(
    with_trend: ImpactResult, without_trend: ImpactResult
) -> None:
    """The random-trend model leads where the plan has it: the headline row (which the
    cost-benefit analysis and the truth check read) is its, and synthetic DiD's without it."""
    for result, method in ((with_trend, "random_trend"), (without_trend, "sdid")):
        frame = result.to_frame()
        heads = frame[frame["headline"]]
        assert list(heads["indicator"]) == [i.indicator.id for i in result.indicators]
        assert set(heads["method"]) == {method}
