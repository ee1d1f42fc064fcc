"""Truth check on the demo's world (seed 2018): the section, and truths equal to recovery's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.pipeline import Evaluation, load_project, policy_of
from csceval.project import Project
from csceval.registry import registered_strands, strand
from csceval.report.model import Figure
from csceval.simulate.world import simulate_world
from csceval.strands import StrandInputs
from csceval.strands.impact.recovery import effect_matrix, truth_of
from csceval.strands.impact.results import ImpactResult
from csceval.strands.truth_check.analysis import TruthCheckResult
from csceval.strands.truth_check.section import TABLE_ID

SEED = 2018


@pytest.fixture(scope="module")
def root(demo_project: Path) -> Path:
    return demo_project  # the seed-2018 demo (SEED), simulated once per test process


@pytest.fixture(scope="module")
def project(demo_evaluation: Evaluation) -> Project:
    return demo_evaluation.project


@pytest.fixture(scope="module")
def impact(demo_evaluation: Evaluation) -> ImpactResult:
    result: ImpactResult = demo_evaluation["impact"]
    return result


@pytest.fixture(scope="module")
def checked(
    project: Project, impact: ImpactResult, demo_evaluation: Evaluation
) -> TruthCheckResult:
    """The pipeline's truth check, which received the impact result as a declared input."""
    assert strand("truth-check").available(StrandInputs.of(project, {"impact": impact}))
    result: TruthCheckResult = demo_evaluation["truth-check"]
    return result


def test_registered_after_impact() -> None:
    ids = [s.id for s in registered_strands()]
    assert ids.index("truth-check") > ids.index("impact")


def test_truths_equal_the_recovery_study_s(impact: ImpactResult, checked: TruthCheckResult) -> None:
    world = simulate_world(SEED)
    by_id = {i.indicator.id: i for i in impact.indicators}
    assert len(checked.rows) == sum(e.estimable for i in impact.indicators for e in i.estimates)
    for row in checked.rows:
        found = by_id[row.indicator]
        assert found.years is not None
        used = {u: impact.adoption[u] for u in found.pilots_used}
        pilots = {row.la_code: used[row.la_code]} if row.la_code else used
        effects = effect_matrix(world, row.indicator, found.scale)
        expected = truth_of(row.method, effects, pilots, found.years, found.scale)
        # truth.json holds the expected effect; recovery differences the drawn counts, which
        # round to whole children: a few hundredths pooled, up to ~0.2 on one pilot's counts
        tolerance = 0.25 if row.la_code else 0.03
        assert row.truth == pytest.approx(expected, abs=tolerance), (row.indicator, row.method)
        assert row.note == ""  # the documented rule rebuilt the pilots the strand used


def test_demo_world_is_an_unlucky_draw(checked: TruthCheckResult) -> None:
    luck = checked.luck
    assert (luck.intervals, luck.covered, luck.signed, luck.sign_right) == (20, 14, 12, 2)
    assert luck.unlucky
    assert "unlucky" in checked.summary()
    frame = checked.to_frame()
    headline = frame[(frame["method"] == "random_trend") & (frame["la_code"] == "")]
    assert headline.set_index("indicator")["covered"].to_dict() == {
        "referral_rate_per_10k": True,
        "rereferral_within_12m_pct": True,
        "cin_rate_per_10k": True,
        "cpp_rate_per_10k": True,
        "cla_rate_per_10k": False,
    }


def test_section_has_the_table_forest_plots_and_findings(
    project: Project, checked: TruthCheckResult
) -> None:
    section = strand("truth-check").render(checked, policy_of(project))
    assert section.id == "truth-check"
    table = section.table(TABLE_ID)
    assert len(table.table.cells) == 20
    assert list(table.table.cells["covered"]).count("yes") == 14
    figures = [b for b in section.blocks if isinstance(b, Figure)]
    assert len(figures) == 5
    assert all(f.table_id == TABLE_ID for f in figures)
    text = " ".join(f.text for f in section.findings)
    assert "14 of 20 95% intervals cover the true effect" in text
    for phrase in ("wrong sign", "unlucky draw", "1 world in"):
        assert phrase in text


def _copy(root: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "project"
    shutil.copytree(root, copy)
    return copy


def test_a_real_project_has_no_section(root: Path, tmp_path: Path, impact: ImpactResult) -> None:
    copy = _copy(root, tmp_path)
    toml = copy / "evaluation.toml"
    toml.write_text(toml.read_text().replace("synthetic = true", "synthetic = false"))
    real = load_project(copy)
    assert not real.settings.evaluation.synthetic
    assert not strand("truth-check").available(StrandInputs.of(real, {"impact": impact}))


def test_broken_truth_json_is_a_coded_problem_at_load(root: Path, tmp_path: Path) -> None:
    copy = _copy(root, tmp_path)
    (copy / "truth.json").write_text('{"synthetic": true, "effects": [')
    result = CliRunner().invoke(main, ["validate", str(copy)])
    assert result.exit_code == 2, result.output
    assert "CSC-E3701" in result.output
    assert "Traceback" not in result.output
