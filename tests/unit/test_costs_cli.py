"""``csceval costs check`` and ``csceval costs workbook``, and the optional ``[costs]`` settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from csceval.cli import main
from csceval.pipeline import load_project, validate_project
from csceval.strands.costs.tables import COST_LEDGER

ROW = ["401", "2017-18", "licences", "Licence", "ongoing", "cash", 12000, None, None, "2017-18",
       "Invoice"]  # fmt: skip


def _ledger(path: Path, *rows: list[object]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Costs"
    ws.append(list(COST_LEDGER.column_names))
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_check_accepts_a_good_ledger(valid_project: Path, tmp_path: Path) -> None:
    path = _ledger(tmp_path / "ledger.xlsx", ROW)
    result = CliRunner().invoke(
        main, ["costs", "check", str(path), "--project", str(valid_project)]
    )
    assert result.exit_code == 0, result.output
    assert "1 ledger rows" in result.output


def test_check_names_the_cell_of_each_problem(valid_project: Path, tmp_path: Path) -> None:
    bad = [*ROW[:2], "catering", *ROW[3:]]
    path = _ledger(tmp_path / "ledger.xlsx", ROW, bad)
    result = CliRunner().invoke(
        main, ["costs", "check", str(path), "--project", str(valid_project)]
    )
    assert result.exit_code != 0
    assert "CSC-E3001" in result.output
    assert "sheet Costs, cell C3" in result.output


def test_workbook_command_writes_the_audit_workbook(valid_project: Path, tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    (root / COST_LEDGER.file).write_text(
        ",".join(COST_LEDGER.column_names) + "\n"
        "401,2017-18,licences,Licence,ongoing,cash,12000,,,2017-18,Invoice\n",
        encoding="utf-8",
    )
    out = tmp_path / "costs.xlsx"
    result = CliRunner().invoke(main, ["costs", "workbook", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    value = load_workbook(out)["Ledger"]["O2"].value
    assert value == pytest.approx(12000 * _factor(root), rel=1e-12)


def _factor(root: Path) -> float:
    from csceval.strands.costs.inputs import deflator_of

    return deflator_of(load_project(root).tables).factor("2017-18", "2019-20")


def test_costs_settings_are_optional_and_checked(valid_project: Path, tmp_path: Path) -> None:
    assert load_project(valid_project).settings.costs.horizon_years == 10
    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    toml = root / "evaluation.toml"
    toml.write_text(toml.read_text() + "\n[costs]\nhorizon_years = 0\n", encoding="utf-8")
    (problem,) = validate_project(root)
    assert (problem.code, problem.column) == ("CSC-E1006", "costs.horizon_years")


def test_workbook_command_without_a_ledger_is_a_coded_refusal(
    valid_project: Path, tmp_path: Path
) -> None:
    out = tmp_path / "costs.xlsx"
    result = CliRunner().invoke(main, ["costs", "workbook", str(valid_project), "--out", str(out)])
    assert result.exit_code == 2
    assert "CSC-E3015" in result.output
    assert not out.exists()


def test_the_workbook_runs_costs_with_the_strands_it_consumes_only(valid_project: Path) -> None:
    from csceval.pipeline import analyse_strands

    runs = analyse_strands(load_project(valid_project), only="costs")
    assert [run.strand.id for run in runs] == ["impact", "child-impact", "costs"]
