"""Writes of the survey's web pages: teams, their links, drafts, submitted responses.

Methodological choices:

- One link per team and time point (purpose ``culture_survey``, scoped to the site's LA, object
  key the team's id), shared by the team's staff: so not one-response. It closes at the end of
  the time point's last day (London time) when that is still ahead, else when revoked.
- A draft is tied to one browser by a random key in a cookie (path limited to the link's pages,
  HttpOnly, SameSite=Lax, gone when the browser closes); "save and come back later" gives a
  resume code (12 characters from 32, 60 bits; tried codes count towards the link throttle) that
  moves the draft to another browser. Both are stored as HMACs keyed with the secret key.
- Drafts are cleared by ``csceval purge-drafts`` (:func:`drafts_purge`): a draft goes once its
  link no longer takes answers (closed or revoked: it can never be submitted) or when it was
  last saved more than ``DRAFT_DAYS`` (30) days ago, so unfinished answers are not kept for
  months. Each run is audited with the number deleted, never their contents.
- Submitting keeps only the answers of questions the skip logic still asks, writes them under a
  new random response id (``R-`` and 12 hex digits, as the strand's imports make), counts a
  use on the link and deletes the draft, in one transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from csceval.strands.culture_survey.instrument import Instrument
from csceval.web.audit_trail.services import audit_record
from csceval.web.culture_survey.models import SurveyAnswer, SurveyDraft, SurveyTeam
from csceval.web.culture_survey.pages import asked_questions, stored_value
from csceval.web.evaluation.models import Site
from csceval.web.links.models import AnonymousLink
from csceval.web.links.services import link_create, link_record_use, link_revoke, link_state
from csceval.web.security import clock

PURPOSE = "culture_survey"
TEAM_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
RESUME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RESUME_LENGTH = 12
DRAFT_DAYS = 30


class SurveyInputError(ValueError):
    """A user's mistake on a survey page; ``code`` is its stable error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{message} ({code})")
        self.code = code
        self.message = message


def keyed(secret: str) -> str:
    """The stored form of a browser key or resume code (HMAC-SHA256 with the secret key)."""
    key = str(settings.SECRET_KEY).encode("utf-8")
    return hmac.new(key, b"survey:" + secret.encode("utf-8"), hashlib.sha256).hexdigest()


@transaction.atomic
def team_add(
    *, actor: Any, site: Site, team: str, time_point: str, invited: int, time_points: list[str]
) -> SurveyTeam:
    """Add a team to survey at ``time_point`` with ``invited`` staff (CSC-E3443 if unusable)."""
    team = team.strip().upper()
    if not TEAM_CODE.match(team) or time_point not in time_points or invited < 1:
        raise SurveyInputError(
            "CSC-E3443",
            "Enter a team code (letters, digits, - or _), choose a time point and enter how "
            "many staff are invited (1 or more)",
        )
    try:
        with transaction.atomic():
            made = SurveyTeam.objects.create(
                site=site, team=team, time_point=time_point, invited=invited
            )
    except IntegrityError as error:
        raise SurveyInputError(
            "CSC-E3443", f"Team {team} is already in the survey at {time_point}"
        ) from error
    audit_record(
        actor=actor.get_username(),
        action="survey.team_added",
        object_type="survey_team",
        object_id=str(made.pk),
        new_values={"la_code": site.la_code, "team": team, "time_point": time_point,
                    "invited": invited},
    )  # fmt: skip
    return made


def team_links(team: SurveyTeam) -> list[AnonymousLink]:
    return list(
        AnonymousLink.objects.filter(purpose=PURPOSE, object_key=str(team.pk)).order_by(
            "-created_at"
        )
    )


def team_link_create(
    *, actor: Any, team: SurveyTeam, closes_on: datetime | None
) -> tuple[AnonymousLink, str]:
    """A new link for ``team`` (its earlier open links are revoked: one live link per team)."""
    with transaction.atomic():
        for old in team_links(team):
            if old.revoked_at is None:
                link_revoke(actor=actor, link=old)
        return link_create(
            actor=actor,
            purpose=PURPOSE,
            la_code=team.site.la_code,
            object_key=str(team.pk),
            label=f"Team {team.team}, {team.time_point}",
            closes_at=closes_on,
        )


def team_links_close(*, actor: Any, team: SurveyTeam) -> int:
    """Revoke the team's open links; how many were open."""
    closed = 0
    with transaction.atomic():
        for link in team_links(team):
            if link.revoked_at is None:
                link_revoke(actor=actor, link=link)
                closed += 1
    return closed


def closing_time(end: Any) -> datetime | None:
    """The end of a time point's last day (London), or None when that has passed."""
    if end is None:
        return None
    closes = timezone.make_aware(datetime.combine(end + timedelta(days=1), time()))
    return closes if closes > clock.now() else None


def link_team(link: AnonymousLink) -> SurveyTeam:
    """The team a survey link was made for (its object key)."""
    return SurveyTeam.objects.select_related("site").get(pk=int(link.object_key))


def draft_for(link: AnonymousLink, browser_key: str | None) -> SurveyDraft | None:
    if not browser_key:
        return None
    return SurveyDraft.objects.filter(link=link, browser_key=keyed(browser_key)).first()


def draft_start(link: AnonymousLink) -> tuple[SurveyDraft, str]:
    """A new empty draft and its browser key (for the cookie)."""
    browser_key = secrets.token_urlsafe(32)
    draft = SurveyDraft.objects.create(
        link=link, browser_key=keyed(browser_key), updated_on=timezone.localdate()
    )
    return draft, browser_key


def draft_answer(draft: SurveyDraft, name: str, value: str | list[str]) -> None:
    answers = dict(draft.answers)
    if value in ("", []):
        answers.pop(name, None)
    else:
        answers[name] = value
    draft.answers = answers
    draft.updated_on = timezone.localdate()
    draft.save(update_fields=["answers", "updated_on"])


def resume_code_issue(draft: SurveyDraft) -> str:
    """A new resume code for ``draft`` (shown once; replaces any earlier one)."""
    code = "".join(secrets.choice(RESUME_ALPHABET) for _ in range(RESUME_LENGTH))
    draft.resume_code = keyed(code)
    draft.save(update_fields=["resume_code"])
    return "-".join(code[i : i + 4] for i in range(0, RESUME_LENGTH, 4))


def draft_resume(link: AnonymousLink, typed: str) -> tuple[SurveyDraft, str] | None:
    """The draft with resume code ``typed`` on ``link``, moved to a new browser key; or None."""
    code = re.sub(r"[\s-]", "", typed).upper()
    if len(code) != RESUME_LENGTH or set(code) - set(RESUME_ALPHABET):
        return None
    draft = SurveyDraft.objects.filter(link=link, resume_code=keyed(code)).first()
    if draft is None:
        return None
    browser_key = secrets.token_urlsafe(32)
    draft.browser_key = keyed(browser_key)
    draft.save(update_fields=["browser_key"])
    return draft, browser_key


def response_submit(link: AnonymousLink, draft: SurveyDraft, instrument: Instrument) -> str | None:
    """Save the draft's answers as one response; returns its id, or None when the draft was
    sent already (a second click: deleting the draft first makes the second wait for the first
    and then find nothing). Raises a LinkRefusedError (nothing saved) when the link closed
    meanwhile."""
    team = link_team(link)
    response_id = f"R-{secrets.token_hex(6).upper()}"
    answers = draft.answers
    rows = [
        SurveyAnswer(team=team, response_id=response_id, item=q.name,
                     value=stored_value(answers[q.name]))
        for q in asked_questions(instrument, answers)
        if q.name in answers
    ]  # fmt: skip
    with transaction.atomic():
        deleted, _kinds = SurveyDraft.objects.filter(pk=draft.pk).delete()
        if not deleted:
            return None
        link_record_use(link)
        SurveyAnswer.objects.bulk_create(rows)
    return response_id


def is_open(link: AnonymousLink) -> bool:
    return link_state(link).value == "open"


@transaction.atomic
def drafts_purge(*, actor: str, days: int = DRAFT_DAYS) -> int:
    """Delete drafts whose link has closed or been revoked, or last saved more than ``days``
    days ago; audited as a count (``survey.drafts_purged``). Returns the number deleted."""
    now = clock.now()
    stale = (
        Q(updated_on__lt=timezone.localdate(now) - timedelta(days=days))
        | Q(link__revoked_at__isnull=False)
        | Q(link__closes_at__lte=now)
    )
    deleted, _kinds = SurveyDraft.objects.filter(stale).delete()
    audit_record(
        actor=actor,
        action="survey.drafts_purged",
        object_type="survey_draft",
        new_values={"deleted": deleted, "older_than_days": days},
    )
    return deleted
