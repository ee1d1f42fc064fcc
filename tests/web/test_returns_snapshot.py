"""Approved returns reach analysis snapshots: values within the analysis years, cost lines of
the evaluation's financial years (replacing the imported ledger rows of that LA and year)."""

from __future__ import annotations

import csv
import io

import pytest
from returns_helpers import GOOD_COSTS, GOOD_INDICATORS, OWN, YEAR, filled, make_sites, people

from csceval.web.evaluation.models import EvaluationSetup, ProjectFile
from csceval.web.evaluation.project_io import project_files
from csceval.web.returns import services

pytestmark = pytest.mark.django_db

IMPORTED_LEDGER = (
    "la_code,financial_year,category,item,one_off_or_ongoing,kind,amount_gbp,hours,"
    "unit_cost_gbp,price_year,source\n"
    f"{OWN},2025-26,licences,Old estimate,one_off,cash,1,,,2025-26,Estimate\n"
    f"{OWN},2024-25,travel,Kept,ongoing,cash,50,,,2024-25,Receipts\n"
)


def _setup(last_year: int, financial_years: list[str]) -> None:
    EvaluationSetup.objects.create(
        settings_json={
            "evaluation": {"name": "E", "frameworks": ["F"], "price_year": "2024-25"},
            "periods": {
                "first_year": 2015,
                "last_year": last_year,
                "financial_years": financial_years,
            },
            "analysis": {"indicators": ["cla_rate_per_10k"]},
        }
    )


def _approve() -> None:
    sites, who = make_sites(), people()
    ret = services.start_return(actor=who["coordinator"], site=sites[OWN], year=YEAR)
    parsed = services.upload(
        actor=who["coordinator"],
        ret=ret,
        data=filled(GOOD_INDICATORS, GOOD_COSTS),
        filename="return.xlsx",
    )
    assert not parsed.problems
    services.submit(actor=who["coordinator"], ret=ret)
    services.review(actor=who["evaluator"], ret=ret, approve=True, comment="")


def _ledger(files: dict[str, bytes]) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files["data/cost_ledger.csv"].decode())))


def test_approved_costs_replace_that_years_imported_lines() -> None:
    _setup(YEAR, ["2024-25", "2025-26"])
    ProjectFile.objects.create(
        path="data/cost_ledger.csv", content=IMPORTED_LEDGER.encode(), sha256="x"
    )
    _approve()
    files = project_files()
    items = [(r["financial_year"], r["item"]) for r in _ledger(files)]
    assert items == [
        ("2024-25", "Kept"),
        ("2025-26", "Practice framework licence"),
        ("2025-26", "Cover for training days"),
    ]
    indicators = files["data/indicators.csv"].decode()
    assert f"{OWN},{YEAR},referrals_count,1200" in indicators


def test_years_outside_the_plan_wait_in_the_database() -> None:
    _setup(YEAR - 1, ["2024-25"])
    ProjectFile.objects.create(
        path="data/cost_ledger.csv", content=IMPORTED_LEDGER.encode(), sha256="x"
    )
    _approve()
    files = project_files()
    assert [r["item"] for r in _ledger(files)] == ["Old estimate", "Kept"]
    assert f"{OWN},{YEAR}," not in files["data/indicators.csv"].decode()
