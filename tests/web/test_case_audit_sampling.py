"""Drawing case-file audit samples in the web platform: pseudonyms only, the LA's key never
kept or echoed, identifiers refused, reproducible draws, replacement by reserve cases."""

from __future__ import annotations

import re

import pytest
from case_audit_helpers import (
    KEY,
    NHS_OK,
    OTHER_KEY,
    OWN,
    case_list,
    coordinator_client,
    draw_form,
    drawn_sample,
    post_draw,
    user_client,
)
from django.test import Client

from csceval.strands.quality_of_recording.case_list import parse
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.case_audits.models import (
    CaseSample,
    SampledCase,
)

pytestmark = pytest.mark.django_db


def test_a_coordinator_draws_a_sample_that_holds_pseudonyms_only(two_la_evaluation: None) -> None:
    content = case_list()
    response = post_draw(coordinator_client(), content)
    assert response.status_code == 302
    assert response["Location"] == "/case-audits/?drawn=1"  # the coordinator sees no cases
    sample = CaseSample.objects.get()
    assert (sample.seed, sample.n_requested, sample.second_share) == (2024, 10, 20)
    assert sample.case_list_sha256 == parse(OWN, "cases.csv", content).sha256
    cases = list(sample.cases.all())
    assert sum(c.in_play for c in cases) == 10
    assert sum(c.second_rating for c in cases) == 2  # 20% of 10
    assert all(c.pseudonym.startswith("P-") for c in cases)
    stored = " ".join(f"{c.pseudonym} {c.stratum}" for c in cases)
    assert not re.search(r"C\d{5}", stored)
    event = AuditEvent.objects.get(action="case_sample.draw")
    assert KEY not in str(event.new_values)
    assert event.new_values["seed"] == 2024
    assert not re.search(r"C\d{5}", str(event.new_values))


def test_the_key_is_never_echoed_back(two_la_evaluation: None) -> None:
    response = post_draw(coordinator_client(), seed="not a number")
    assert response.status_code == 400
    assert KEY not in response.content.decode()
    assert CaseSample.objects.count() == 0


def test_a_weak_key_is_refused_and_linked_to_the_key_field(two_la_evaluation: None) -> None:
    response = post_draw(coordinator_client(), key="short")
    page = response.content.decode()
    assert response.status_code == 400
    assert "CSC-E3201" in page
    assert 'href="#id_key"' in page
    assert CaseSample.objects.count() == 0


def test_the_same_list_seed_and_key_give_the_same_sample(two_la_evaluation: None) -> None:
    client = coordinator_client()
    post_draw(client)
    first = {(c.pseudonym, c.status, c.second_rating) for c in SampledCase.objects.all()}
    shuffled = case_list().decode().splitlines()
    shuffled = [shuffled[0], *reversed(shuffled[1:])]  # row order does not matter
    assert post_draw(client, ("\n".join(shuffled) + "\n").encode()).status_code == 302
    again = {(c.pseudonym, c.status, c.second_rating) for c in SampledCase.objects.all()}
    assert again == first
    event = AuditEvent.objects.filter(action="case_sample.draw").order_by("-sequence").first()
    assert event is not None
    assert event.old_values is not None
    assert post_draw(client, key=OTHER_KEY).status_code == 302
    other = {c.pseudonym for c in SampledCase.objects.all()}
    assert not other & {p for p, _, _ in first}


@pytest.mark.parametrize(
    ("content", "column"),
    [
        (b"case_id,stratum,nhs_number\nC1,cla,943 476 5919\nC2,cpp,\n", "nhs_number"),
        (b"case_id,stratum,first_name\nC1,cla,Alice\nC2,cpp,Bob\n", "first_name"),
        (f"case_id,stratum,note\nC1,cla,{NHS_OK}\nC2,cpp,x\n".encode(), "note"),
    ],
)
def test_a_list_with_direct_identifiers_is_refused_and_nothing_stored(
    two_la_evaluation: None, content: bytes, column: str
) -> None:
    client = coordinator_client()
    before = AuditEvent.objects.count()
    response = post_draw(client, content)
    page = response.content.decode()
    assert response.status_code == 400
    assert "The case list was refused: nothing was saved" in page
    assert "govuk-error-summary" in page
    assert column in page
    assert "Alice" not in page
    assert NHS_OK not in page
    assert "943 476 5919" not in page
    assert CaseSample.objects.count() == 0
    assert SampledCase.objects.count() == 0
    assert AuditEvent.objects.count() == before


def test_a_sample_being_audited_cannot_be_redrawn(two_la_evaluation: None) -> None:
    client = coordinator_client()
    post_draw(client)
    auditor, _ = user_client("aud", (OWN, "auditor"))
    case = SampledCase.objects.filter(status="sampled").first()
    assert case is not None
    auditor.post(f"/case-audits/case/{case.pk}/", {"action": "save", "item_harm_past": "2"})
    response = post_draw(client, seed="1")
    assert response.status_code == 400
    assert "CSC-E6201" in response.content.decode()
    assert CaseSample.objects.get().seed == 2024


def test_a_case_that_cannot_be_audited_is_replaced_by_the_next_reserve(
    two_la_evaluation: None,
) -> None:
    sample = drawn_sample()
    case = sample.cases.filter(status="sampled", second_rating=True).first()
    assert case is not None
    client, _ = user_client("aud", (OWN, "auditor"))
    page = client.get(f"/case-audits/case/{case.pk}/").content.decode()
    assert "This case file cannot be audited" in page
    bad = client.post(f"/case-audits/case/{case.pk}/replace/", {"reason": "bored"})
    assert bad.status_code == 400
    assert "CSC-E3212" in bad.content.decode()
    response = client.post(f"/case-audits/case/{case.pk}/replace/", {"reason": "file_unavailable"})
    assert response.status_code == 302
    case.refresh_from_db()
    reserve = SampledCase.objects.filter(sample=sample, stratum=case.stratum, status="used").get()
    assert response["Location"] == f"/case-audits/case/{reserve.pk}/"
    assert (case.status, case.replaced_by, case.reason) == (
        "replaced",
        reserve.pseudonym,
        "file_unavailable",
    )
    assert reserve.replaces == case.pseudonym
    first_reserve = (
        SampledCase.objects.filter(sample=sample, stratum=case.stratum)
        .exclude(status__in=["sampled", "replaced"])
        .order_by("drawn_rank")
        .first()
    )
    assert first_reserve == reserve
    assert reserve.second_rating
    assert not case.second_rating
    event = AuditEvent.objects.get(action="case_sample.replace")
    assert event.new_values["replaced_by"] == reserve.pseudonym
    assert client.get(f"/case-audits/case/{case.pk}/").status_code == 404
    # A case being rated cannot be replaced.
    client.post(f"/case-audits/case/{reserve.pk}/", {"action": "save", "item_harm_past": "2"})
    refused = client.post(f"/case-audits/case/{reserve.pk}/replace/", {"reason": "other"})
    assert refused.status_code == 400
    assert "CSC-E6206" in refused.content.decode()


def test_the_case_list_is_kept_in_memory_and_the_upload_needs_a_csrf_token(
    two_la_evaluation: None,
) -> None:
    coordinator = coordinator_client()
    big = b"case_id,stratum\n" + b"".join(b"C%07d,cla\n" % i for i in range(300_000))
    assert len(big) > 2_600_000  # above FILE_UPLOAD_MAX_MEMORY_SIZE: would go to a temp file
    response = post_draw(coordinator, big)
    assert response.status_code == 400
    # Held in memory (never spooled to a temporary file: the memory-only upload handlers, under
    # the request-size cap) and refused by the form's own size check.
    assert "The selected file must be smaller than 2 MB" in response.content.decode()
    assert CaseSample.objects.count() == 0
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = coordinator.cookies
    refused = strict.post(f"/case-audits/{OWN}/draw/", draw_form(case_list()))
    assert refused.status_code == 403
    assert CaseSample.objects.count() == 0
