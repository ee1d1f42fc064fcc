"""The scoping survey through per-LA anonymous links (Django test client): an LA's link reaches
only its own answer; it cannot see or change another LA's; a reviewed answer is closed."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.test import Client
from scoping_helpers import load_scoping
from web_helpers import make_user, sign_in

from csceval.web.audit_trail.models import AuditEvent
from csceval.web.evaluation.models import LocalAuthority
from csceval.web.links.models import AnonymousLink
from csceval.web.scoping.models import ScopingResponse

pytestmark = pytest.mark.django_db

A, B = "467", "471"


def _link(evaluator: Client, la_code: str) -> str:
    page = evaluator.post("/scoping/survey/links/", {"la_code": la_code})
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    found = re.search(r'value="(http://testserver/r/[A-Za-z0-9_-]{43}/)"', page.content.decode())
    assert found is not None
    opened = Client().get(found.group(1).removeprefix("http://testserver"))
    assert opened.status_code == 302
    return str(opened["Location"])


def _answer(**values: object) -> dict[str, object]:
    base = {
        "frameworks": ["Signs of Safety"], "other": "", "extent": "whole_service",
        "since": "2017", "training": "external", "licensing": "licensed",
        "respondent_role": "head_of_service",
    }  # fmt: skip
    return {**base, **values}


def test_a_link_reaches_only_its_own_las_answer(demo_project: Path) -> None:
    load_scoping(demo_project, files=("data/framework_register.csv",))
    evaluator = sign_in(Client(), make_user("eva", ("*", "evaluator")))
    page_a, page_b = _link(evaluator, A), _link(evaluator, B)
    links = AnonymousLink.objects.filter(purpose="scoping").order_by("la_code")
    assert [(x.la_code, x.object_key) for x in links] == [(A, A), (B, B)]
    assert AuditEvent.objects.filter(action="link.created").count() == 2

    # B answers through its link, naming a framework nobody else uses.
    respondent_b = Client()
    sent = respondent_b.post(page_b, _answer(other="Quokka practice"))
    assert sent.status_code == 302
    assert "Quokka practice" in respondent_b.get(sent["Location"]).content.decode()
    answer_b = ScopingResponse.objects.get(la_code=B)
    assert (answer_b.frameworks, answer_b.origin) == ("Signs of Safety; Quokka practice", "link")

    # A's link shows A's LA and a blank form: nothing of B's answer, not even its framework.
    respondent_a = Client()
    blank = respondent_a.get(page_a).content.decode()
    assert "Quokka" not in blank
    assert answer_b.response_id not in blank
    # A's post, even naming B's LA and B's response, writes A's own answer only.
    forged = _answer(la_code=B, response_id=answer_b.response_id, link_key=answer_b.link_key)
    assert respondent_a.post(page_a, forged).status_code == 302
    answer_a = ScopingResponse.objects.get(la_code=A)
    assert answer_a.response_id != answer_b.response_id
    answer_b.refresh_from_db()
    assert answer_b.frameworks == "Signs of Safety; Quokka practice"
    assert ScopingResponse.objects.filter(origin="link").count() == 2

    # A corrects its own answer through its link (same response, a new audit record).
    fixed = respondent_a.post(page_a, _answer(frameworks=["none"]))
    assert fixed.status_code == 302
    answer_a.refresh_from_db()
    assert answer_a.frameworks == "none"
    assert AuditEvent.objects.filter(action="scoping.response_correct").count() == 1
    audited = AuditEvent.objects.filter(object_type="scoping_response")
    assert {e.actor for e in audited} == {"scoping survey link"}  # a role, never a person

    # Once reviewed, B's answer cannot be changed through its link (409, unchanged).
    review_b = f"/scoping/survey/responses/{answer_b.response_id}/"
    assert evaluator.post(review_b, {"decision": "accepted"}).status_code == 200
    assert evaluator.post(review_b, {"decision": "rejected"}).status_code == 409
    late = Client().post(page_b, _answer(frameworks=["none"]))
    assert late.status_code == 409
    answer_b.refresh_from_db()
    assert (answer_b.frameworks, answer_b.review_status) == (
        "Signs of Safety; Quokka practice",
        "accepted",
    )

    # A made-up token is a refusal page, not anyone's answer.
    guessed = Client().get("/scoping/answer/" + "A" * 43 + "/")
    assert guessed.status_code == 404
    assert b"Quokka" not in guessed.content
    # Errors in the form are answered with the form and its coded messages.
    wrong = Client().post(page_a, _answer(since="sometime", frameworks=[]))
    assert wrong.status_code == 400
    assert b"CSC-E3504" in wrong.content

    # Links for every LA still without an open one, as a CSV to send from (A and B have one);
    # four LAs kept, so the test makes two links, not 150.
    LocalAuthority.objects.exclude(la_code__in=[A, B, "461", "462"]).delete()
    bulk = evaluator.post("/scoping/survey/links/", {"action": "all"})
    assert bulk["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(bulk.content.decode())))
    assert {A, B}.isdisjoint(r["la_code"] for r in rows)
    assert sorted(r["la_code"] for r in rows) == ["461", "462"]
    assert AnonymousLink.objects.filter(purpose="scoping", la_code__in=["461", "462"]).count() == 2
    opened = Client().get(rows[0]["survey_link"].removeprefix("http://testserver"))
    assert opened.status_code == 302

    # Closing A's link: audited, and the link now answers with the closed page.
    link_a = AnonymousLink.objects.get(purpose="scoping", la_code=A)
    closed = evaluator.post("/scoping/survey/links/", {"action": "close", "link": link_a.pk})
    assert closed.status_code == 302
    assert AuditEvent.objects.filter(action="link.revoked").count() == 1
    assert Client().get(page_a).status_code == 410
    bad = evaluator.post("/scoping/survey/links/", {"action": "close", "link": "x"})
    assert bad.status_code == 404
