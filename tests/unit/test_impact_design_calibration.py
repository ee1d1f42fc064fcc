"""The impact strand's calibration on the project's own design: sizes, MDEs, p-values, verdicts.

The rule's promises are checked on hand-made null draws (where the truth is known exactly),
and the report is checked against ``csceval impact calibrate-project`` on a small simulated
project (the same draws, computed twice with separate caches).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.disclosure import DisclosurePolicy
from csceval.impact.multiplicity import MIN_RANK_DRAWS, rank_p
from csceval.impact.synth import SynthPanel
from csceval.indicators.catalogue import BY_ID
from csceval.pipeline import analyse_strands, load_project, provenance
from csceval.project.checks import check_settings
from csceval.strands.impact.design import (
    DesignDraws,
    DesignPanel,
    IndicatorDesign,
    MethodDraws,
    design_key,
)
from csceval.strands.impact.design_stats import MDE_FACTOR, method_stats
from csceval.strands.impact.outcomes import OutcomePlan, analysed_indicators
from csceval.strands.impact.results import Estimate, ImpactResult, IndicatorImpact
from csceval.strands.impact.section import render_impact
from csceval.strands.impact.section_answer import Headline, impact_answer
from csceval.strands.impact.verdicts import assess, holm

RATES = ("cla_rate_per_10k", "cpp_rate_per_10k", "cin_rate_per_10k")


def _null_design(n: int = 600, did_size: int = 0, seed: int = 3) -> DesignDraws:
    """Null draws of three correlated indicators: pooled SC and CS-DiD estimates (log points),
    CS-DiD with a nominal interval half-width of 1.96 sd; ``did_size`` extra rejections."""
    rng = np.random.default_rng(seed)
    shared = rng.normal(0, 0.05, n)
    indicators = {}
    for k, indicator in enumerate(RATES):
        sc = 0.7 * shared + rng.normal(0, 0.035, n) * (1 + k / 4)
        did = sc + rng.normal(0, 0.02, n)
        sd = float(did.std())
        rejections = (np.abs(did) > 1.96 * sd).astype(int)
        rejections[:did_size] = 1
        indicators[indicator] = IndicatorDesign(
            (2016, 2017),
            60,
            (2010, 2025),
            {
                "synth_pooled": MethodDraws(tuple(sc), (math.nan,) * n, (0,) * n, (1,) * n),
                "did": MethodDraws(tuple(did), (1.96 * sd,) * n, tuple(rejections), (1,) * n),
            },
        )
    return DesignDraws("k" * 64, n, seed, indicators)


def _impact(indicator: str, x: float, did: float, half: float = 3.0) -> IndicatorImpact:
    """A hand-made result on the reporting scale (per cent changes)."""
    rows = (
        Estimate("synth_pooled", "SC", estimate=x, p_value=0.5),
        Estimate("did", "CS", estimate=did, low=did - half, high=did + half),
    )
    return IndicatorImpact(BY_ID[indicator], rows, None, None, ("A",), 20, (2010, 2025), (), "log")


def _assess(design: DesignDraws, impacts: tuple[IndicatorImpact, ...], primary: str | None = None):  # type: ignore[no-untyped-def]
    sizes = {
        i: {m: method_stats(md) for m, md in d.methods.items()}
        for i, d in design.indicators.items()
    }
    return assess(
        impacts, design, sizes, OutcomePlan(primary, tuple(i.indicator.id for i in impacts))
    )


def test_holm_adjusts_step_down() -> None:
    assert holm([0.01, 0.04, 0.03, math.nan]) == pytest.approx(
        [0.03, 0.06, 0.06, math.nan], nan_ok=True
    )
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_mde_is_detected_four_times_in_five() -> None:
    design = _null_design(n=4000)
    stats = method_stats(design.indicators["cla_rate_per_10k"].methods["synth_pooled"])
    assert stats.mde == pytest.approx(MDE_FACTOR * stats.spread)
    assert 0.75 <= stats.power_at_mde <= 0.85  # normal null: analytic 80%
    assert stats.size == 0
    assert not stats.over_rejects
    null = np.asarray([0.1, 0.2, 0.3])
    assert rank_p(0.2, null)[0] == pytest.approx(3 / 4)


def test_verdict_rates_on_null_draws_keep_their_promises() -> None:
    """Moderate or stronger in at most 2% of null draws per indicator, 5% family-wise."""
    design = _null_design()
    impacts = tuple(_impact(i, 1.0, 1.0) for i in RATES)
    a = _assess(design, impacts)
    assert a.mode == "design"
    assert a.adjustment == "max-T"
    for v in a.verdicts.values():
        assert v.null_rates is not None
        assert v.mde_rates is not None
        assert v.null_rates["moderate"] + v.null_rates["high"] <= 0.02 + 1e-9
        assert sum(v.null_rates.values()) == pytest.approx(1.0)
        strong_at_mde = v.mde_rates["moderate"] + v.mde_rates["high"]
        assert strong_at_mde > 5 * (v.null_rates["moderate"] + v.null_rates["high"] + 0.01)
        assert v.strength in ("none", "low")  # a 1% change is no evidence on this design
    assert a.family_null_rate <= 0.05


def test_a_large_effect_is_high_unless_the_corroborating_method_over_rejects() -> None:
    big = 100 * math.expm1(0.4)  # far beyond every null draw
    impacts = tuple(_impact(i, big, big, half=big / 3) for i in RATES)
    a = _assess(_null_design(), impacts, primary="cla_rate_per_10k")
    assert {v.strength for v in a.verdicts.values()} == {"high"}
    assert a.verdicts["cla_rate_per_10k"].p_adjusted == a.verdicts["cla_rate_per_10k"].p_value
    assert a.verdicts["cpp_rate_per_10k"].p_value == pytest.approx(1 / 601)
    over = _null_design(did_size=120)  # CS-DiD rejects 20%+ of true nulls
    b = _assess(over, impacts)
    assert b.stats["cla_rate_per_10k"]["did"].over_rejects
    assert {v.strength for v in b.verdicts.values()} == {"moderate"}
    for v in b.verdicts.values():
        assert v.null_rates is not None
        assert v.mde_rates is not None
        assert v.null_rates["high"] == 0
        assert v.mde_rates["high"] == 0


def test_few_draws_fall_back_to_nominal_p_values_and_holm() -> None:
    design = _null_design(n=MIN_RANK_DRAWS - 1)
    impacts = (
        replace(
            _impact("cla_rate_per_10k", 5.0, 5.0),
            estimates=(Estimate("synth_pooled", "SC", estimate=5.0, p_value=0.01),),
        ),
        _impact("cpp_rate_per_10k", 1.0, 1.0),
    )
    a = _assess(design, impacts)
    assert a.mode == "nominal"
    assert a.adjustment == "Holm"
    v = a.verdicts["cla_rate_per_10k"]
    assert (v.p_value, v.p_family) == pytest.approx((0.01, 0.02))
    assert v.null_rates is None
    assert v.strength == "moderate"


def test_primary_and_secondary_outcomes(valid_project: Path) -> None:
    settings = load_project(valid_project).settings
    plan = settings.analysis
    stated = settings.model_copy(
        update={
            "analysis": plan.model_copy(
                update={
                    "primary": plan.indicators[1],
                    "secondary": [plan.indicators[0]],
                }
            )
        }
    )
    assert analysed_indicators(stated) == [plan.indicators[1], plan.indicators[0]]
    assert not [p for p in check_settings(stated) if p.code == "CSC-E1306"]
    wrong = settings.model_copy(
        update={
            "analysis": plan.model_copy(
                update={
                    "primary": "cla_rate_per_10k_typo",
                    "secondary": [plan.indicators[0]] * 2,
                }
            )
        }
    )
    problems = [p for p in check_settings(wrong) if p.code == "CSC-E1306"]
    assert [p.column for p in problems] == ["analysis.primary", "analysis.secondary[1]"]
    assert (
        "no primary outcome was pre-specified" in OutcomePlan(None, ("a", "b")).describe().lower()
    )


def test_cache_key_follows_data_and_design() -> None:
    values = np.arange(12, dtype=float).reshape(4, 3)
    panel = DesignPanel("x", SynthPanel(("a", "b", "c"), (1, 2, 3, 4), {"x": values}), (3,))
    key = design_key((panel,), ("a", "b", "c"), ("did",), 50, 0)
    assert key == design_key((panel,), ("a", "b", "c"), ("did",), 50, 0)
    changed = replace(
        panel, panel=SynthPanel(panel.panel.units, panel.panel.times, {"x": values + 1e-9})
    )
    others = [
        design_key((changed,), ("a", "b", "c"), ("did",), 50, 0),
        design_key((replace(panel, adoption_years=(4,)),), ("a", "b", "c"), ("did",), 50, 0),
        design_key((panel,), ("a", "b", "c"), ("did",), 51, 0),
        design_key((panel,), ("a", "b", "c"), ("did",), 50, 1),
    ]
    assert key not in others
    assert len(set(others)) == 4
    design = _null_design(n=5)
    again = DesignDraws.from_json(design.to_json())
    assert again.cached
    assert again.indicators == design.indicators


def test_report_quotes_the_calibrate_project_figures(
    quick_simulated: Callable[[int], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run draws the design calibration (cached: a rerun costs nothing); the command draws
    it afresh into another cache and prints the same sizes, MDEs and verdict rates."""
    monkeypatch.setenv("CSCEVAL_CALIBRATION_DRAWS", str(MIN_RANK_DRAWS + 1))
    monkeypatch.setenv("CSCEVAL_CACHE_DIR", str(tmp_path / "run-cache"))
    project = load_project(quick_simulated(7))
    (run,) = [r for r in analyse_strands(project, only="impact") if r.strand.id == "impact"]
    result: ImpactResult = run.result
    assert result.design is not None
    assert not result.design.cached
    assert len(list((tmp_path / "run-cache").rglob("*.json"))) == 1
    (again,) = [r for r in analyse_strands(project, only="impact") if r.strand.id == "impact"]
    assert again.result.design.cached
    assert again.result.design.key == result.design.key
    monkeypatch.setenv("CSCEVAL_CACHE_DIR", str(tmp_path / "cli-cache"))
    out = CliRunner().invoke(main, ["impact", "calibrate-project", str(project.root), "--json"])
    assert out.exit_code == 0, out.output
    cli = json.loads(out.output)["indicators"]["cla_rate_per_10k"]
    stats = result.stats("cla_rate_per_10k", "did")
    assert stats is not None
    assert stats.tests == MIN_RANK_DRAWS + 1
    did = cli["methods"]["did"]
    assert abs(did["size"] - stats.size) <= stats.size_mc_error + 1e-4
    assert did["mde"] == pytest.approx(100 * math.expm1(stats.mde), abs=1e-3)
    verdict = result.assessment.verdicts["cla_rate_per_10k"]
    assert cli["verdict_rates_null"] == pytest.approx(dict(verdict.null_rates or {}))
    assert cli["verdict_rates_mde"] == pytest.approx(dict(verdict.mde_rates or {}))
    section = render_impact(result, DisclosurePolicy())
    table = section.table("impact-cla_rate_per_10k").table.cells
    assert table["mde"].iloc[0] == f"{did['mde']:.1f}%"
    assert f"{did['size']:.1%} (MC error" in table["size"].iloc[0]
    prose = " ".join(getattr(b, "text", "") for b in section.blocks)
    assert f"{MIN_RANK_DRAWS + 1} null draws" in prose
    assert "No primary outcome was pre-specified" in prose
    assert provenance(project, "test")["outcomes"] == {"primary": None, "secondary": []}


def test_the_answer_follows_the_primary_outcome() -> None:
    heads = [
        Headline(_impact("cpp_rate_per_10k", -8.0, -8.0), -8.0, 4.0, "moderate", "9.1%"),
        Headline(_impact("cla_rate_per_10k", 3.0, 3.0), 3.0, 5.0, "low", "12.0%"),
    ]
    answer = impact_answer(heads, primary="cla_rate_per_10k")
    assert answer is not None
    assert answer.text.startswith("On the primary outcome, children looked after rate rose by 3.0%")
    assert answer.strength == "low"
    assert (
        answer.detectable
        == "This design detects a change of 12.0% or more on it four times in five."
    )
    unstated = impact_answer(heads)
    assert unstated is not None
    assert unstated.strength == "moderate"
    assert "child protection plan rate 9.1%" in unstated.detectable
