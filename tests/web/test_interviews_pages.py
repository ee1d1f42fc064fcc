"""Interview pages with the Django test client: the upload review (accept, reject, add a missed
redaction; cancelled or unreviewed uploads keep nothing), coded upload errors, another LA's
transcripts answering 404, coding with memos and a stale memo save, blind double coding with
reconciliation, and the export analysed by the strand.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from case_audit_helpers import OTHER, OWN, evaluation, user_client
from django.apps import apps
from django.conf import settings
from django.core import serializers
from interviews_helpers import SECRET, TRANSCRIPT, plan, proposals, store, upload

from csceval.strands.interviews.agreement import agreement
from csceval.strands.interviews.fieldwork import apply_consent
from csceval.strands.interviews.project_io import load_interviews_project
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.evaluation.project_io import import_project, project_files, write_project
from csceval.web.interviews.models import Coding, Memo, Redaction, Transcript, UploadDraft

pytestmark = pytest.mark.django_db
VALID_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "valid_project"


def database_text() -> str:
    """Every row of every table, serialised (to look for text that must not be kept)."""
    return "".join(serializers.serialize("json", m.objects.all()) for m in apps.get_models())


def test_review_stores_only_the_redacted_text(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    evaluation()
    client, _ = user_client("coder", (OWN, "auditor"))
    interview = plan(client, OWN, "INT-901-T1-01")
    assert upload(client, interview).status_code == 302
    review = client.get(f"/interviews/interview/{interview.pk}/review/").content.decode()
    for text, kind in (
        ("jane.smith@example.org", "email"),
        ("01632 960123", "phone"),
        ("12 Elm Road", "address"),
        ("Jane", "person"),
    ):
        assert text in review
        assert kind in review
    assert "Tom Okafor" in review  # shown in the uploaded text, not proposed
    ticked = proposals(client, interview)
    phone = ticked[1]  # turn 2 has the email, then the phone number: reject the phone
    page = client.post(
        f"/interviews/interview/{interview.pk}/review/",
        {
            "accept": [t for t in ticked if t != phone],
            "words": "Tom Okafor",
            "kind": "person",
            "action": "update",
        },
    )
    assert page.status_code == 200
    assert len(proposals(client, interview)) == len(ticked)  # one unticked, one added
    accept = proposals(client, interview)
    missing = client.post(
        f"/interviews/interview/{interview.pk}/review/",
        {"accept": accept, "speaker_0": "I-1", "action": "confirm"},
    )
    assert missing.status_code == 400
    assert "CSC-E3607" in missing.content.decode()
    done = client.post(
        f"/interviews/interview/{interview.pk}/review/",
        {"accept": accept, "speaker_0": "I-1", "speaker_1": "R-0101", "action": "confirm"},
    )
    assert done.status_code == 302
    transcript = Transcript.objects.get(interview=interview)
    turns = [t.text for t in transcript.turns.all()]
    assert turns[1] == "I manage the team. Email me at [EMAIL] or call 01632 960123."
    assert turns[3].startswith("Families say we listen more. [PERSON-1] ran the mapping")
    assert "[ADDRESS]" in turns[3]
    assert "Oakford" in turns[3]
    assert [t.speaker for t in transcript.turns.all()] == ["I-1", "R-0101", "I-1", "R-0101"]
    kinds = sorted(Redaction.objects.filter(transcript=transcript).values_list("kind", flat=True))
    assert kinds == ["address", "email", "person"]
    assert not UploadDraft.objects.exists()
    everything = database_text()
    for original in (SECRET, "Tom Okafor", "jane.smith@example.org", "12 Elm Road"):
        assert original not in everything
        assert original not in caplog.text
    stored = AuditEvent.objects.get(action="transcript.store")
    assert stored.new_values["redactions"] == {"address": 1, "email": 1, "person": 1}


def files_holding(text: str, since: float) -> list[Path]:
    """Files changed since ``since`` in the platform's data folder or the temporary folder
    whose bytes hold ``text``."""
    found = []
    for path in [*settings.DATA_DIR.rglob("*"), *Path(tempfile.gettempdir()).glob("*")]:
        try:
            fresh = path.is_file() and path.stat().st_mtime >= since
            if fresh and text.encode() in path.read_bytes():
                found.append(path)
        except OSError:
            continue
    return found


def test_cancelled_and_unreviewed_uploads_keep_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    evaluation()
    start = time.time()
    client, _ = user_client("coder", (OWN, "auditor"))
    interview = plan(client, OWN, "INT-901-T1-02")
    before = database_text()
    assert upload(client, interview).status_code == 302
    assert UploadDraft.objects.count() == 1
    other, _ = user_client("colleague", (OWN, "auditor"))  # another session sees no draft
    assert other.get(f"/interviews/interview/{interview.pk}/review/").status_code == 302
    page = client.post(f"/interviews/interview/{interview.pk}/review/", {"action": "cancel"})
    assert page.status_code == 302
    assert not UploadDraft.objects.exists()
    assert not Transcript.objects.exists()
    after = database_text()
    assert SECRET not in after
    assert "jane.smith" not in after
    assert SECRET not in caplog.text
    assert len(after) > len(before)  # only the audit of the cancel was added
    assert files_holding(SECRET, start) == []  # no upload was written to a file
    # An upload never reviewed expires with its draft.
    assert upload(client, interview).status_code == 302
    UploadDraft.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert client.get(f"/interviews/interview/{interview.pk}/review/").status_code == 302
    assert not UploadDraft.objects.exists()
    assert SECRET not in database_text()


@pytest.mark.parametrize(
    ("content", "name", "code"),
    [
        (b"no speaker on this line\n", "t.txt", "CSC-E3605"),
        (b"\xff\xfe\x00bad", "t.txt", "CSC-E3601"),
        (b"WEBVTT\n\n00:01.000 --> nonsense\n<v A>Hi</v>\n", "t.vtt", "CSC-E3606"),
        (b"not a zip", "t.docx", "CSC-E3603"),
        (b"A: hi\n", "t.pdf", "CSC-E3601"),
    ],
)
def test_upload_errors_are_coded_on_the_page(content: bytes, name: str, code: str) -> None:
    evaluation()
    client, _ = user_client("coder", (OWN, "auditor"))
    interview = plan(client, OWN, "INT-901-T1-03", participant="")
    page = upload(client, interview, content, name)
    assert page.status_code == 400
    assert code in page.content.decode()
    assert not UploadDraft.objects.exists()


def test_another_las_transcripts_are_404_and_views_are_audited() -> None:
    evaluation()
    client, _ = user_client("coder", (OWN, "auditor"))
    outsider, _ = user_client("outsider", (OTHER, "auditor"))
    transcript = store(client, plan(client, OWN, "INT-901-T1-04"))
    memo = Memo.objects.create(
        transcript=transcript,
        target_kind="source",
        target_id="x",
        author=transcript.uploaded_by,
        text="m",
    )
    for url in (
        f"/interviews/transcript/{transcript.pk}/",
        f"/interviews/memo/{memo.pk}/",
        f"/interviews/interview/{transcript.interview.pk}/upload/",
        f"/interviews/{OWN}/",
    ):
        assert outsider.get(url).status_code == 404, url
    assert (
        outsider.post(
            f"/interviews/transcript/{transcript.pk}/code/", {"turn": "2", "codes": ["child-voice"]}
        ).status_code
        == 404
    )
    views = AuditEvent.objects.filter(action="transcript.view").count()
    assert client.get(f"/interviews/transcript/{transcript.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="transcript.view").count() == views + 1


def code(
    client: Any,
    transcript: Transcript,
    turn: int,
    codes: list[str],
    start: str = "",
    end: str = "",
    status: int = 302,
) -> Any:
    page = client.post(
        f"/interviews/transcript/{transcript.pk}/code/",
        {"turn": str(turn), "start": start, "end": end, "codes": codes},
    )
    assert page.status_code == status, page.content.decode()[:3000]
    return page


def test_coding_memos_and_a_stale_memo_save() -> None:
    evaluation()
    client, _user = user_client("coder", (OWN, "auditor"))
    transcript = store(client, plan(client, OWN, "INT-901-T1-05"))
    code(client, transcript, 2, ["practice-tools", "child-voice"], "1", "17")
    made = Coding.objects.filter(transcript=transcript)
    assert {(c.turn, c.start, c.end, c.text, c.code) for c in made} == {
        (2, 0, 17, "I manage the team", "practice-tools"),
        (2, 0, 17, "I manage the team", "child-voice"),
    }
    refused = code(client, transcript, 2, ["child-voice"], "5", "999", status=400)
    assert "CSC-E3682" in refused.content.decode()
    new = client.post(
        f"/interviews/transcript/{transcript.pk}/new-code/",
        {
            "code_id": "peer-support",
            "title": "Peer support",
            "definition": "Workers helping each other",
            "parent": "practice",
        },
    )
    assert new.status_code == 302
    code(client, transcript, 4, ["peer-support"])
    found = client.get(f"/interviews/transcript/{transcript.pk}/?q=mapping").content.decode()
    assert 'href="#turn-4"' in found
    assert "Peer support" in found
    assert (
        client.post(
            f"/interviews/transcript/{transcript.pk}/memo/",
            {"target": "code:peer-support", "text": "First thought"},
        ).status_code
        == 302
    )
    memo = Memo.objects.get()
    other, _ = user_client("colleague", (OWN, "auditor"))
    assert (
        other.post(
            f"/interviews/memo/{memo.pk}/", {"text": "Theirs", "version": "1", "target": "x"}
        ).status_code
        == 302
    )
    stale = client.post(
        f"/interviews/memo/{memo.pk}/", {"text": "Mine", "version": "1", "target": "x"}
    )
    assert stale.status_code == 409
    assert "CSC-E3683" in stale.content.decode()
    assert "Theirs" in stale.content.decode()
    memo.refresh_from_db()
    assert (memo.text, memo.version) == ("Theirs", 2)


def test_blind_double_coding_and_reconciliation() -> None:
    evaluation()
    lead, _ = user_client("lead", ("*", "evaluator"))
    first, one = user_client("first", (OWN, "auditor"))
    second, two = user_client("second", (OWN, "auditor"))
    third, _ = user_client("third", (OWN, "auditor"))
    transcript = store(lead, plan(lead, OWN, "INT-901-T1-06"))
    assigned = lead.post(
        f"/interviews/{OWN}/double-coding/",
        {"share": "100", "first": str(one.pk), "second": str(two.pk)},
    )
    assert assigned.status_code == 302
    assert "assigned=1" in assigned["Location"]
    code(first, transcript, 2, ["practice-tools", "child-voice"])
    code(second, transcript, 2, ["practice-tools"], "1", "5")
    code(second, transcript, 4, ["family-engaged"])
    assert code(third, transcript, 2, ["clear-plans"], status=400)  # not one of the two coders
    page = first.get(f"/interviews/transcript/{transcript.pk}/").content.decode()
    assert "child-voice: characters" in page  # blind: own codings only
    assert "family-engaged: characters" not in page
    assert first.get(f"/interviews/transcript/{transcript.pk}/reconcile/").status_code == 404
    for client in (first, second):
        assert client.post(f"/interviews/transcript/{transcript.pk}/done/").status_code == 302
    code(first, transcript, 4, ["clear-plans"], status=400)  # done: fixed
    compare = third.get(f"/interviews/transcript/{transcript.pk}/reconcile/").content.decode()
    assert "keep_2_child-voice" in compare
    assert "keep_4_family-engaged" in compare
    assert "keep_2_practice-tools" not in compare  # both applied it: no disagreement
    partial = third.post(
        f"/interviews/transcript/{transcript.pk}/reconcile/", {"keep_2_child-voice": "keep"}
    )
    assert partial.status_code == 400
    assert "CSC-E3685" in partial.content.decode()
    done = third.post(
        f"/interviews/transcript/{transcript.pk}/reconcile/",
        {"keep_2_child-voice": "keep", "keep_4_family-engaged": "drop"},
    )
    assert done.status_code == 302
    agreed = Coding.objects.filter(transcript=transcript, coding_pass="reconciled")
    assert sorted((c.turn, c.code, c.start) for c in agreed) == [
        (2, "child-voice", 0),
        (2, "practice-tools", 0),
    ]  # the first coder's segments
    event = AuditEvent.objects.get(action="interview.reconcile")
    assert event.actor == "third"
    assert event.new_values["decisions"] == {"2:child-voice": "keep", "4:family-engaged": "drop"}


def test_export_gives_the_strand_the_web_codings(tmp_path: Path) -> None:
    project_dir = tmp_path / "project"
    shutil.copytree(VALID_PROJECT, project_dir)
    import_project(project_dir, actor="test")
    lead, _ = user_client("lead", ("*", "evaluator"))
    first, one = user_client("first", ("401", "auditor"))
    second, two = user_client("second", ("401", "auditor"))
    transcript = store(lead, plan(lead, "401", "INT-401-T1-01", "R-0401"), "R-0401")
    lead.post(
        "/interviews/401/double-coding/",
        {"share": "100", "first": str(one.pk), "second": str(two.pk)},
    )
    code(first, transcript, 2, ["practice-tools", "child-voice"])
    code(first, transcript, 4, ["child-voice"], "1", "8")
    code(second, transcript, 2, ["practice-tools"])
    code(second, transcript, 4, ["peer-support"], status=400)  # not in the codebook yet
    second.post(
        f"/interviews/transcript/{transcript.pk}/new-code/",
        {
            "code_id": "peer-support",
            "title": "Peer support",
            "definition": "Workers helping each other",
        },
    )
    code(second, transcript, 4, ["peer-support"])
    coding = Coding.objects.filter(transcript=transcript, code="peer-support").get()
    blind = {"target": f"coding:{coding.pk}", "text": "Peeking"}  # the other coder's coding
    assert first.post(f"/interviews/transcript/{transcript.pk}/memo/", blind).status_code == 400
    memo = second.post(
        f"/interviews/transcript/{transcript.pk}/memo/",
        {"target": f"coding:{coding.pk}", "text": "Support from peers, unprompted"},
    )
    assert memo.status_code == 302
    out = tmp_path / "exported"
    write_project(out, project_files())
    loaded = load_interviews_project(out)
    fieldwork = apply_consent(loaded.tables)
    coded = fieldwork.coded[fieldwork.coded["transcript_id"] == "INT-401-T1-01"]
    got = sorted(zip(coded["turn"].astype(int), coded["code"], coded["pass"], strict=True))
    assert got == [
        (2, "child-voice", "first"),
        (2, "practice-tools", "first"),
        (2, "practice-tools", "second"),
        (4, "child-voice", "first"),
        (4, "peer-support", "second"),
    ]
    turns = fieldwork.turns[fieldwork.turns["transcript_id"] == "INT-401-T1-01"]
    assert list(turns["text"]) == [t.text for t in transcript.turns.all()]
    assert "peer-support" in loaded.files["interview_codebook"].codable
    memos = loaded.tables["interview_memos"]
    assert list(zip(memos["target_kind"], memos["target_id"], strict=True)) == [
        ("coding", f"K-{coding.pk}")
    ]
    from csceval.web.interviews.selectors import transcript_agreement

    web = transcript_agreement(transcript).to_frame()
    strand = agreement(fieldwork, tuple(sorted(loaded.files["interview_codebook"].codable)))
    assert web.equals(strand.to_frame())
    assert TRANSCRIPT.decode().split("\n")[1] not in (out / "data/transcript_turns.csv").read_text()
