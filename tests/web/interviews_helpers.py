"""Test helpers for the interview pages: a planned interview, an upload reviewed and stored."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from csceval.web.interviews.models import Interview, Transcript

SECRET = "Jane Smith"
TRANSCRIPT = (
    b"Interviewer: Thanks for joining. Can you tell me about your role?\n"
    b"Jane Smith: I manage the team. Email me at jane.smith@example.org or call 01632 960123.\n"
    b"Interviewer: How has the framework changed practice?\n"
    b"Jane Smith: Families say we listen more. Tom Okafor ran the mapping with the family at "
    b"12 Elm Road, near Oakford.\n"
)
"""Planted: a speaker's name (proposed), an email and a phone number (proposed), an address
(proposed), a name and a place nobody listed (added by hand in the review)."""


def plan(client: Any, la_code: str, interview_id: str, participant: str = "R-0101") -> Interview:
    """Add an interview and a participant to the site's fieldwork plan through the pages."""
    page = client.post(
        f"/interviews/{la_code}/interview/",
        {"interview_id": interview_id, "time_point": "T1", "kind": "interview"},
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    if participant:
        page = client.post(
            f"/interviews/{la_code}/participant/",
            {
                "pseudonym": participant,
                "role": "manager",
                "form_version": "2.1",
                "scope": "analysis_and_quotes",
                "consent_date_day": "3",
                "consent_date_month": "10",
                "consent_date_year": "2018",
            },
        )
        assert page.status_code == 302, page.content.decode()[:2000]
    found: Interview = Interview.objects.get(interview_id=interview_id)
    return found


def upload(
    client: Any, interview: Interview, content: bytes = TRANSCRIPT, name: str = "interview.txt"
) -> Any:
    file = SimpleUploadedFile(name, content, content_type="text/plain")
    return client.post(f"/interviews/interview/{interview.pk}/upload/", {"file": file})


def proposals(client: Any, interview: Interview) -> list[str]:
    """The ids of the proposed redactions on the review page, all ticked."""
    import re

    page = client.get(f"/interviews/interview/{interview.pk}/review/").content.decode()
    return re.findall(r'name="accept" type="checkbox" value="(\d+)" checked', page)


def store(client: Any, interview: Interview, participant: str = "R-0101") -> Transcript:
    """Upload the transcript, add the missed name, accept every proposal and confirm."""
    assert upload(client, interview).status_code == 302
    accept = proposals(client, interview)
    page = client.post(
        f"/interviews/interview/{interview.pk}/review/",
        {"accept": accept, "words": "Tom Okafor", "kind": "person", "action": "update"},
    )
    assert page.status_code == 200
    accept = proposals(client, interview)
    page = client.post(
        f"/interviews/interview/{interview.pk}/review/",
        {"accept": accept, "speaker_0": "I-1", "speaker_1": participant, "action": "confirm"},
    )
    assert page.status_code == 302, page.content.decode()[:3000]
    found: Transcript = Transcript.objects.get(interview=interview)
    return found
