"""Pilot data returns: template, upload (every problem at once, nothing stored), review states,
append-only comments, scoping (404 for another LA, 403 for a missing verb) and the audit trail."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook
from returns_helpers import (
    GOOD_COSTS,
    GOOD_INDICATORS,
    OTHER,
    OWN,
    YEAR,
    client_for,
    filled,
    make_sites,
    people,
    upload_file,
)

from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain
from csceval.web.evaluation import project_io
from csceval.web.returns import layout, services
from csceval.web.returns.models import (
    AppendOnlyError,
    CostLine,
    PilotReturn,
    ReturnValue,
    ReviewComment,
    Status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    sites = make_sites()
    who = people()
    own = PilotReturn.objects.create(site=sites[OWN], year=YEAR)
    other = PilotReturn.objects.create(site=sites[OTHER], year=YEAR)
    return {**who, "sites": sites, "own": own, "other": other}


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("sequence"))


def test_template_opens_in_openpyxl_with_validations(world: dict[str, Any]) -> None:
    client = client_for(world["coordinator"])
    response = client.get(f"/returns/{world['own'].pk}/template.xlsx")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    data = response.content
    assert client.get(f"/returns/{world['own'].pk}/template.xlsx").content == data  # same bytes

    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Instructions", "Key indicators", "Costs", "Lists"]
    assert wb["Instructions"]["B3"].value == OWN
    assert wb["Instructions"]["B5"].value == "2025-26"
    ws = wb["Key indicators"]
    assert [c.value for c in ws[1]] == list(layout.INDICATOR_HEADERS)
    ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert ids == [i.id for i in layout.return_indicators()]
    assert all(ws.cell(row=r, column=4).value for r in range(2, ws.max_row + 1))  # definitions
    rules = {str(cell): dv for dv in ws.data_validations.dataValidation for cell in dv.sqref}
    row_of = {ident: r for r, ident in enumerate(ids, start=2)}
    pct = rules[f"E{row_of['rereferral_within_12m_pct']}"]
    assert (pct.type, pct.operator, pct.formula1, pct.formula2) == (
        "decimal",
        "between",
        "0",
        "100",
    )
    count = rules[f"E{row_of['referrals_count']}"]
    assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
    rate = rules[f"E{row_of['referral_rate_per_10k']}"]
    assert (rate.type, rate.operator, rate.formula1) == ("decimal", "greaterThanOrEqual", "0")
    assert len(rules) == len(ids)  # every value cell, nothing else

    costs = wb["Costs"]
    lists = {str(dv.sqref): dv for dv in costs.data_validations.dataValidation if dv.type == "list"}
    assert set(lists) == {"A2:A201", "C2:C201", "D2:D201"}
    n = len(layout.COST_CATEGORIES)
    assert lists["A2:A201"].formula1 == f"'Lists'!$A$2:$A${n + 1}"
    labels = [wb["Lists"].cell(row=r, column=1).value for r in range(2, n + 2)]
    assert labels == [c.label for c in layout.COST_CATEGORIES]
    money = [dv for dv in costs.data_validations.dataValidation if dv.type == "decimal"]
    assert [str(dv.sqref) for dv in money] == ["E2:G201"]

    events = _events("return.template_download")
    assert len(events) == 2
    assert events[0].new_values["la_code"] == OWN


def test_upload_with_errors_lists_every_problem_and_stores_nothing(world: dict[str, Any]) -> None:
    client = client_for(world["coordinator"])
    ret = world["own"]
    good = upload_file(client, ret, filled(GOOD_INDICATORS, GOOD_COSTS))
    assert good.status_code == 302
    before = ret.contents()
    assert before["indicators"]["referrals_count"] == "1200.0000"

    bad = filled(
        {
            "referrals_count": 12.5,  # not whole
            "referral_rate_per_10k": -4,  # negative
            "rereferral_within_12m_pct": 140,  # over 100
            "cin_count_31mar": "lots",  # not a number
        },
        [
            ("Biscuits", "Tea", "One-off", "Cash", 10, None, None, "Receipt"),  # category
            ("Travel", "Trains", "Sometimes", "Time", None, None, 20, "Claims"),  # timing, hours
        ],
    )
    response = upload_file(client, ret, bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem with the file: nothing was saved" in html
    expected = {
        ("CSC-E6109", "E2"),
        ("CSC-E6108", "E3"),
        ("CSC-E6108", "E4"),
        ("CSC-E6107", "E5"),
        ("CSC-E6112", "A2"),
        ("CSC-E6113", "C3"),
        ("CSC-E6115", "F3"),
    }
    for code, cell in expected:
        assert code in html
        assert f'<td class="govuk-table__cell">{cell}</td>' in html
    assert 'href="#id_file"' in html  # the error summary links to the field
    assert html.count('<tr class="govuk-table__row">') - 1 == len(expected)

    ret.refresh_from_db()
    assert ret.contents() == before  # nothing of the rejected upload was stored
    rejected = _events("return.upload_rejected")
    assert len(rejected) == 1
    assert rejected[0].new_values["problems"]["CSC-E6108"] == 2
    assert "lots" not in rejected[0].canonical_json()
    assert "Biscuits" not in rejected[0].canonical_json()
    assert verify_chain() == []


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"not a workbook", "return.xlsx", "CSC-E6101"),
        (b"PK\x03\x04 broken", "return.xlsx", "CSC-E6101"),
        (b"", "return.csv", "CSC-E6101"),
    ],
)
def test_upload_rejects_files_that_are_not_workbooks(
    world: dict[str, Any], data: bytes, name: str, code: str
) -> None:
    parsed = services.upload(actor=world["coordinator"], ret=world["own"], data=data, filename=name)
    assert [p.code for p in parsed.problems] == [code]
    assert not ReturnValue.objects.exists()


def test_upload_rejects_a_zip_bomb_before_opening_it(world: dict[str, Any]) -> None:
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (20 * 1024 * 1024))
    parsed = services.upload(
        actor=world["coordinator"], ret=world["own"], data=raw.getvalue(), filename="b.xlsx"
    )
    assert [p.code for p in parsed.problems] == ["CSC-E6102"]


def test_template_for_another_la_or_period_is_refused(world: dict[str, Any]) -> None:
    data = filled(GOOD_INDICATORS, la_code=OTHER, year=YEAR - 1)
    parsed = services.upload(
        actor=world["coordinator"], ret=world["own"], data=data, filename="r.xlsx"
    )
    assert [(p.code, p.cell) for p in parsed.problems] == [("CSC-E6105", "B3"), ("CSC-E6105", "B5")]


def test_fix_reupload_submit_review_lock_unlock_is_audited(world: dict[str, Any]) -> None:
    ret = world["own"]
    coord = client_for(world["coordinator"])
    evaluator = client_for(world["evaluator"])
    admin = client_for(world["admin"])

    assert upload_file(coord, ret, filled(GOOD_INDICATORS, GOOD_COSTS)).status_code == 302
    fixed = {**GOOD_INDICATORS, "referrals_count": 1250}
    assert upload_file(coord, ret, filled(fixed, GOOD_COSTS[:1])).status_code == 302
    uploads = _events("return.upload")
    assert len(uploads) == 2
    assert uploads[1].old_values["indicators"]["referrals_count"] == "1200.0000"
    assert uploads[1].new_values["indicators"]["referrals_count"] == "1250.0000"
    assert len(uploads[1].old_values["costs"]) == 2
    assert len(uploads[1].new_values["costs"]) == 1
    assert CostLine.objects.filter(pilot_return=ret).count() == 1
    time_line = uploads[0].new_values["costs"][1]
    assert (time_line["kind"], time_line["hours"], time_line["cost_per_hour"]) == (
        "time",
        "120.00",
        "35.50",
    )

    page = coord.get(f"/returns/{ret.pk}/").content.decode()
    assert "govuk-task-list" in page
    assert "Check and submit" in page

    assert coord.post(f"/returns/{ret.pk}/submit/").status_code == 302
    ret.refresh_from_db()
    assert ret.status == Status.SUBMITTED
    assert upload_file(coord, ret, filled(fixed)).status_code == 400  # cannot change now

    no_comment = evaluator.post(f"/returns/{ret.pk}/review/", {"decision": "has_issues"})
    assert no_comment.status_code == 400
    assert "Say what the issues are" in no_comment.content.decode()
    issues = "Referrals look high against last year"
    response = evaluator.post(
        f"/returns/{ret.pk}/review/", {"decision": "has_issues", "comment": issues}
    )
    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == Status.HAS_ISSUES

    third = filled({**fixed, "referrals_count": 1180}, GOOD_COSTS[:1])
    assert upload_file(coord, ret, third).status_code == 302
    assert coord.post(f"/returns/{ret.pk}/submit/").status_code == 302
    assert evaluator.post(f"/returns/{ret.pk}/review/", {"decision": "approve"}).status_code == 302
    assert evaluator.post(f"/returns/{ret.pk}/lock/").status_code == 302
    ret.refresh_from_db()
    assert ret.status == Status.LOCKED
    assert evaluator.post(f"/returns/{ret.pk}/unlock/", {"reason": "x"}).status_code == 403
    assert admin.post(f"/returns/{ret.pk}/unlock/", {"reason": ""}).status_code == 400
    reason = "DfE revised the referral definition"
    assert admin.post(f"/returns/{ret.pk}/unlock/", {"reason": reason}).status_code == 302
    ret.refresh_from_db()
    assert ret.status == Status.APPROVED

    transitions = [
        (e.action, e.actor, e.old_values["status"], e.new_values["status"])
        for e in AuditEvent.objects.filter(
            object_type="pilot_return",
            action__in=[
                "return.submit",
                "return.has_issues",
                "return.approve",
                "return.lock",
                "return.unlock",
            ],
        ).order_by("sequence")
    ]
    assert transitions == [
        ("return.submit", "coord", "draft", "submitted"),
        ("return.has_issues", "eval", "submitted", "has_issues"),
        ("return.submit", "coord", "draft", "submitted"),
        ("return.approve", "eval", "submitted", "approved"),
        ("return.lock", "eval", "approved", "locked"),
        ("return.unlock", "admin", "locked", "approved"),
    ]
    assert _events("return.unlock")[0].new_values["reason"] == reason
    assert [c.text for c in ret.comments.all()] == [issues, reason]
    assert [e.new_values["text"] for e in _events("return.comment")] == [issues, reason]
    third_event = _events("return.upload")[2]
    assert third_event.old_values["status"] == "has_issues"
    assert third_event.new_values["status"] == "draft"

    # Approved values feed every analysis snapshot.
    assert services.approved_values in project_io._indicator_sources
    ledger = list(services.approved_cost_rows())
    assert ledger == [
        {
            "la_code": OWN,
            "financial_year": "2025-26",
            "category": "licences",
            "item": "Practice framework licence",
            "one_off_or_ongoing": "one_off",
            "kind": "cash",
            "amount_gbp": "12000",
            "hours": "",
            "unit_cost_gbp": "",
            "price_year": "2025-26",
            "source": "Invoice",
        }
    ]
    rows = list(services.approved_values())
    assert (OWN, YEAR, "referrals_count", "1180") in rows
    assert (OWN, YEAR, "rereferral_within_12m_pct", "21.5") in rows
    assert all(la == OWN for la, *_ in rows)
    assert verify_chain() == []


def test_comments_cannot_be_edited_or_deleted(world: dict[str, Any]) -> None:
    client = client_for(world["coordinator"])
    response = client.post(f"/returns/{world['own'].pk}/comment/", {"text": "Figures are draft"})
    assert response.status_code == 302
    comment = ReviewComment.objects.get()
    comment.text = "changed"
    with pytest.raises(AppendOnlyError):
        comment.save()
    with pytest.raises(AppendOnlyError):
        comment.delete()
    with pytest.raises(AppendOnlyError):
        ReviewComment.objects.filter(pk=comment.pk).update(text="changed")
    with pytest.raises(AppendOnlyError):
        ReviewComment.objects.all().delete()
    assert ReviewComment.objects.get().text == "Figures are draft"
    assert client.post(f"/returns/{world['own'].pk}/comment/", {"text": ""}).status_code == 400
    viewer = client_for(world["viewer"])
    assert viewer.post(f"/returns/{world['own'].pk}/comment/", {"text": "hi"}).status_code == 403
    evaluator = client_for(world["evaluator"])
    path = f"/returns/{world['own'].pk}/review-comment/"
    assert evaluator.post(path, {"text": "Please check row 7"}).status_code == 302
    assert client.post(path, {"text": "hi"}).status_code == 403  # reviewers' route
    assert [c.author_name for c in ReviewComment.objects.all()] == ["coord", "eval"]


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/returns/{pk}/", "get"),
        ("/returns/{pk}/template.xlsx", "get"),
        ("/returns/{pk}/upload/", "get"),
        ("/returns/{pk}/indicators/", "get"),
        ("/returns/{pk}/costs/", "get"),
        ("/returns/{pk}/submit/", "post"),
        ("/returns/{pk}/comment/", "post"),
        ("/returns/{pk}/review-comment/", "post"),
        ("/returns/site/902/", "get"),
        ("/returns/site/902/start/", "post"),
    ],
)
def test_another_las_return_is_404(world: dict[str, Any], path: str, method: str) -> None:
    client = client_for(world["coordinator"])
    response = getattr(client, method)(path.format(pk=world["other"].pk), {"text": "x"})
    assert response.status_code == 404


def test_a_coordinator_cannot_review_lock_or_unlock(world: dict[str, Any]) -> None:
    ret = world["own"]
    PilotReturn.objects.filter(pk=ret.pk).update(status=Status.SUBMITTED)
    client = client_for(world["coordinator"])
    assert client.get(f"/returns/{ret.pk}/review/").status_code == 403
    assert client.post(f"/returns/{ret.pk}/review/", {"decision": "approve"}).status_code == 403
    assert client.post(f"/returns/{ret.pk}/lock/").status_code == 403
    assert client.post(f"/returns/{ret.pk}/unlock/", {"reason": "because"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.review(actor=world["coordinator"], ret=ret, approve=True, comment="")
    ret.refresh_from_db()
    assert ret.status == Status.SUBMITTED
    viewer = client_for(world["viewer"])
    assert viewer.get(f"/returns/{ret.pk}/").status_code == 200
    assert viewer.get(f"/returns/{ret.pk}/upload/").status_code == 403


def test_a_coordinator_starts_a_return_for_their_site(world: dict[str, Any]) -> None:
    client = client_for(world["coordinator"])
    page = client.get(f"/returns/site/{OWN}/")
    assert page.status_code == 200
    assert "Start a return" in page.content.decode()
    response = client.post(f"/returns/site/{OWN}/start/", {"year": str(YEAR - 1)})
    assert response.status_code == 302
    ret = PilotReturn.objects.get(site__la_code=OWN, year=YEAR - 1)
    assert response["Location"] == f"/returns/{ret.pk}/"
    assert _events("return.create")[0].new_values == {
        "la_code": OWN,
        "year": YEAR - 1,
        "status": "draft",
    }
    assert client.post(f"/returns/site/{OWN}/start/", {"year": "1990"}).status_code == 200
    index = client.get("/returns/").content.decode()
    assert "Pilot 901" in index
    assert "Pilot 902" not in index


def test_submit_needs_values(world: dict[str, Any]) -> None:
    client = client_for(world["coordinator"])
    response = client.post(f"/returns/{world['own'].pk}/submit/")
    assert response.status_code == 400
    assert "Upload the return" in response.content.decode()
    assert ReturnValue.objects.count() == 0
    world["own"].refresh_from_db()
    assert world["own"].status == Status.DRAFT
