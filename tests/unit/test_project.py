"""Loading and validating evaluation projects, including every broken fixture."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from csceval.cli import main
from csceval.errors import InputError
from csceval.pipeline import load_project, validate_project

BROKEN = sorted((Path(__file__).parents[1] / "fixtures" / "broken").iterdir())


def test_valid_fixture_loads(valid_project: Path) -> None:
    project = load_project(valid_project)
    assert [s.la_code for s in project.pilots] == ["401"]
    indicators = project.table("indicators")
    suppressed = indicators[indicators["value_symbol"] == "c"]
    assert len(suppressed) > 0
    assert suppressed["value"].isna().all()
    assert set(project.input_files()) >= {"evaluation.toml", "data/indicators.csv"}


def test_there_are_at_least_twenty_broken_fixtures() -> None:
    assert len(BROKEN) >= 20


@pytest.mark.parametrize("fixture", BROKEN, ids=[p.name for p in BROKEN])
def test_broken_fixture_gives_its_coded_problem(fixture: Path) -> None:
    expected = json.loads((fixture / "expected.json").read_text())
    problems = validate_project(fixture)
    matches = [p for p in problems if p.code == expected["code"]]
    assert matches, f"expected {expected['code']}, got {[p.render() for p in problems]}"
    problem = matches[0]
    for key in ("file", "row", "column", "value"):
        if key in expected:
            assert getattr(problem, key) == expected[key], problem.render()
    assert problem.message


@pytest.mark.parametrize("fixture", BROKEN[:25], ids=[p.name for p in BROKEN[:25]])
def test_cli_validate_exits_2_without_traceback(fixture: Path) -> None:
    expected = json.loads((fixture / "expected.json").read_text())
    result = CliRunner().invoke(main, ["validate", str(fixture)])
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)
    assert expected["code"] in result.output
    assert "Traceback" not in result.output


def test_cli_validate_accepts_a_valid_project(valid_project: Path) -> None:
    result = CliRunner().invoke(main, ["validate", str(valid_project)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_missing_folder_is_a_coded_problem(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_project(tmp_path / "nowhere")
    assert [p.code for p in caught.value.problems] == ["CSC-E1001"]


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path, valid_project: Path) -> None:
    project = tmp_path / "p"
    shutil.copytree(valid_project, project)
    toml = project / "evaluation.toml"
    text = toml.read_text().replace('la_code = "401"', 'la_code = "4011"')
    toml.write_text(text.replace('"2017-18"', '"2017/18"'))
    indicators = project / "data" / "indicators.csv"
    indicators.write_text(indicators.read_text().replace(",217\n", ",abc\n"))
    codes = {p.code for p in validate_project(project)}
    assert {"CSC-E1101", "CSC-E1202", "CSC-E2005"} <= codes


def _copy(valid_project: Path, tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    return root


def test_declared_files_are_parsed_at_load_and_hashed(valid_project: Path, tmp_path: Path) -> None:
    """A strand's file is read once, when the project loads; analyse never reads the disk."""
    from csceval.registry import strand
    from csceval.strands import StrandInputs

    root = _copy(valid_project, tmp_path)
    own = (Path(__file__).parents[2] / "src/csceval/strands/implementation/defaults").glob(
        "theory*"
    )
    (root / "theory_of_change.toml").write_bytes(next(own).read_bytes())
    project = load_project(root)
    assert project.file("theory_of_change") is not None
    assert project.file("impact_calibration") is None  # absent: None, not a read later
    assert "theory_of_change.toml" in project.input_files()
    (root / "theory_of_change.toml").unlink()  # gone from disk: the parsed value is what counts
    inputs = StrandInputs.of(project)
    assert strand("implementation").available(inputs)
    assert not hasattr(inputs, "root")


def test_an_oversized_declared_file_is_refused_before_it_is_read(
    valid_project: Path, tmp_path: Path
) -> None:
    from csceval.project.declarations import MAX_FILE_BYTES

    root = _copy(valid_project, tmp_path)
    with (root / "impact_calibration.json").open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    problems = validate_project(root)
    assert [(p.code, p.file) for p in problems] == [("CSC-E2020", "impact_calibration.json")]
