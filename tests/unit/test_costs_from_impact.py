"""The cost-benefit analysis driven by the impact strand's estimates (issue 22, item 1).

A hand-made impact result (anything with ``to_frame()``) is passed as the consumed result, on
the valid fixture (pilot 401, adoption year 2018, 297 children looked after at 31 March 2017).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.pipeline import load_project, policy_of
from csceval.project import Project
from csceval.project.load import load_settings
from csceval.registry import registered_strands
from csceval.report.model import Prose
from csceval.strands.child_impact.result import ChildImpactResult, OutcomeEstimate
from csceval.strands.costs.analysis import CostsResult, analyse_costs, analyse_costs_strand
from csceval.strands.costs.cba import ActivityChange, BenefitLine, CBAModel
from csceval.strands.costs.from_impact import log_scale
from csceval.strands.costs.psa import run_psa
from csceval.strands.costs.section import render_costs
from csceval.strands.costs.tables import ACTIVITY_CHANGES, COST_LEDGER
from csceval.strands.strand import StrandInputs

BASELINE = 297.0  # cla_count_31mar of pilot 401 in 2017, the year before its adoption (2018)


class Impact:
    """A stand-in for the impact result: its public frame and nothing else."""

    def __init__(self, *rows: tuple[str, float, float, float]) -> None:
        self.frame = pd.DataFrame(
            [
                {"indicator": i, "title": i, "scale": "log", "unit": "% change",
                 "method": "synth_pooled", "estimate": e, "low": lo, "high": hi,
                 "p_value": 0.5, "estimable": math.isfinite(e), "n_pilots": 1,
                 "headline": True}
                for i, e, lo, hi in rows
            ]
        )  # fmt: skip

    def to_frame(self) -> pd.DataFrame:
        return self.frame

    def summary(self) -> str:
        return "stand-in"


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cba") / "project"
    shutil.copytree(Path(__file__).parents[1] / "fixtures" / "valid_project", root)
    (root / COST_LEDGER.file).write_text(
        ",".join(COST_LEDGER.column_names) + "\n"
        "401,2017-18,licences,Licence,one_off,cash,400000,,,2017-18,Invoice\n"
        "401,2018-19,licences,Licence,ongoing,cash,50000,,,2018-19,Invoice\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(scope="module")
def project(root: Path) -> Project:
    return load_project(root)


def _cla(estimate: float, low: float, high: float) -> Impact:
    return Impact(("cla_rate_per_10k", estimate, low, high))


def test_the_strand_consumes_the_impact_result() -> None:
    strand = next(s for s in registered_strands() if s.id == "costs")
    assert strand.consumes == ("impact", "child-impact")


def test_flipping_the_estimate_flips_the_central_npv(project: Project) -> None:
    down = analyse_costs(project, impact=_cla(-20.0, -30.0, -10.0))
    up = analyse_costs(project, impact=_cla(+20.0, +10.0, +30.0))
    assert down.cba is not None
    assert up.cba is not None
    assert down.model is not None
    (line,) = down.model.lines
    assert line.change.activity == "looked_after_child_year"
    assert line.change.change == pytest.approx(-0.2 * BASELINE)
    assert line.change.interval() == pytest.approx((-0.3 * BASELINE, -0.1 * BASELINE))
    assert down.cba.npv > 0 > up.cba.npv
    assert down.cba.pv_benefits == pytest.approx(-up.cba.pv_benefits)
    assert down.psa is not None
    assert up.psa is not None
    assert down.psa.prob_benefits_exceed_costs > 0.95 > 0.05 > up.psa.prob_benefits_exceed_costs
    text = " ".join(f.text for f in render_costs(up, policy_of(project)).findings)
    assert "costs, not savings" in text


def test_the_savings_follow_the_headline_row_whatever_its_method(project: Project) -> None:
    """A plan without the synthetic control has Callaway-Sant'Anna as its headline: the savings
    follow that row, not another method's beside it."""
    impact = _cla(-20.0, -30.0, -10.0)
    did = impact.frame.assign(method="did")
    other = impact.frame.assign(method="random_trend", estimate=5.0, low=1.0, high=9.0,
                                headline=False)  # fmt: skip
    impact.frame = pd.concat([other, did], ignore_index=True)
    model = analyse_costs(project, impact=impact).model
    assert model is not None
    (line,) = model.lines
    assert line.change.change == pytest.approx(-0.2 * BASELINE)


def test_a_null_impact_costs_the_implementation_and_straddles_zero(project: Project) -> None:
    result = analyse_costs(project, impact=_cla(0.0, -10.0, 10.0))
    assert result.cba is not None
    assert result.psa is not None
    assert result.cba.pv_benefits == 0.0
    assert result.cba.npv == pytest.approx(-result.cba.pv_costs)
    low, high = result.psa.npv_interval()
    assert low < 0 < high
    assert 0.05 < float(np.mean(result.psa.pv_benefits < 0)) < 0.95


def test_the_override_wins_and_is_named_as_an_assumption(root: Path, tmp_path: Path) -> None:
    override = {"activity": "looked_after_child_year", "change": -5, "se": 2,
                "source": "Local audit of care entries", "la_code": ""}  # fmt: skip
    copy = Path(shutil.copytree(root, tmp_path / "project"))
    pd.DataFrame([override]).to_csv(copy / ACTIVITY_CHANGES.file, index=False)
    project = load_project(copy)
    result = analyse_costs_strand(StrandInputs.of(project, {"impact": _cla(+20.0, +10.0, +30.0)}))
    assert result.model is not None
    (line,) = result.model.lines
    assert (line.change.change, line.change.source) == (-5.0, "Local audit of care entries")
    assert result.overridden == ("looked_after_child_year",)
    section = render_costs(result, policy_of(project))
    prose = " ".join(b.text for b in section.blocks if isinstance(b, Prose))
    assert "entered by the evaluator, not estimated" in prose
    assert section.table("cba-lines").table.cells["origin"].str.startswith("Assumption").all()


def test_without_impact_the_savings_are_unknown(project: Project) -> None:
    result = analyse_costs_strand(StrandInputs.of(project))
    assert result.cba is None
    assert result.psa is None
    assert result.total_cost > 0
    assert "savings are unknown" in result.summary()
    section = render_costs(result, policy_of(project))
    assert any("savings are unknown" in f.text for f in section.findings)
    assert "costs-by-site" in {t.id for t in section.tables}


def test_estimates_that_cannot_be_valued_are_noted_not_invented(project: Project) -> None:
    impact = Impact(
        ("cla_rate_per_10k", math.nan, math.nan, math.nan),
        ("referral_rate_per_10k", -10.0, -20.0, 0.0),
    )
    result = analyse_costs(project, impact=impact)
    assert result.cba is None
    assert len(result.change_notes) == 2
    assert "no unit cost" in result.change_notes[1]
    assert "no impact estimate could be turned" in result.summary()


def test_psa_draws_relative_changes_on_the_log_scale() -> None:
    mu, se = log_scale(-20.0, -30.0, -10.0)
    assert mu == pytest.approx(math.log(0.8))
    change = ActivityChange.relative("a", 100.0, mu, se, "t")
    model = CBAModel(
        np.array([0.0, 0.0]), (BenefitLine(change, "u", 10.0, 0.0, "t"),), np.array([0.0, 1.0])
    )
    psa = run_psa(model, 20_000, seed=5)
    expected = -100.0 * (math.exp(mu + se**2 / 2) - 1) * 10.0 * model.annuity
    assert psa.pv_benefits.mean() == pytest.approx(expected, rel=0.01)
    assert float(np.median(psa.pv_benefits)) == pytest.approx(model.evaluate().pv_benefits, 0.01)


def test_result_records_its_inputs(project: Project) -> None:
    result: CostsResult = analyse_costs(project, impact=_cla(-20.0, -30.0, -10.0))
    assert result.impact_given
    assert result.overridden == ()
    assert result.model is not None
    assert "impact estimate of cla_rate_per_10k" in result.model.lines[0].change.source


def _child(estimate: float, half: float = 2.0) -> ChildImpactResult:
    """A child-level result with one headline estimate of entry to care (percentage points),
    400 treated pilot children a year."""
    entry = OutcomeEstimate(
        "cla_12m", "cem", estimate, half / 1.96, estimate - half, estimate + half, 0.01, 0.02,
        "webb", 999, 3, 6, 5000, 1200, 400.0, 8.0,
    )  # fmt: skip
    empty = pd.DataFrame()
    return ChildImpactResult((entry,), empty, empty, empty, empty, ("401",), ("402",), (2018,))


def _child_level(root: Path, tmp_path: Path, source: str) -> Path:
    copy = Path(shutil.copytree(root, tmp_path / "project"))
    toml = copy / "evaluation.toml"
    toml.write_text(toml.read_text() + f'\n[costs]\nactivity_source = "{source}"\n')
    return copy


def test_the_child_level_source_moves_the_npv_with_the_child_level_estimate(
    root: Path, tmp_path: Path
) -> None:
    project = load_project(_child_level(root, tmp_path, "child-level"))
    la_level = _cla(+20.0, +10.0, +30.0)  # the other source, pointing the other way: ignored
    results = {}
    for sign in (-1.0, +1.0):
        given = {"impact": la_level, "child-impact": _child(sign * 3.0)}
        results[sign] = analyse_costs_strand(StrandInputs.of(project, given))
    fewer, more = results[-1.0], results[+1.0]
    assert fewer.cba is not None
    assert more.cba is not None
    assert fewer.model is not None
    (line,) = fewer.model.lines
    assert line.change.activity == "care_entry"
    assert line.change.change == pytest.approx(-0.03 * 400)
    assert line.change.se == pytest.approx(2.0 / 1.96 / 100 * 400)
    assert fewer.cba.npv > 0 > more.cba.npv
    assert fewer.cba.pv_benefits == pytest.approx(-more.cba.pv_benefits)
    prose = " ".join(
        b.text for b in render_costs(fewer, policy_of(project)).blocks if isinstance(b, Prose)
    )
    assert "child-level matched difference-in-differences (strand child-impact)" in prose
    assert 'activity_source = "child-level"' in prose
    la = analyse_costs_strand(StrandInputs.of(load_project(root), {"impact": la_level}))
    assert la.model is not None
    assert [x.change.activity for x in la.model.lines] == ["looked_after_child_year"]


def test_the_child_level_source_without_its_result_has_no_cba(root: Path, tmp_path: Path) -> None:
    project = load_project(_child_level(root, tmp_path, "child-level"))
    result = analyse_costs_strand(StrandInputs.of(project, {"impact": _cla(-20.0, -30.0, -10.0)}))
    assert result.cba is None
    assert "child-level impact strand did not run" in result.summary()


@pytest.mark.parametrize("source", ["both", "la-level,child-level", "child"])
def test_one_activity_source_only(root: Path, tmp_path: Path, source: str) -> None:
    settings, problems = load_settings(_child_level(root, tmp_path, source))
    assert settings is None
    assert [p.column for p in problems if p.severity == "error"] == ["costs.activity_source"]
