"""Case-file audits in the web platform: sampling, task list, ratings, reconciliation, export."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from web_helpers import make_user, sign_in

from csceval.pipeline import load_project, simulate_project
from csceval.strands.quality_of_recording.analysis import analyse_quality
from csceval.strands.quality_of_recording.case_list import parse
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.case_audits.models import CaseAnswer as Answer
from csceval.web.case_audits.models import (
    CaseRating,
    CaseSample,
    ReconciledAnswer,
    SampledCase,
)
from csceval.web.case_audits.services import (
    draw,
    instrument_of,
    reconcile,
    save_rating,
    second_rating_flags,
)
from csceval.web.evaluation.models import EvaluationSetup, Site
from csceval.web.evaluation.project_io import import_project, project_files, write_project

OWN, OTHER = "901", "902"
KEY = "correct-horse-battery-staple-LA"
OTHER_KEY = "a-different-key-of-the-other-LA"


def case_list(n: int = 40) -> bytes:
    """A case list without identifiers: LA case ids and three strata."""
    strata = ("cla", "cpp", "cin_plan")
    lines = ["case_id,stratum,team"] + [
        f"C{i:05d},{strata[i % 3]},Team {i % 2}" for i in range(1, n + 1)
    ]
    return ("\n".join(lines) + "\n").encode()


def evaluation() -> None:
    EvaluationSetup.objects.create(
        settings_json={
            "evaluation": {"name": "Audit", "frameworks": ["F"], "price_year": "2019-20"},
            "periods": {
                "first_year": 2015,
                "last_year": 2020,
                "time_points": [
                    {"id": "T1", "start": "2018-09-01", "end": "2018-11-30"},
                    {"id": "T2", "start": "2019-09-01", "end": "2019-11-30"},
                ],
            },
            "analysis": {"indicators": ["cla_rate_per_10k"]},
        }
    )
    for code in (OWN, OTHER):
        Site.objects.create(
            la_code=code, name=f"Site {code}", role="pilot", implementation_start=date(2018, 4, 1)
        )


def user_client(name: str, *memberships: tuple[str, str]) -> tuple[Client, Any]:
    user = make_user(name, *memberships)
    return sign_in(Client(), user), user


def upload(content: bytes, name: str = "cases.csv") -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def draw_form(content: bytes, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "file": upload(content),
        "key": KEY,
        "time_point": "T1",
        "n": "10",
        "allocation": "proportional",
        "second_share": "20",
        "seed": "2024",
    }
    data.update(over)
    return data


pytestmark = pytest.mark.django_db

NHS_OK = "9434765919"  # a valid-checksum NHS number from NHS Digital's published test range


@pytest.fixture
def setup() -> None:
    evaluation()


def _draw(client: Client, content: bytes | None = None, **over: Any) -> Any:
    return client.post(f"/case-audits/{OWN}/draw/", draw_form(content or case_list(), **over))


def _coordinator() -> Client:
    return user_client("coord", (OWN, "la_coordinator"))[0]


def _answers(instrument: Any, value: str = "3") -> dict[str, str]:
    """A full rating: every ordinal item ``value``, yes/no items yes, free text left empty."""
    out = {}
    for _, item, scale in instrument.items():
        if scale.kind == "ordinal":
            out[f"item_{item.id}"] = value
        elif scale.kind == "yes_no":
            out[f"item_{item.id}"] = "yes"
    return out


def test_a_coordinator_draws_a_sample_that_holds_pseudonyms_only(setup: None) -> None:
    content = case_list()
    response = _draw(_coordinator(), content)
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


def test_the_key_is_never_echoed_back(setup: None) -> None:
    response = _draw(_coordinator(), seed="not a number")
    assert response.status_code == 400
    assert KEY not in response.content.decode()
    assert CaseSample.objects.count() == 0


def test_a_weak_key_is_refused_and_linked_to_the_key_field(setup: None) -> None:
    response = _draw(_coordinator(), key="short")
    page = response.content.decode()
    assert response.status_code == 400
    assert "CSC-E3201" in page
    assert 'href="#id_key"' in page
    assert CaseSample.objects.count() == 0


def test_the_same_list_seed_and_key_give_the_same_sample(setup: None) -> None:
    client = _coordinator()
    _draw(client)
    first = {(c.pseudonym, c.status, c.second_rating) for c in SampledCase.objects.all()}
    shuffled = case_list().decode().splitlines()
    shuffled = [shuffled[0], *reversed(shuffled[1:])]  # row order does not matter
    assert _draw(client, ("\n".join(shuffled) + "\n").encode()).status_code == 302
    again = {(c.pseudonym, c.status, c.second_rating) for c in SampledCase.objects.all()}
    assert again == first
    event = AuditEvent.objects.filter(action="case_sample.draw").order_by("-sequence").first()
    assert event is not None
    assert event.old_values is not None
    assert _draw(client, key=OTHER_KEY).status_code == 302
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
    setup: None, content: bytes, column: str
) -> None:
    client = _coordinator()
    before = AuditEvent.objects.count()
    response = _draw(client, content)
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


def test_a_sample_being_audited_cannot_be_redrawn(setup: None) -> None:
    client = _coordinator()
    _draw(client)
    auditor, _ = user_client("aud", (OWN, "auditor"))
    case = SampledCase.objects.filter(status="sampled").first()
    assert case is not None
    auditor.post(f"/case-audits/case/{case.pk}/", {"action": "save", "item_harm_past": "2"})
    response = _draw(client, seed="1")
    assert response.status_code == 400
    assert "CSC-E6201" in response.content.decode()
    assert CaseSample.objects.get().seed == 2024


def _sampled(setup_client: Client | None = None) -> CaseSample:
    _draw(setup_client or _coordinator())
    return CaseSample.objects.get()


def test_an_auditor_sees_only_their_las_cases(setup: None) -> None:
    sample = _sampled()
    case = sample.cases.filter(status="sampled").first()
    assert case is not None
    own, _ = user_client("own", (OWN, "auditor"))
    other, _ = user_client("other", (OTHER, "auditor"))
    tasks = own.get(f"/case-audits/{OWN}/T1/")
    assert tasks.status_code == 200
    assert case.pseudonym in tasks.content.decode()
    for path in (
        f"/case-audits/{OWN}/T1/",
        f"/case-audits/{OWN}/T1/sample.csv",
        f"/case-audits/case/{case.pk}/",
        f"/case-audits/case/{case.pk}/compare/",
    ):
        assert other.get(path).status_code == 404, path
        assert other.get(path, headers={"HX-Request": "true"}).status_code == 404, path
    assert other.post(f"/case-audits/case/{case.pk}/", {"action": "save"}).status_code == 404
    assert other.post(f"/case-audits/case/{case.pk}/reconcile/", {}).status_code == 404
    index = other.get("/case-audits/").content.decode()
    assert f"/case-audits/{OWN}/T1/" not in index
    assert not Answer.objects.exists()


def test_the_sample_download_is_pseudonymised_and_audited(setup: None) -> None:
    sample = _sampled()
    own, _ = user_client("own", (OWN, "auditor"))
    response = own.get(f"/case-audits/{OWN}/T1/sample.csv")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.splitlines()[0].startswith("pseudonym,stratum")
    assert len(body.splitlines()) == sample.cases.count() + 1
    assert not re.search(r"C\d{5}", body)
    assert AuditEvent.objects.filter(action="case_sample.download", actor="own").exists()


def test_save_and_return_keeps_partial_answers_and_audits_views(setup: None) -> None:
    sample = _sampled()
    case = sample.cases.filter(status="sampled").first()
    assert case is not None
    client, _ = user_client("aud", (OWN, "auditor"))
    url = f"/case-audits/case/{case.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Do not include names" in page.content.decode()  # the free-text warning
    assert AuditEvent.objects.filter(action="case.view", actor="aud").count() == 1
    saved = client.post(url, {"action": "save", "item_harm_past": "2", "item_harm_future": "4"})
    assert saved.status_code == 302
    rating = CaseRating.objects.get()
    assert rating.values() == {"harm_past": "2", "harm_future": "4"}
    assert not rating.completed
    back = client.get(saved["Location"]).content.decode()
    assert re.search(r'value="2"\s+checked', back) or 'value="2" checked' in back
    assert "Your answers have been saved" in back
    event = AuditEvent.objects.get(action="case_audit.save")
    assert event.new_values == {"harm_past": "2", "harm_future": "4"}
    tasks = client.get(f"/case-audits/{OWN}/T1/").content.decode()
    assert "In progress" in tasks


def test_completing_needs_every_scored_item_and_links_each_section(setup: None) -> None:
    sample = _sampled()
    case = sample.cases.filter(status="sampled").first()
    assert case is not None
    instrument = instrument_of(sample)
    client, _ = user_client("aud", (OWN, "auditor"))
    response = client.post(
        f"/case-audits/case/{case.pk}/", {"action": "complete", "item_harm_past": "3"}
    )
    page = response.content.decode()
    assert response.status_code == 400
    summary = page[
        page.index("govuk-error-summary") : page.index("</ul>", page.index("govuk-error-summary"))
    ]
    for section in instrument.sections:
        scored = [i for i in section.items if instrument.scale(i.scale).scored]
        unanswered = [i for i in scored if i.id != "harm_past"]
        if unanswered:
            assert f'href="#item_{unanswered[0].id}"' in summary, section.id
    assert f'id="item_{instrument.sections[0].items[1].id}"' in page
    assert not CaseRating.objects.filter(completed_at__isnull=False).exists()


def _complete(client: Client, case: SampledCase, answers: dict[str, str]) -> Any:
    return client.post(f"/case-audits/case/{case.pk}/", {"action": "complete", **answers})


def test_blind_second_rating_and_reconciliation(setup: None) -> None:
    sample = _sampled()
    instrument = instrument_of(sample)
    case = sample.cases.filter(second_rating=True).first()
    assert case is not None
    first, _ = user_client("first", (OWN, "auditor"))
    second, _ = user_client("second", (OWN, "auditor"))
    answers = _answers(instrument)
    assert _complete(first, case, answers).status_code == 302
    # The first rater cannot also be the second rater.
    again = first.post(f"/case-audits/case/{case.pk}/", {"action": "save", "item_harm_past": "1"})
    assert again.status_code == 409
    assert "CSC-E6203" in again.content.decode()
    # The second rater sees an empty form, not the first rating.
    blank = second.get(f"/case-audits/case/{case.pk}/").content.decode()
    assert "Blind second rating" in blank
    assert not re.search(r"<input[^>]*\bchecked", blank)
    compare = second.get(f"/case-audits/case/{case.pk}/compare/").content.decode()
    assert 'id="not-ready"' in compare
    assert "disagreements" not in compare
    differ = dict(answers, item_harm_past="1", item_harm_future="2")
    assert _complete(second, case, differ).status_code == 302
    # A third auditor cannot rate the case.
    third, _ = user_client("third", (OWN, "auditor"))
    refused = third.post(f"/case-audits/case/{case.pk}/", {"action": "save", **answers})
    assert refused.status_code == 409
    assert "CSC-E6202" in refused.content.decode()
    tasks = third.get(f"/case-audits/{OWN}/T1/").content.decode()
    assert "Needs reconciliation" in tasks
    compare = third.get(f"/case-audits/case/{case.pk}/compare/").content.decode()
    assert compare.count('name="agreed_') > 0
    assert 'name="agreed_harm_past"' in compare
    assert 'name="agreed_harm_future"' in compare
    assert 'name="agreed_harm_complicating"' not in compare
    # All disagreed items must be agreed.
    partial = third.post(f"/case-audits/case/{case.pk}/reconcile/", {"agreed_harm_past": "2"})
    assert partial.status_code == 400
    assert 'href="#agreed_harm_future"' in partial.content.decode()
    assert not ReconciledAnswer.objects.exists()
    done = third.post(
        f"/case-audits/case/{case.pk}/reconcile/",
        {"agreed_harm_past": "2", "agreed_harm_future": "3"},
    )
    assert done.status_code == 302
    agreed = {(r.item, r.value, r.agreed_by.username) for r in ReconciledAnswer.objects.all()}
    assert agreed == {("harm_past", "2", "third"), ("harm_future", "3", "third")}
    event = AuditEvent.objects.get(action="case_audit.reconcile")
    assert event.actor == "third"
    assert event.new_values == {"harm_past": "2", "harm_future": "3"}
    third.post(f"/case-audits/case/{case.pk}/reconcile/",
               {"agreed_harm_past": "1", "agreed_harm_future": "3"})  # fmt: skip
    change = AuditEvent.objects.filter(action="case_audit.reconcile").order_by("-sequence")[0]
    assert change.old_values == {"harm_past": "2"}
    assert change.new_values == {"harm_past": "1"}
    assert "Completed" in third.get(f"/case-audits/{OWN}/T1/").content.decode()
    # Evaluators may read the comparison but not reconcile.
    evaluator, _ = user_client("eve", ("*", "evaluator"))
    assert evaluator.get(f"/case-audits/case/{case.pk}/compare/").status_code == 200
    assert evaluator.post(f"/case-audits/case/{case.pk}/reconcile/", {}).status_code == 403
    assert AuditEvent.objects.filter(action="case.view", actor="eve").exists()


def test_a_case_not_chosen_for_second_rating_gets_one_rater(setup: None) -> None:
    sample = _sampled()
    case = sample.cases.filter(second_rating=False, status="sampled").first()
    assert case is not None
    first, _ = user_client("first", (OWN, "auditor"))
    second, _ = user_client("second", (OWN, "auditor"))
    _complete(first, case, _answers(instrument_of(sample)))
    page = second.get(f"/case-audits/case/{case.pk}/").content.decode()
    assert 'id="not-yours"' in page
    assert "Completed" in second.get(f"/case-audits/{OWN}/T1/").content.decode()


def test_the_second_share_is_reproducible_and_rounded_up() -> None:
    names = [f"P-{i:02d}" for i in range(10)]
    assert second_rating_flags(names, 5, 20) == second_rating_flags(list(reversed(names)), 5, 20)
    assert len(second_rating_flags(names, 5, 25)) == 3
    assert second_rating_flags(names, 5, 0) == set()
    assert second_rating_flags(names, 5, 100) == set(names)


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic") / "project"
    simulate_project(root, seed=11)
    return root


def test_export_project_writes_samples_and_audits_the_quality_strand_analyses(
    synthetic: Path, tmp_path: Path
) -> None:
    import_project(synthetic, actor="test")
    settings = load_project(synthetic).settings
    time_point = settings.periods.time_points[0].id
    sites = [
        Site.objects.filter(role="pilot").first(),
        Site.objects.filter(role="contrast").first(),
    ]
    raters = [make_user(f"r{i}", ("*", "evaluation_admin")) for i in range(3)]
    for site in sites:
        assert site is not None
        sample = draw(actor=raters[0], site=site, time_point=time_point, file_name="l.csv",
                      content=case_list(30), key=KEY, n=6, allocation="equal",
                      second_share=50, seed=9)  # fmt: skip
        instrument = instrument_of(sample)
        for i, case in enumerate(c for c in sample.cases.all() if c.in_play):
            values = {k[5:]: v for k, v in _answers(instrument, str(1 + i % 4)).items()}
            save_rating(actor=raters[0], case=case, answers=values, complete=True)
            if case.second_rating:
                other = dict(values, harm_past="4" if values["harm_past"] != "4" else "1")
                save_rating(actor=raters[1], case=case, answers=other, complete=True)
                reconcile(actor=raters[2], case=case, agreed={"harm_past": "2"})
    out = tmp_path / "exported"
    write_project(out, project_files())
    project = load_project(out)
    samples, audits = project.table("case_samples"), project.table("case_audits")
    for site in sites:
        assert site is not None
        mine = samples[(samples["la_code"] == site.la_code) & (samples["seed"].astype(str) == "9")]
        assert len(mine[mine["status"] == "sampled"]) == 6
    rows = audits[audits["rater_id"].astype(str).str.startswith("auditor-")]
    assert set(rows["is_second_rating"].astype(str)) == {"true", "false"}
    agreed = rows[rows["reconciled"].astype(str) == "true"]
    assert len(agreed) == 6
    assert set(agreed["value"].astype(str)) == {"2"}
    result = analyse_quality(project)
    audited = result.cases
    assert {s.la_code for s in sites if s is not None} <= set(audited["la_code"].astype(str))


@pytest.mark.parametrize(
    "note", [f"seen with NHS no {NHS_OK}", "lives at SW1A 1AA now", "NHS 943 476 5919."]
)
def test_a_free_text_note_holding_an_identifier_is_refused(setup: None, note: str) -> None:
    sample = _sampled()
    case = sample.cases.filter(status="sampled").first()
    assert case is not None
    client, _ = user_client("aud", (OWN, "auditor"))
    response = client.post(
        f"/case-audits/case/{case.pk}/", {"action": "save", "item_notes_overall": note}
    )
    assert response.status_code == 400
    assert "remove personal details" in response.content.decode()
    assert not Answer.objects.exists()
    ok = client.post(
        f"/case-audits/case/{case.pk}/", {"action": "save", "item_notes_overall": "Clear plan."}
    )
    assert ok.status_code == 302


def test_a_case_that_cannot_be_audited_is_replaced_by_the_next_reserve(setup: None) -> None:
    sample = _sampled()
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


def test_the_site_page_links_to_the_audits_by_role(setup: None) -> None:
    coordinator = _coordinator()
    _sampled(coordinator)
    auditor, _ = user_client("aud", (OWN, "auditor"))
    page = coordinator.get(f"/sites/{OWN}/").content.decode()
    assert f"/case-audits/{OWN}/draw/" in page
    assert f"/case-audits/{OWN}/T1/" not in page
    page = auditor.get(f"/sites/{OWN}/").content.decode()
    assert f"/case-audits/{OWN}/T1/" in page
    assert f"/case-audits/{OWN}/draw/" not in page
    assert "Draw a sample" not in auditor.get("/case-audits/").content.decode()


def test_the_case_list_is_kept_in_memory_and_the_upload_needs_a_csrf_token(setup: None) -> None:
    coordinator = _coordinator()
    big = b"case_id,stratum\n" + b"".join(b"C%07d,cla\n" % i for i in range(300_000))
    assert len(big) > 2_600_000  # above FILE_UPLOAD_MAX_MEMORY_SIZE: would go to a temp file
    response = _draw(coordinator, big)
    assert response.status_code == 400
    # Dropped by the memory-only upload handler (the default handlers would have spooled it to
    # a temporary file, and the form would then say it is too large).
    assert "case list (a CSV or .xlsx file up to 2 MB)" in response.content.decode()
    assert CaseSample.objects.count() == 0
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = coordinator.cookies
    refused = strict.post(f"/case-audits/{OWN}/draw/", draw_form(case_list()))
    assert refused.status_code == 403
    assert CaseSample.objects.count() == 0


def test_a_failed_audit_write_rolls_the_rating_back(
    setup: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = _sampled()
    case = sample.cases.filter(status="sampled").first()
    assert case is not None
    client, _ = user_client("aud", (OWN, "auditor"))

    def broken(**_: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr("csceval.web.case_audits.services.audit_record", broken)
    with pytest.raises(RuntimeError):
        client.post(f"/case-audits/case/{case.pk}/", {"action": "save", "item_harm_past": "2"})
    assert not CaseRating.objects.exists()
    assert not Answer.objects.exists()
