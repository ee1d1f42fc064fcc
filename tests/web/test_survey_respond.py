"""The culture survey's respondent pages and evaluator pages, with the Django test client:
a whole response (invalid answer, save and resume on another device, check answers, send),
its export in the strand's format, skip logic from an XLSForm, closed links, and counts that
never show a team under k."""

from __future__ import annotations

import hashlib
import io
import re
from typing import Any

import pandas as pd
import pytest
from case_audit_helpers import OWN, user_client
from django.test import Client
from survey_helpers import kobo_form

from csceval.strands.culture_survey.instrument import default_instrument
from csceval.strands.culture_survey.scoring import items_wide
from csceval.web.culture_survey.models import SurveyAnswer, SurveyDraft, SurveyTeam
from csceval.web.evaluation import project_io
from csceval.web.evaluation.models import ProjectFile, Site

pytestmark = pytest.mark.django_db
ADDRESS = re.compile(r'value="http://testserver(/r/[A-Za-z0-9_-]{43}/)"')


def _team_link(evaluator: Client, team: str = "T03", invited: str = "8") -> str:
    """Add a team at T1 and make its link, as an evaluator does; the link's path."""
    added = evaluator.post(
        f"/culture-survey/{OWN}/teams/", {"team": team, "time_point": "T1", "invited": invited}
    )
    assert added.status_code == 302
    made = SurveyTeam.objects.get(team=team)
    page = evaluator.post(f"/culture-survey/team/{made.pk}/link/")
    found = ADDRESS.search(page.content.decode())
    assert found, "the link's address is shown once"
    return found[1]


def _answer(client: Client, location: str, value: Any, **extra: str) -> Any:
    return client.post(location, {"answer": value, **extra})


def test_a_whole_response(two_la_evaluation: None) -> None:
    evaluator, _user = user_client("eva", (OWN, "evaluator"))
    short = _team_link(evaluator)
    phone = Client()
    start = phone.get(short)
    assert start.status_code == 302
    assert "Start now" in phone.get(start["Location"]).content.decode()
    location = phone.post(start["Location"] + "begin/")["Location"]
    assert location.endswith("/q/safe_1/")
    bad = _answer(phone, location, "9")
    assert bad.status_code == 400
    assert "CSC-E3441" in bad.content.decode()
    instrument = default_instrument()
    asked = [q for q in instrument.questions if q.type != "note"]
    answers = {q.name: "Fine, thanks" if q.type == "text" else "4" for q in asked}
    for q in asked[:2]:
        location = _answer(phone, location, answers[q.name])["Location"]
    saved = _answer(phone, location, answers[asked[2].name], save="1")
    code = re.search(r'id="resume-code">([A-Z0-9-]{14})<', saved.content.decode())
    assert code, "a resume code is shown"
    laptop = Client()
    refused = laptop.post(start["Location"] + "resume/", {"code": "AAAA-BBBB-CCCC"})
    assert refused.status_code == 400
    assert "CSC-E3442" in refused.content.decode()
    location = laptop.post(start["Location"] + "resume/", {"code": code[1]})["Location"]
    assert location.endswith(f"/q/{asked[3].name}/")
    for q in asked[3:]:
        location = _answer(laptop, location, answers[q.name])["Location"]
    assert location.endswith("/check/")
    check = laptop.get(location).content.decode()
    assert "Fine, thanks" in check
    assert check.count("Agree") >= 16
    assert laptop.post(location)["Location"].endswith("/done/")
    assert "Answers sent" in laptop.get(start["Location"] + "done/").content.decode()
    assert SurveyDraft.objects.count() == 0
    for client in (phone, laptop):
        assert set(client.cookies) <= {"csrftoken", "csceval_survey"}
    assert laptop.cookies["csceval_survey"]["max-age"] == 0, "the draft's cookie is cleared"

    rows = SurveyAnswer.objects.all()
    assert rows.count() == len(asked)
    assert len({r.response_id for r in rows}) == 1
    assert re.fullmatch(r"R-[0-9A-F]{12}", rows[0].response_id)
    # What export-project writes (project_files merges each registered table source).
    sources = project_io._table_sources
    files = {path: sources[path](None) for path in ("data/survey_responses.csv",
                                                    "data/survey_teams.csv")}  # fmt: skip
    exported = pd.read_csv(io.BytesIO(files["data/survey_responses.csv"]), dtype=str)
    assert set(exported["team"]) == {"T03"}
    assert set(exported["la_code"]) == {OWN}
    wide = items_wide(exported, instrument)
    assert wide.loc[0, "safe_3"] == 2, "a reverse-keyed 4 scores 2 (scoring, not the page)"
    assert wide.loc[0, "safe_1"] == 4
    teams = pd.read_csv(io.BytesIO(files["data/survey_teams.csv"]), dtype=str)
    assert teams.to_dict("records") == [
        {"la_code": OWN, "team": "T03", "time_point": "T1", "invited": "8"}
    ]
    page = evaluator.get(f"/culture-survey/{OWN}/").content.decode()
    assert "fewer than 5" in page, "one response is never shown as a count"


def test_skip_logic_closed_links_and_k(two_la_evaluation: None) -> None:
    """An XLSForm with ``${sup} = 'yes'``: answering no skips s1 and s2. A closed link gives
    its page (410). Counts: a team is shown only when the anonymity rule allows it."""
    form = kobo_form()
    ProjectFile.objects.create(
        path="culture_survey.xlsx", content=form, sha256=hashlib.sha256(form).hexdigest()
    )
    evaluator, _user = user_client("eva", (OWN, "evaluator"))
    short = _team_link(evaluator, "A")
    client = Client()
    base = client.get(short)["Location"]
    location = client.post(base + "begin/")["Location"]
    for _ in range(5):
        if location.endswith("/q/sup/"):
            break
        location = _answer(client, location, "T01" if "team" in location else "3")["Location"]
    assert location.endswith("/q/sup/")
    assert _answer(client, location, "no")["Location"].endswith("/q/comments/")
    assert client.get(base + "q/s1/")["Location"].endswith("/q/comments/"), "s1 is skipped"

    team = SurveyTeam.objects.get(team="A")
    assert evaluator.post(f"/culture-survey/team/{team.pk}/close/").status_code == 302
    closed = Client().get(short)
    assert closed.status_code == 410
    assert "CSC-E6303" in closed.content.decode()

    site = Site.objects.get(la_code=OWN)
    sizes = {"A": 5, "B": 2, "C": 6}
    for name, n in sizes.items():
        made = team if name == "A" else SurveyTeam.objects.create(
            site=site, team=name, time_point="T1", invited=10
        )  # fmt: skip
        for r in range(n):
            SurveyAnswer.objects.create(team=made, response_id=f"R-{name}{r}", item="q1", value="3")
    page = evaluator.get(f"/culture-survey/{OWN}/").content.decode()
    cells = dict(re.findall(r'<th scope="row" class="govuk-table__header">(\w)</th>\s*'
                            r'<td[^>]*>\d+</td>\s*<td[^>]*>([^<]+)</td>', page))  # fmt: skip
    assert cells == {"A": "fewer than 5", "B": "fewer than 5", "C": "6"}, cells
    assert "13 responses of 28 invited (46%)" in page


def test_a_second_click_on_send_stores_nothing(two_la_evaluation: None) -> None:
    """Two submissions of one draft (a double click racing) store one response, count one use."""
    from csceval.web.culture_survey.services import draft_start, response_submit, team_link_create

    site = Site.objects.get(la_code=OWN)
    team = SurveyTeam.objects.create(site=site, team="T05", time_point="T1", invited=6)
    link, _token = team_link_create(actor=None, team=team, closes_on=None)
    draft, _key = draft_start(link)
    draft.answers = {"safe_1": "4", "comments": "ok"}
    draft.save()
    instrument = default_instrument()
    first = response_submit(link, draft, instrument)
    assert first is not None
    assert response_submit(link, draft, instrument) is None
    assert set(SurveyAnswer.objects.values_list("response_id", flat=True)) == {first}
    link.refresh_from_db()
    assert link.uses == 1


def test_old_and_unsendable_drafts_are_purged_and_counted_in_the_audit(
    two_la_evaluation: None,
) -> None:
    """``csceval purge-drafts``: drafts on a revoked link, on a closed link, and saved more than
    --days ago go; a fresh draft on an open link stays; the audit trail holds the count only."""
    from datetime import timedelta

    from click.testing import CliRunner
    from django.utils import timezone

    from csceval.cli import main
    from csceval.web.audit_trail.models import AuditEvent
    from csceval.web.culture_survey.services import draft_start, team_link_create

    site = Site.objects.get(la_code=OWN)
    links = []
    for name in ("P1", "P2", "P3"):
        team = SurveyTeam.objects.create(site=site, team=name, time_point="T1", invited=6)
        links.append(team_link_create(actor=None, team=team, closes_on=None)[0])
    live, revoked, closed = links
    fresh, _key = draft_start(live)
    old, _key = draft_start(live)
    SurveyDraft.objects.filter(pk=old.pk).update(updated_on=timezone.localdate() - timedelta(9))
    draft_start(revoked)
    draft_start(closed)
    revoked.revoked_at = timezone.now()
    revoked.save()
    closed.closes_at = timezone.now() - timedelta(minutes=1)
    closed.save()

    result = CliRunner().invoke(main, ["purge-drafts", "--days", "8"])
    assert result.exit_code == 0, result.output
    assert "Deleted 3 survey draft(s)." in result.output
    assert list(SurveyDraft.objects.values_list("pk", flat=True)) == [fresh.pk]
    event = AuditEvent.objects.filter(action="survey.drafts_purged").get()
    assert event.new_values == {"deleted": 3, "older_than_days": 8}
    again = CliRunner().invoke(main, ["purge-drafts"]).output
    assert "Deleted 0 survey draft(s)." in again
    assert again.strip().endswith("Deleted 0 export file(s).")


def test_the_survey_pages_have_a_navigation_item(two_la_evaluation: None) -> None:
    evaluator, _user = user_client("eva", (OWN, "evaluator"))
    html = evaluator.get("/").content.decode()
    nav = html[html.index("govuk-service-navigation") : html.index("</nav>")]
    found = re.search(r'href="(/[^"]*)"[^>]*>\s*Team culture survey\s*<', nav)
    assert found, nav
    assert evaluator.get(found[1]).status_code == 200
