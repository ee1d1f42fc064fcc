"""Bad cost tables are rejected with coded problems pointing at the row and column (or cell).

Broken projects are generated here from the valid fixture: one ledger, unit-cost, activity-change
or deflator file per test, each with one mistake, and one test per code CSC-E3001..E3014.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from openpyxl import Workbook

from csceval.errors import InputError, Problem
from csceval.pipeline import load_project, validate_project
from csceval.strands.costs.ledger import read_ledger_xlsx
from csceval.strands.costs.tables import ACTIVITY_CHANGES, COST_LEDGER, DEFLATORS, UNIT_COSTS

GOOD = {
    "la_code": "401",
    "financial_year": "2017-18",
    "category": "practitioner_training",
    "item": "Two-day workshop",
    "one_off_or_ongoing": "one_off",
    "kind": "time",
    "amount_gbp": "",
    "hours": "1400",
    "unit_cost_gbp": "45",
    "price_year": "2017-18",
    "source": "Timesheets",
}
CASH = {**GOOD, "category": "licences", "kind": "cash", "amount_gbp": "12000", "hours": "",
        "unit_cost_gbp": "", "one_off_or_ongoing": "ongoing", "item": "Licence"}  # fmt: skip


def _write(path: Path, columns: tuple[str, ...], rows: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def project(tmp_path: Path, valid_project: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(valid_project, root)
    _write(root / COST_LEDGER.file, COST_LEDGER.column_names, [GOOD, CASH])
    return root


def _only(root: Path) -> Problem:
    problems = validate_project(root)
    assert len(problems) == 1, [p.render() for p in problems]
    return problems[0]


def _ledger(root: Path, **changes: str) -> Problem:
    _write(root / COST_LEDGER.file, COST_LEDGER.column_names, [GOOD, {**CASH, **changes}])
    return _only(root)


def test_the_valid_ledger_loads(project: Path) -> None:
    loaded = load_project(project)
    assert len(loaded.table("cost_ledger")) == 2


def test_e3001_unknown_category(project: Path) -> None:
    p = _ledger(project, category="catering")
    assert (p.code, p.file, p.row, p.column, p.value) == (
        "CSC-E3001", "data/cost_ledger.csv", 3, "category", "catering"
    )  # fmt: skip


def test_e3002_negative_hours(project: Path) -> None:
    _write(project / COST_LEDGER.file, COST_LEDGER.column_names, [{**GOOD, "hours": "-5"}])
    p = _only(project)
    assert (p.code, p.row, p.column, p.value) == ("CSC-E3002", 2, "hours", "-5")


def test_e3003_missing_price_year(project: Path) -> None:
    p = _ledger(project, price_year="")
    assert (p.code, p.row, p.column) == ("CSC-E3003", 3, "price_year")


def test_e3004_price_year_not_covered_or_malformed(project: Path) -> None:
    p = _ledger(project, price_year="2001-02")
    assert (p.code, p.column, p.value) == ("CSC-E3004", "price_year", "2001-02")
    assert _ledger(project, price_year="2017/18").code == "CSC-E3004"


def test_e3005_year_outside_the_evaluation(project: Path) -> None:
    p = _ledger(project, financial_year="2020-21")
    assert (p.code, p.row, p.column, p.value) == ("CSC-E3005", 3, "financial_year", "2020-21")


def test_e3006_kind_or_timing_unknown(project: Path) -> None:
    assert _ledger(project, one_off_or_ongoing="sometimes").column == "one_off_or_ongoing"
    p = _ledger(project, kind="barter")
    assert (p.code, p.column) == ("CSC-E3006", "kind")


def test_e3007_cash_row_without_amount(project: Path) -> None:
    p = _ledger(project, amount_gbp="")
    assert (p.code, p.column) == ("CSC-E3007", "amount_gbp")


def test_e3008_missing_source(project: Path) -> None:
    p = _ledger(project, source="")
    assert (p.code, p.column) == ("CSC-E3008", "source")


def test_e3009_not_a_pilot(project: Path) -> None:
    p = _ledger(project, la_code="402")  # a contrast site in the fixture
    assert (p.code, p.column, p.value) == ("CSC-E3009", "la_code", "402")


def _xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ledger"
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _numbers(row: dict[str, str]) -> list[object]:
    return [float(v) if k in ("amount_gbp", "hours", "unit_cost_gbp") and v else v or None
            for k, v in row.items()]  # fmt: skip


def test_xlsx_import_reads_a_good_ledger(project: Path, tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "l.xlsx", list(COST_LEDGER.column_names), [_numbers(GOOD)])
    frame = read_ledger_xlsx(path, load_project(project).settings)
    assert frame["hours"].tolist() == [1400.0]


def test_xlsx_problem_names_sheet_and_cell(project: Path, tmp_path: Path) -> None:
    bad = _numbers({**GOOD, "hours": "-3"})
    path = _xlsx(tmp_path / "l.xlsx", list(COST_LEDGER.column_names), [_numbers(GOOD), bad])
    with pytest.raises(InputError) as caught:
        read_ledger_xlsx(path, load_project(project).settings)
    (p,) = caught.value.problems
    assert (p.code, p.sheet, p.cell, p.column) == ("CSC-E3002", "Ledger", "H3", "hours")
    assert "sheet Ledger, cell H3" in p.render()


def test_e3010_unreadable_workbook_or_sheet(project: Path, tmp_path: Path) -> None:
    settings = load_project(project).settings
    junk = tmp_path / "junk.xlsx"
    junk.write_text("not a workbook")
    with pytest.raises(InputError) as caught:
        read_ledger_xlsx(junk, settings)
    assert caught.value.problems[0].code == "CSC-E3010"
    path = _xlsx(tmp_path / "l.xlsx", list(COST_LEDGER.column_names), [_numbers(GOOD)])
    with pytest.raises(InputError) as caught:
        read_ledger_xlsx(path, settings, sheet="Costs")
    assert caught.value.problems[0].code == "CSC-E3010"


def test_e3011_missing_column_in_the_sheet(project: Path, tmp_path: Path) -> None:
    header = [c for c in COST_LEDGER.column_names if c != "category"]
    path = _xlsx(tmp_path / "l.xlsx", header, [])
    with pytest.raises(InputError) as caught:
        read_ledger_xlsx(path, load_project(project).settings)
    (p,) = caught.value.problems
    assert (p.code, p.column) == ("CSC-E3011", "category")


def test_xlsx_type_errors_point_at_the_cell(project: Path, tmp_path: Path) -> None:
    row = _numbers(GOOD)
    row[7] = "lots"
    path = _xlsx(tmp_path / "l.xlsx", list(COST_LEDGER.column_names), [row])
    with pytest.raises(InputError) as caught:
        read_ledger_xlsx(path, load_project(project).settings)
    assert [(p.code, p.cell) for p in caught.value.problems] == [("CSC-E2005", "H2")]


def _changes(root: Path, **changes: str) -> Problem:
    row = {"activity": "looked_after_child_year", "change": "-3", "se": "1.5", "source": "DiD",
           "la_code": ""}  # fmt: skip
    _write(root / ACTIVITY_CHANGES.file, ACTIVITY_CHANGES.column_names, [{**row, **changes}])
    return _only(root)


def test_e3012_activity_without_unit_cost(project: Path) -> None:
    p = _changes(project, activity="hugs")
    assert (p.code, p.file, p.row, p.column) == (
        "CSC-E3012", "data/activity_changes.csv", 2, "activity"
    )  # fmt: skip


def test_e3013_negative_standard_error(project: Path) -> None:
    p = _changes(project, se="-1")
    assert (p.code, p.column) == ("CSC-E3013", "se")


def test_e3009_activity_change_for_a_non_pilot(project: Path) -> None:
    assert _changes(project, la_code="402").code == "CSC-E3009"


def test_e3014_unit_cost_or_index_not_positive(project: Path) -> None:
    row = {"activity": "x", "unit": "week", "cost_gbp": "0", "price_year": "2017-18",
           "source": "s", "se_gbp": ""}  # fmt: skip
    _write(project / UNIT_COSTS.file, UNIT_COSTS.column_names, [row])
    p = _only(project)
    assert (p.code, p.file, p.column) == ("CSC-E3014", "data/unit_costs.csv", "cost_gbp")
    (project / UNIT_COSTS.file).unlink()
    _write(project / DEFLATORS.file, DEFLATORS.column_names,
           [{"financial_year": "2017-18", "index": "-1", "source": "s"}])  # fmt: skip
    assert _only(project).code == "CSC-E3014"
