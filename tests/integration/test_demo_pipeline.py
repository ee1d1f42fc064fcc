"""End to end: broken projects or outputs get coded problems.

The demo's own checks (outputs, England rate, validation) run on the session's demo run in
tests/integration/test_report_demo.py; reproducible simulation is in tests/unit/test_simulate.py
and reproducible runs in tests/unit/test_api.py."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from csceval.cli import main


def test_run_on_a_broken_project_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    broken = Path(__file__).parents[1] / "fixtures" / "broken" / "unknown_role"
    result = CliRunner().invoke(main, ["run", str(broken), "--out", str(tmp_path / "o"), "--quiet"])
    assert result.exit_code == 2
    assert "CSC-E1108" in result.output
    assert not (tmp_path / "o").exists()


def test_simulate_refuses_a_folder_with_other_content(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["simulate", "--out", str(tmp_path), "--quiet"])
    assert result.exit_code == 2
    assert "CSC-E5001" in result.output


def test_run_into_a_file_is_a_coded_problem(tmp_path: Path) -> None:
    target = tmp_path / "a-file"
    target.write_text("not a folder")
    valid = Path(__file__).parents[1] / "fixtures" / "valid_project"
    result = CliRunner().invoke(main, ["run", str(valid), "--out", str(target), "--quiet"])
    assert result.exit_code == 2
    assert "CSC-E5002" in result.output


def test_simulate_under_a_file_is_a_coded_problem(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    result = CliRunner().invoke(
        main, ["simulate", "--out", str(tmp_path / "a-file" / "p"), "--quiet"]
    )
    assert result.exit_code == 2
    assert "CSC-E5002" in result.output
