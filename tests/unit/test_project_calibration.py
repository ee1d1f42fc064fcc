"""Calibrating the report's impact tests on a project's own comparators, and quoting it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.disclosure import DisclosurePolicy
from csceval.errors import InputError
from csceval.pipeline import load_project
from csceval.project import Project
from csceval.strands.impact.calibration_file import PROJECT_FILE
from csceval.strands.impact.project_calibration import (
    calibrate_project,
    project_methods,
    write_project_calibration,
)
from csceval.strands.impact.results import calibrated_size
from csceval.strands.impact.section import render_impact
from csceval.strands.impact.strand import HEADLINE_INDICATORS, analyse_impact


@pytest.fixture(scope="module")
def project(simulated: Callable[[int], Path]) -> Project:
    return load_project(simulated(5))


def test_calibration_on_the_project_is_quoted_by_the_report(
    project: Project, tmp_path: Path
) -> None:
    assert project_methods(project) == ("synth_pooled", "synth_rmspe", "did", "sdid")
    done: list[tuple[str, int]] = []
    results = calibrate_project(
        project, n_draws=4, sdid_draws=2, seed=1, progress=lambda i, d: done.append((i, d))
    )
    assert {r.outcome for r in results} == set(HEADLINE_INDICATORS)
    assert all(r.n_candidates > 20 for r in results)
    assert {(r.outcome, r.n_draws) for r in results if "sdid" in r.methods} == {
        (i, 2) for i in HEADLINE_INDICATORS
    }
    assert done[-1][1] == 2
    copy = tmp_path / "project"
    shutil.copytree(project.root, copy)
    own = load_project(copy)
    path = write_project_calibration(own, results)
    assert path == copy / PROJECT_FILE
    reloaded = load_project(copy)
    result = analyse_impact(reloaded)
    assert "this project's comparators" in str(result.calibration["source"])
    cin = next(r for r in results if r.outcome == "cin_rate_per_10k" and "did" in r.methods)
    assert calibrated_size(result.calibration, "did", "cin_rate_per_10k") == pytest.approx(
        round(cin.methods["did"].size, 4)
    )
    section = render_impact(result, DisclosurePolicy())
    assert "this project's comparators" in section.table("impact-cin_rate_per_10k").source


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"methods": {"bogus": {"size": {}}}}', "unknown"),
        ('{"methods": {"did": {"size": {"cin_rate_per_10k": 7}}}}', "share between 0 and 1"),
        ("[]", 'no "methods" object'),
    ],
)
def test_a_broken_calibration_file_is_a_coded_problem(
    project: Project, tmp_path: Path, text: str, message: str
) -> None:
    copy = tmp_path / "project"
    shutil.copytree(project.root, copy)
    (copy / PROJECT_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_project(copy)
    (problem,) = [p for p in caught.value.problems if p.code == "CSC-E7107"]
    assert message in problem.message
    assert problem.file == PROJECT_FILE
    result = CliRunner().invoke(main, ["validate", str(copy)])
    assert result.exit_code == 2
    assert "CSC-E7107" in result.output
    assert "Traceback" not in result.output


def test_calibrate_project_command(project: Project, tmp_path: Path) -> None:
    copy = tmp_path / "project"
    shutil.copytree(project.root, copy)
    args = ["impact", "calibrate-project", str(copy), "--draws", "2", "--sdid-draws", "1"]
    result = CliRunner().invoke(main, [*args, "--write"])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    data = json.loads((copy / PROJECT_FILE).read_text(encoding="utf-8"))
    assert set(data["methods"]) == {"synth_pooled", "synth_rmspe", "did", "sdid"}
    as_json = CliRunner().invoke(main, [*args, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert len(json.loads(as_json.output)["results"]) == 2 * len(HEADLINE_INDICATORS)
    missing = CliRunner().invoke(main, ["impact", "calibrate-project", str(tmp_path / "nope")])
    assert missing.exit_code == 2
    assert "CSC-E1001" in missing.output
