"""Case-file audits in the web platform: task lists, ratings, second ratings, reconciliation,
export and rollback (drawing samples: test_case_audit_sampling.py)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from case_audit_helpers import (
    KEY,
    NHS_OK,
    OTHER,
    OWN,
    case_list,
    complete_rating,
    coordinator_client,
    drawn_sample,
    full_answers,
    user_client,
)
from web_helpers import make_user

from csceval.pipeline import load_project
from csceval.strands.quality_of_recording.analysis import analyse_quality
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.case_audits.models import CaseAnswer as Answer
from csceval.web.case_audits.models import (
    CaseRating,
    ReconciledAnswer,
)
from csceval.web.case_audits.services import (
    draw,
    instrument_of,
    reconcile,
    save_rating,
    second_rating_flags,
)
from csceval.web.evaluation.models import Site
from csceval.web.evaluation.project_io import import_project, project_files, write_project

pytestmark = pytest.mark.django_db


def test_an_auditor_sees_only_their_las_cases(two_la_evaluation: None) -> None:
    sample = drawn_sample()
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


def test_the_sample_download_is_pseudonymised_and_audited(two_la_evaluation: None) -> None:
    sample = drawn_sample()
    own, _ = user_client("own", (OWN, "auditor"))
    response = own.get(f"/case-audits/{OWN}/T1/sample.csv")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.splitlines()[0].startswith("pseudonym,stratum")
    assert len(body.splitlines()) == sample.cases.count() + 1
    assert not re.search(r"C\d{5}", body)
    assert AuditEvent.objects.filter(action="case_sample.download", actor="own").exists()


def test_save_and_return_keeps_partial_answers_and_audits_views(two_la_evaluation: None) -> None:
    sample = drawn_sample()
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


def test_completing_needs_every_scored_item_and_links_each_section(two_la_evaluation: None) -> None:
    sample = drawn_sample()
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


def test_blind_second_rating_and_reconciliation(two_la_evaluation: None) -> None:
    sample = drawn_sample()
    instrument = instrument_of(sample)
    case = sample.cases.filter(second_rating=True).first()
    assert case is not None
    first, _ = user_client("first", (OWN, "auditor"))
    second, _ = user_client("second", (OWN, "auditor"))
    answers = full_answers(instrument)
    assert complete_rating(first, case, answers).status_code == 302
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
    assert complete_rating(second, case, differ).status_code == 302
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


def test_a_case_not_chosen_for_second_rating_gets_one_rater(two_la_evaluation: None) -> None:
    sample = drawn_sample()
    case = sample.cases.filter(second_rating=False, status="sampled").first()
    assert case is not None
    first, _ = user_client("first", (OWN, "auditor"))
    second, _ = user_client("second", (OWN, "auditor"))
    complete_rating(first, case, full_answers(instrument_of(sample)))
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
def synthetic(simulated: Callable[[int], Path]) -> Path:
    return simulated(11)


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
            values = {k[5:]: v for k, v in full_answers(instrument, str(1 + i % 4)).items()}
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
def test_a_free_text_note_holding_an_identifier_is_refused(
    two_la_evaluation: None, note: str
) -> None:
    sample = drawn_sample()
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


def test_the_site_page_links_to_the_audits_by_role(two_la_evaluation: None) -> None:
    coordinator = coordinator_client()
    drawn_sample(coordinator)
    auditor, _ = user_client("aud", (OWN, "auditor"))
    page = coordinator.get(f"/sites/{OWN}/").content.decode()
    assert f"/case-audits/{OWN}/draw/" in page
    assert f"/case-audits/{OWN}/T1/" not in page
    page = auditor.get(f"/sites/{OWN}/").content.decode()
    assert f"/case-audits/{OWN}/T1/" in page
    assert f"/case-audits/{OWN}/draw/" not in page
    assert "Draw a sample" not in auditor.get("/case-audits/").content.decode()


def test_a_failed_audit_write_rolls_the_rating_back(
    two_la_evaluation: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    sample = drawn_sample()
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
