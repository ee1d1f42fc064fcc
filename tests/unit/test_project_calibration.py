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
from csceval.strands.impact.design import design_methods
from csceval.strands.impact.project_calibration import (
    analysed_with,
    project_design,
    write_project_calibration,
)
from csceval.strands.impact.results import calibrated_size
from csceval.strands.impact.section import render_impact
from csceval.strands.impact.strand import analyse_impact


@pytest.fixture(scope="module")
def project(quick_simulated: Callable[[int], Path]) -> Project:
    """One indicator (CLA) and Callaway-Sant'Anna only: a few draws cost a second."""
    return load_project(quick_simulated(5))


def test_calibration_on_the_project_is_quoted_by_the_report(
    project: Project, tmp_path: Path
) -> None:
    design = project_design(project, draws=4, seed=1, cache=False)
    assert design_methods(project) == ("did",)
    assert set(design.indicators) == {"cla_rate_per_10k"}
    assert design.indicators["cla_rate_per_10k"].n_candidates > 20
    copy = tmp_path / "project"
    shutil.copytree(project.root, copy)
    own = load_project(copy)
    path = write_project_calibration(own, analysed_with(own, design))
    assert path == copy / PROJECT_FILE
    reloaded = load_project(copy)
    result = analyse_impact(reloaded)
    assert "this project's comparators" in str(result.calibration["source"])
    drawn = analysed_with(project, design).stats("cla_rate_per_10k", "did")
    assert drawn is not None
    assert calibrated_size(result.calibration, "did", "cla_rate_per_10k") == pytest.approx(
        round(drawn.size, 4)
    )
    section = render_impact(result, DisclosurePolicy())
    assert "this project's comparators" in section.table("impact-cla_rate_per_10k").source
    assert "explicit override" in section.blocks[0].text  # type: ignore[union-attr]


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
    args = ["impact", "calibrate-project", str(copy), "--draws", "3", "--no-cache"]
    result = CliRunner().invoke(main, [*args, "--write"])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    assert "cla_rate_per_10k: did: size" in result.output
    data = json.loads((copy / PROJECT_FILE).read_text(encoding="utf-8"))
    assert set(data["methods"]) == {"did"}
    as_json = CliRunner().invoke(main, [*args, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["draws"] == 3
    missing = CliRunner().invoke(main, ["impact", "calibrate-project", str(tmp_path / "nope")])
    assert missing.exit_code == 2
    assert "CSC-E1001" in missing.output
