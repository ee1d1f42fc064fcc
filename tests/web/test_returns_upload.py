"""The upload reader on damaged templates, and the all-or-nothing write with its audit event."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import load_workbook
from returns_helpers import GOOD_COSTS, GOOD_INDICATORS, OWN, YEAR, filled, make_sites, people

from csceval.web.audit_trail.models import AuditEvent
from csceval.web.returns import layout, services
from csceval.web.returns.models import PilotReturn, ReturnValue
from csceval.web.returns.upload import read_upload

pytestmark = pytest.mark.django_db


def _edited(change: Callable[[Any], None]) -> bytes:
    wb = load_workbook(io.BytesIO(filled(GOOD_INDICATORS, GOOD_COSTS)))
    change(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _set(sheet: str, cell: str, value: Any) -> Callable[[Any], None]:
    def change(wb: Any) -> None:
        wb[sheet][cell] = value

    return change


def _rename(wb: Any) -> None:
    wb["Costs"].title = "Spending"


def _extra_rows(wb: Any) -> None:
    ws = wb[layout.INDICATORS_SHEET]
    ws.cell(row=len(layout.return_indicators()) + 2, column=1, value="my_own_indicator")


def _duplicate(wb: Any) -> None:
    ws = wb[layout.INDICATORS_SHEET]
    ws["A3"] = ws["A2"].value


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (_rename, [("CSC-E6103", "")]),
        (_set(layout.INDICATORS_SHEET, "E1", "Number"), [("CSC-E6104", "E1")]),
        (_set(layout.COSTS_SHEET, "B1", "Notes"), [("CSC-E6104", "B1")]),
        (_set(layout.INDICATORS_SHEET, "A5", "made_up"), [("CSC-E6106", "A5")]),
        (_duplicate, [("CSC-E6110", "A3")]),
        (_extra_rows, [("CSC-E6111", f"A{len(layout.return_indicators()) + 2}")]),
        (_set(layout.COSTS_SHEET, f"A{layout.COST_ROWS + 2}", "Travel"), [("CSC-E6111", "A202")]),
        (_set(layout.COSTS_SHEET, "E2", None), [("CSC-E6115", "E2")]),
        (_set(layout.COSTS_SHEET, "D2", None), [("CSC-E6114", "D2")]),
        (_set(layout.COSTS_SHEET, "B2", "x" * 501), [("CSC-E6116", "B2")]),
        (_set(layout.INDICATORS_SHEET, "E4", 12.34567), [("CSC-E6109", "E4")]),
    ],
)
def test_damaged_templates_are_reported_by_sheet_and_cell(
    change: Callable[[Any], None], expected: list[tuple[str, str]]
) -> None:
    parsed = read_upload(_edited(change), filename="r.xlsx", la_code=OWN, year=YEAR)
    assert [(p.code, p.cell) for p in parsed.problems] == expected
    assert parsed.indicators == {}
    assert parsed.costs == []


def test_good_template_reads_back_exactly() -> None:
    parsed = read_upload(
        filled(GOOD_INDICATORS, GOOD_COSTS), filename="r.xlsx", la_code=OWN, year=YEAR
    )
    assert parsed.problems == []
    assert {k: str(v) for k, v in parsed.indicators.items()} == {
        "referrals_count": "1200",
        "referral_rate_per_10k": "512.3",
        "rereferral_within_12m_pct": "21.5",
        "cla_count_31mar": "3",
    }
    assert [(c.category, c.kind, c.recurrence) for c in parsed.costs] == [
        ("licences", "cash", "one_off"),
        ("backfill", "time", "ongoing"),
    ]


def test_an_empty_template_is_refused() -> None:
    parsed = read_upload(filled(), filename="r.xlsx", la_code=OWN, year=YEAR)
    assert [p.code for p in parsed.problems] == ["CSC-E6119"]


def test_values_and_audit_commit_or_roll_back_together(monkeypatch: pytest.MonkeyPatch) -> None:
    sites = make_sites()
    coordinator = people()["coordinator"]
    ret = PilotReturn.objects.create(site=sites[OWN], year=YEAR)

    def failing_audit(**kwargs: Any) -> None:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services, "audit_record", failing_audit)
    with pytest.raises(RuntimeError):
        services.upload(actor=coordinator, ret=ret, data=filled(GOOD_INDICATORS), filename="r.xlsx")
    assert not ReturnValue.objects.exists()
    ret.refresh_from_db()
    assert ret.uploaded_at is None
    assert not AuditEvent.objects.filter(action="return.upload").exists()
