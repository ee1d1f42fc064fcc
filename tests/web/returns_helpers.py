"""Helpers for the returns and exports tests: sites, people, filled-in templates."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from web_helpers import make_user, sign_in

from csceval.web.accounts.models import ALL_LAS, Role
from csceval.web.evaluation.models import Site
from csceval.web.returns import services as returns
from csceval.web.returns.models import PilotReturn, Status
from csceval.web.returns.template import build_template

OWN, OTHER = "901", "902"
YEAR = 2026


def make_sites() -> dict[str, Site]:
    return {
        code: Site.objects.create(la_code=code, name=f"Pilot {code}", role="pilot")
        for code in (OWN, OTHER)
    }


def people() -> dict[str, Any]:
    return {
        "coordinator": make_user("coord", (OWN, Role.LA_COORDINATOR)),
        "other_coordinator": make_user("coord2", (OTHER, Role.LA_COORDINATOR)),
        "evaluator": make_user("eval", (ALL_LAS, Role.EVALUATOR)),
        "admin": make_user("admin", (ALL_LAS, Role.EVALUATION_ADMIN)),
        "viewer": make_user("viewer", (OWN, Role.VIEWER)),
    }


def client_for(user: Any) -> Client:
    return sign_in(Client(), user)


def filled(
    indicators: dict[str, Any] | None = None,
    costs: list[tuple[Any, ...]] | None = None,
    *,
    la_code: str = OWN,
    year: int = YEAR,
) -> bytes:
    """The template with values typed in (indicators by id; cost lines as rows from column A)."""
    wb = load_workbook(io.BytesIO(build_template(la_code=la_code, la_name="x", year=year)))
    ws = wb["Key indicators"]
    rows = {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}
    for ident, value in (indicators or {}).items():
        ws.cell(row=rows[ident], column=5, value=value)
    for offset, line in enumerate(costs or [], start=2):
        for col, value in enumerate(line, start=1):
            wb["Costs"].cell(row=offset, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload_file(client: Client, ret: PilotReturn, data: bytes, name: str = "return.xlsx") -> Any:
    return client.post(f"/returns/{ret.pk}/upload/", {"file": _named(data, name)}, follow=False)


def _named(data: bytes, name: str) -> io.BytesIO:
    handle = io.BytesIO(data)
    handle.name = name
    return handle


GOOD_INDICATORS = {
    "referrals_count": 1200,
    "referral_rate_per_10k": 512.3,
    "rereferral_within_12m_pct": 21.5,
    "cla_count_31mar": 3,
}
GOOD_COSTS = [
    ("Licences", "Practice framework licence", "One-off", "Cash", 12000, None, None, "Invoice"),
    ("Backfill", "Cover for training days", "Ongoing", "Time", None, 120, 35.5, "Rota"),
]


@pytest.fixture
def approved_returns() -> dict[str, Any]:
    """Two approved returns per LA (two years) with values, costs and distinct dates; the
    people of :func:`people` and the sites (the exports tests' data)."""
    sites = make_sites()
    who = people()
    base = timezone.make_aware(datetime(2026, 5, 1, 9, 0))
    for n, (la_code, year) in enumerate([(OWN, YEAR), (OWN, YEAR - 1), (OTHER, YEAR)]):
        ret = PilotReturn.objects.create(site=sites[la_code], year=year)
        coordinator = who["coordinator"] if la_code == OWN else who["other_coordinator"]
        values = {**GOOD_INDICATORS, "referrals_count": 1200 + n}
        returns.upload(
            actor=coordinator,
            ret=ret,
            data=filled(values, GOOD_COSTS, la_code=la_code, year=year),
            filename="r.xlsx",
        )
        PilotReturn.objects.filter(pk=ret.pk).update(
            status=Status.APPROVED,
            submitted_at=base + timedelta(days=10 * n),
            reviewed_at=base + timedelta(days=10 * n + 3 + n),
        )
    return {**who, "sites": sites}
