"""Every return and export page renders for the roles allowed to see it, as plain HTML forms
(no JavaScript needed), with GOV.UK error summaries that link to the field at fault."""

from __future__ import annotations

import re
from typing import Any

import pytest
from returns_helpers import (
    GOOD_COSTS,
    GOOD_INDICATORS,
    OWN,
    YEAR,
    client_for,
    filled,
    make_sites,
    people,
)

from csceval.web.returns import services
from csceval.web.returns.models import PilotReturn, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def ret() -> dict[str, Any]:
    sites = make_sites()
    who = people()
    ret = PilotReturn.objects.create(site=sites[OWN], year=YEAR)
    services.upload(
        actor=who["coordinator"],
        ret=ret,
        data=filled(GOOD_INDICATORS, GOOD_COSTS),
        filename="r.xlsx",
    )
    return {**who, "ret": ret}


def _ok(client: Any, path: str, *texts: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert "govuk-template" in html
    for text in texts:
        assert text in html, (path, text)
    for form in re.findall(r"<form[^>]*>", html):
        assert "hx-" not in form  # nothing depends on htmx
        assert 'method="post"' in form
        assert "action=" in form
    return html


def test_coordinator_pages(ret: dict[str, Any]) -> None:
    client = client_for(ret["coordinator"])
    pk = ret["ret"].pk
    _ok(client, "/returns/", "Pilot 901")
    _ok(client, f"/returns/site/{OWN}/", "Return for 2025-26", "Start a return")
    html = _ok(client, f"/returns/{pk}/", "govuk-task-list", "Download the return template")
    assert html.count('<li class="govuk-task-list__item') == 3
    _ok(client, f"/returns/{pk}/indicators/", "Referrals", "1200", "Not given")
    _ok(client, f"/returns/{pk}/costs/", "Practice framework licence", "16,260.00")
    _ok(client, f"/returns/{pk}/upload/", 'type="file"', 'enctype="multipart/form-data"')
    _ok(client, f"/returns/{pk}/submit/", "Check and submit", "4 values given")


def test_reviewer_and_admin_pages(ret: dict[str, Any]) -> None:
    pk = ret["ret"].pk
    PilotReturn.objects.filter(pk=pk).update(status=Status.SUBMITTED)
    evaluator = client_for(ret["evaluator"])
    _ok(evaluator, f"/returns/{pk}/", "Review this return")
    _ok(evaluator, f"/returns/{pk}/review/", 'name="decision"', 'name="comment"')
    PilotReturn.objects.filter(pk=pk).update(status=Status.LOCKED)
    _ok(client_for(ret["admin"]), f"/returns/{pk}/unlock/", 'name="reason"')
    _ok(evaluator, "/exports/", "Pilot return values by LA and year (row-level)")
    _ok(evaluator, "/exports/return_values/", 'name="purpose"', 'name="deidentified"')
    html = _ok(evaluator, "/exports/return_indicators/", 'name="file_format"')
    assert 'name="purpose"' not in html


def test_error_summaries_link_to_the_field(ret: dict[str, Any]) -> None:
    pk = ret["ret"].pk
    client = client_for(ret["coordinator"])
    response = client.post(f"/returns/{pk}/upload/", {})
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert 'href="#id_file"' in html
    assert "Select the completed return template" in html
    assert 'id="id_file"' in html
    PilotReturn.objects.filter(pk=pk).update(status=Status.SUBMITTED)
    response = client_for(ret["evaluator"]).post(f"/returns/{pk}/review/", {})
    html = response.content.decode()
    assert 'href="#id_decision"' in html
    assert 'id="id_decision"' in html
