"""Who may reach each interview page (read by the access-matrix test)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csceval.web.access import Route
from csceval.web.permissions import Verb


def _site(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la}


def _interview(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"interview_id": ctx["interviews"][la].interview.pk}


def _transcript(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"transcript_id": ctx["interviews"][la].pk}


def _memo(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"memo_id": ctx["interview_memos"][la].pk}


V = Verb.CASE_VIEW
ROUTES: dict[str, Route] = {
    "interviews:index": Route(V, "any"),
    "interviews:site": Route(V, "object", _site),
    "interviews:interview_add": Route(V, "object", _site, method="post"),
    "interviews:participant_add": Route(V, "object", _site, method="post"),
    "interviews:assign": Route(Verb.ANALYSIS_RUN, "object", _site, method="post"),
    "interviews:upload": Route(V, "object", _interview),
    "interviews:review": Route(V, "object", _interview),
    "interviews:transcript": Route(V, "object", _transcript),
    "interviews:segment": Route(V, "object", _transcript, method="post"),
    "interviews:code_new": Route(V, "object", _transcript, method="post"),
    "interviews:memo_new": Route(V, "object", _transcript, method="post"),
    "interviews:done": Route(V, "object", _transcript, method="post"),
    "interviews:reconcile": Route(V, "object", _transcript),
    "interviews:memo_edit": Route(V, "object", _memo),
}


def objects(sites: Mapping[str, Any]) -> dict[str, Any]:
    """For each site: an interview with a transcript coded blind twice (both done) and a memo."""
    from django.contrib.auth import get_user_model

    from csceval.web.interviews.models import Interview, Memo, Transcript, Turn

    transcripts, memos = {}, {}
    for code, site in sites.items():
        first, second = (get_user_model().objects.create_user(f"coder-{code}-{n}") for n in (1, 2))
        interview = Interview.objects.create(
            site=site, interview_id=f"INT-{code}-T1-01", time_point="T1", kind="interview"
        )
        transcripts[code] = Transcript.objects.create(
            interview=interview,
            first_coder=first,
            second_coder=second,
            first_done=True,
            second_done=True,
        )
        Turn.objects.create(
            transcript=transcripts[code], number=1, speaker="I-1", text="How is it?"
        )
        Turn.objects.create(transcript=transcripts[code], number=2, speaker="R-1", text="Fine.")
        memos[code] = Memo.objects.create(
            transcript=transcripts[code],
            target_kind="source",
            target_id="all",
            author=first,
            text="A memo",
        )
    return {"interviews": transcripts, "interview_memos": memos}
