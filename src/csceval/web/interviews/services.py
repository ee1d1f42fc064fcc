"""The fieldwork plan and transcript uploads with their de-identification review.

An upload is read by the strand's bounded readers (coded errors CSC-E360x) into turns, and the
proposed redactions are kept with the original turns in an :class:`UploadDraft` bound to the
uploader's session for :data:`DRAFT_MINUTES`. Only :func:`upload_confirm` stores anything of the
transcript, and it stores the redacted turns and the count of each redaction's kind; confirm,
cancel and expiry delete the draft. The audit trail records counts, never text. Refusals are
coded CSC-E368x.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from csceval.errors import InputError, Problem
from csceval.strands.interviews.names import FILE as NAMES_FILE
from csceval.strands.interviews.names import PSEUDONYM, NameLists, parse_names
from csceval.strands.interviews.transcripts import read_transcript
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import ProjectFile, Site
from csceval.web.implementation.services import time_points
from csceval.web.interviews import review
from csceval.web.interviews.models import (
    Interview,
    Participant,
    Redaction,
    Transcript,
    Turn,
    UploadDraft,
)
from csceval.web.permissions import Verb, has_verb

__all__ = [
    "draft_of",
    "interview_add",
    "participant_add",
    "record_view",
    "time_points",
    "upload_cancel",
    "upload_confirm",
    "upload_start",
]

DRAFT_MINUTES = 30
SITE_ROLES = ("pilot", "exited", "contrast")


def actor_name(user: Any) -> str:
    return str(user.get_username())


def refuse(code: str, message: str, column: str = "", value: str = "", fix: str = "") -> InputError:
    return InputError([Problem(code, message, column=column, value=value, fix=fix)])


@transaction.atomic
def interview_add(
    *, actor: Any, site: Site, interview_id: str, time_point: str, kind: str
) -> Interview:
    """Add an interview or focus group to the site's fieldwork plan (CSC-E3681, CSC-E3621)."""
    if time_point not in {tp["id"] for tp in time_points()}:
        raise refuse("CSC-E3621", "unknown time point", "time_point", time_point)
    if Interview.objects.filter(interview_id=interview_id).exists():
        raise refuse(
            "CSC-E3681",
            "an interview with this id is already in the plan",
            "interview_id",
            interview_id,
            "choose another id",
        )
    found = Interview.objects.create(
        site=site, interview_id=interview_id, time_point=time_point, kind=kind, added_by=actor
    )
    audit_record(
        actor=actor_name(actor),
        action="interview.add",
        object_type="interview",
        object_id=interview_id,
        new_values={"la_code": site.la_code, "time_point": time_point, "kind": kind},
    )
    return found


@transaction.atomic
def participant_add(*, actor: Any, site: Site, fields: Mapping[str, Any]) -> Participant:
    """Add a participant (pseudonym, role group, consent record) to the site (CSC-E3681)."""
    if Participant.objects.filter(pseudonym=fields["pseudonym"]).exists():
        raise refuse(
            "CSC-E3681", "this pseudonym is already taken", "pseudonym", str(fields["pseudonym"])
        )
    found = Participant.objects.create(site=site, **fields)
    values = {k: v.isoformat() if isinstance(v, date) else str(v) for k, v in fields.items()}
    audit_record(
        actor=actor_name(actor),
        action="interview_participant.add",
        object_type="interview_participant",
        object_id=found.pseudonym,
        new_values={"la_code": site.la_code, **values},
    )
    return found


def project_names() -> NameLists:
    """The imported project's name lists (empty without one)."""
    stored = ProjectFile.objects.filter(path=NAMES_FILE).first()
    return parse_names(bytes(stored.content), NAMES_FILE) if stored is not None else NameLists()


def drafts_expire() -> None:
    """Delete every upload draft past its expiry (called whenever a draft is touched)."""
    UploadDraft.objects.filter(expires_at__lt=timezone.now()).delete()


@transaction.atomic
def upload_start(
    *, actor: Any, session_key: str, interview: Interview, data: bytes, filename: str
) -> UploadDraft:
    """Read the file; keep its turns and proposals in a draft (coded InputError if unreadable)."""
    drafts_expire()
    if Transcript.objects.filter(interview=interview).exists():
        raise refuse("CSC-E3686", "this interview already has a transcript", "file")
    turns = read_transcript(data, filename)
    labels = sorted({t.speaker for t in turns})
    texts = [t.text for t in turns]
    payload = {
        "format": filename.rsplit(".", 1)[-1].lower(),
        "turns": [[t.speaker, t.text, t.start_s, t.end_s] for t in turns],
        "labels": labels,
        "proposals": review.propose(texts, project_names(), labels),
    }
    UploadDraft.objects.filter(user=actor, interview=interview).delete()
    return UploadDraft.objects.create(
        interview=interview,
        user=actor,
        session_key=session_key,
        expires_at=timezone.now() + timedelta(minutes=DRAFT_MINUTES),
        payload=payload,
    )


def draft_of(*, actor: Any, session_key: str, interview: Interview) -> UploadDraft | None:
    """The actor's own unexpired draft of the interview in this session, or None."""
    drafts_expire()
    found = UploadDraft.objects.filter(interview=interview, user=actor, session_key=session_key)
    return found.first() if session_key else None


def draft_texts(draft: UploadDraft) -> list[str]:
    return [str(t[1]) for t in draft.payload["turns"]]


@transaction.atomic
def draft_update(*, draft: UploadDraft, accepted: set[int], words: str = "", kind: str = "") -> int:
    """Record accept/reject per proposal and add a missed one; how many occurrences were added."""
    payload = dict(draft.payload)
    for p in payload["proposals"]:
        p["accepted"] = p["id"] in accepted
    added = review.add_missed(draft_texts(draft), payload["proposals"], words, kind) if words else 0
    draft.payload = payload
    draft.save(update_fields=["payload"])
    return added


@transaction.atomic
def upload_cancel(*, actor: Any, draft: UploadDraft) -> None:
    interview = draft.interview
    draft.delete()
    audit_record(
        actor=actor_name(actor),
        action="transcript.upload_cancel",
        object_type="interview",
        object_id=interview.interview_id,
    )


@transaction.atomic
def upload_confirm(*, actor: Any, draft: UploadDraft, speakers: Mapping[str, str]) -> Transcript:
    """Store the redacted turns and the redaction record, set attendance, delete the draft."""
    interview = Interview.objects.select_for_update().get(pk=draft.interview_id)
    if Transcript.objects.filter(interview=interview).exists():
        raise refuse("CSC-E3686", "this interview already has a transcript")
    people = {p.pseudonym: p for p in Participant.objects.filter(site=interview.site)}
    labels = draft.payload["labels"]
    bad = [
        x
        for x in labels
        if not PSEUDONYM.match(speakers.get(x, ""))
        or (speakers[x].startswith("R-") and speakers[x] not in people)
    ]
    if bad:
        raise refuse(
            "CSC-E3607",
            "choose a pseudonym for every speaker",
            "speaker",
            fix="pick the participant, or I-1 for the interviewer",
        )
    texts, counts = review.apply(draft_texts(draft), draft.payload["proposals"])
    transcript = Transcript.objects.create(interview=interview, uploaded_by=actor)
    Turn.objects.bulk_create(
        Turn(
            transcript=transcript,
            number=n,
            speaker=speakers[str(t[0])],
            start_s=t[2],
            end_s=t[3],
            text=texts[n - 1],
        )
        for n, t in enumerate(draft.payload["turns"], start=1)
    )
    Redaction.objects.bulk_create(
        Redaction(transcript=transcript, turn=t, kind=k, tag=tag, count=c)
        for t, k, tag, c in counts
    )
    for pseudonym in {speakers[x] for x in labels} & set(people):
        people[pseudonym].interviews.add(interview)
    by_kind: dict[str, int] = {}
    for _t, kind, _tag, c in counts:
        by_kind[kind] = by_kind.get(kind, 0) + c
    rejected = sum(1 for p in draft.payload["proposals"] if not p["accepted"])
    draft.delete()
    audit_record(
        actor=actor_name(actor),
        action="transcript.store",
        object_type="interview",
        object_id=interview.interview_id,
        new_values={
            "turns": len(texts),
            "format": draft.payload["format"],
            "redactions": by_kind,
            "rejected_proposals": rejected,
        },
    )
    return transcript


@transaction.atomic
def record_view(*, actor: Any, transcript: Transcript, page: str) -> None:
    """Audit one view of a transcript (SEC-D1)."""
    audit_record(
        actor=actor_name(actor),
        action="transcript.view",
        object_type="interview",
        object_id=transcript.interview.interview_id,
        new_values={"page": page},
    )


def site_links(request: Any, site: Site) -> list[dict[str, str]]:
    """A link on a site's page to its interviews, for who may see them."""
    if site.role in SITE_ROLES and has_verb(request.user, Verb.CASE_VIEW, site.la_code):
        return [{"text": "Interviews", "href": reverse("interviews:site", args=[site.la_code])}]
    return []
