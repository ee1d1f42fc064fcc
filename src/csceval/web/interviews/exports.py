"""The interview rows the platform adds to a project's files on export.

The fieldwork plan (``data/interviews.csv``, participants, consents, attendance), the stored
transcripts (``data/transcript_turns.csv`` and ``data/transcript_redactions.csv``) and every
coding (``data/interview_codings.csv``), memo and reconciliation decision are merged with the
imported project's rows, and the inductive codes added while coding are appended to the
codebook (``interviews/codebook.toml``). A coding is a segment within one turn, so it is exported as
``first_turn = last_turn`` = its turn with ``start_char``/``end_char`` (code points) and the
quote; coders and memo authors are exported as ``C-<user id>``, codings as ``K-<id>``, memos as
``M-<id>``. ``csceval run`` then
analyses web-coded data on the one analysis path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib.resources import files

from django.db.models import QuerySet

from csceval.project.schema import TableSchema
from csceval.strands.interviews.codebook import CODEBOOK_FILE, parse_codebook
from csceval.strands.interviews.tables import (
    ATTENDANCE,
    CODINGS,
    CONSENTS,
    INTERVIEWS,
    MEMOS,
    PARTICIPANTS,
    RECONCILIATIONS,
    REDACTIONS,
    TURNS,
)
from csceval.web.evaluation.project_io import merge_csv_rows
from csceval.web.interviews.models import (
    Coding,
    InductiveCode,
    Interview,
    Memo,
    Participant,
    Redaction,
    Transcript,
    Turn,
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def interview_rows() -> list[dict[str, str]]:
    return [
        {
            "interview_id": i.interview_id,
            "la_code": i.site.la_code,
            "time_point": i.time_point,
            "kind": i.kind,
            "topic_guide_version": i.topic_guide_version,
            "status": "done" if hasattr(i, "transcript") else "planned",
        }
        for i in Interview.objects.select_related("site", "transcript")
    ]


def participant_rows() -> list[dict[str, str]]:
    return [
        {"participant": p.pseudonym, "la_code": p.site.la_code, "role": p.role}
        for p in Participant.objects.select_related("site")
    ]


def consent_rows() -> list[dict[str, str]]:
    return [
        {
            "participant": p.pseudonym,
            "form_version": p.form_version,
            "consent_date": p.consent_date.isoformat(),
            "scope": p.scope,
            "withdrawn_date": "",
        }
        for p in Participant.objects.all()
    ]


def attendance_rows() -> list[dict[str, str]]:
    return [
        {"interview_id": i.interview_id, "participant": p.pseudonym}
        for p in Participant.objects.prefetch_related("interviews")
        for i in p.interviews.all()
    ]


def turn_rows() -> list[dict[str, str]]:
    return [
        {
            "transcript_id": t.transcript.interview.interview_id,
            "turn": str(t.number),
            "speaker": t.speaker,
            "start_s": _number(t.start_s),
            "end_s": _number(t.end_s),
            "text": t.text,
        }
        for t in Turn.objects.select_related("transcript__interview")
    ]


def redaction_rows() -> list[dict[str, str]]:
    return [
        {
            "transcript_id": r.transcript.interview.interview_id,
            "turn": str(r.turn),
            "kind": r.kind,
            "tag": r.tag,
            "count": str(r.count),
        }
        for r in Redaction.objects.select_related("transcript__interview")
    ]


def coding_rows() -> list[dict[str, str]]:
    return codings_of(Coding.objects.all())


def codings_of(codings: QuerySet[Coding]) -> list[dict[str, str]]:
    """Rows of data/interview_codings.csv: one per segment, code, coder and pass (repeats of
    one key dropped)."""
    rows: dict[tuple[str, ...], dict[str, str]] = {}
    for c in codings.select_related("transcript__interview").order_by("pk"):
        row = {
            "transcript_id": c.transcript.interview.interview_id,
            "first_turn": str(c.turn),
            "last_turn": str(c.turn),
            "code": c.code,
            "coder": coder_pseudonym(c.coder_id),
            "pass": c.coding_pass,
            "start_char": str(c.start),
            "end_char": str(c.end),
            "coding_id": f"K-{c.pk}",
            "quote": c.text,
        }
        rows.setdefault(tuple(row[k] for k in CODINGS.key), row)
    return list(rows.values())


def coder_pseudonym(user_id: int) -> str:
    return f"C-{user_id}"


def memo_rows() -> list[dict[str, str]]:
    """Every memo, its target as the strand names it (a transcript is a ``source``)."""
    out = []
    for m in Memo.objects.select_related("transcript__interview"):
        target = {"source": m.transcript.interview.interview_id, "coding": f"K-{m.target_id}"}
        out.append(
            {
                "memo_id": f"M-{m.pk}",
                "target_kind": m.target_kind,
                "target_id": target.get(m.target_kind, m.target_id),
                "author": coder_pseudonym(m.author_id),
                "text": m.text,
                "created": m.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        )
    return out


def reconciliation_rows() -> list[dict[str, str]]:
    """For each unit of a reconciled transcript: who applied it, the decision and who made it."""
    out = []
    for t in Transcript.objects.filter(reconciled=True).select_related("interview"):
        used: dict[tuple[int, str], dict[str, str]] = {}
        for c in t.codings.filter(coding_pass__in=("first", "second")):
            used.setdefault((c.turn, c.code), {})[c.coding_pass] = coder_pseudonym(c.coder_id)
        decided = {(d.turn, d.code): d for d in t.decisions.all()}
        for (turn, code), who in used.items():
            d = decided.get((turn, code))
            out.append(
                {
                    "transcript_id": t.interview.interview_id,
                    "turn": str(turn),
                    "code": code,
                    "first": who.get("first", ""),
                    "second": who.get("second", ""),
                    "decision": "apply" if d is None or d.keep else "omit",
                    "decided_by": coder_pseudonym(d.decided_by_id) if d else "agreed",
                }
            )
    return out


def exported_codebook(imported: bytes | None) -> bytes | None:
    """The codebook with the inductive codes appended (unchanged when there are none)."""
    added = list(InductiveCode.objects.order_by("added_at", "pk"))
    if not added:
        return None
    if imported is None:
        package = files("csceval.strands.interviews")
        imported = package.joinpath("defaults").joinpath("codebook.toml").read_bytes()
    parse_codebook(imported)  # the base must be valid before codes are appended
    lines = [imported.decode("utf-8").rstrip("\n"), ""]
    for c in added:
        lines += [
            "[[codes]]",
            f"id = {json.dumps(c.code_id)}",
            f"title = {json.dumps(c.title)}",
            f"definition = {json.dumps(c.definition)}",
        ]
        lines += [f"parent = {json.dumps(c.parent)}"] if c.parent else []
        lines += [""]
    return "\n".join(lines).encode("utf-8")


class _Source:
    """A table source: the imported CSV merged with the rows ``rows()`` gives at export time."""

    def __init__(self, schema: TableSchema, rows: Callable[[], list[dict[str, str]]]) -> None:
        self.schema, self.rows = schema, rows

    def __call__(self, imported: bytes | None) -> bytes | None:
        s = self.schema
        collected = sorted(self.rows(), key=lambda r: tuple(r[k] for k in s.key))
        return merge_csv_rows(imported, s.column_names, s.key, collected)


TABLE_SOURCES: dict[str, Callable[[bytes | None], bytes | None]] = {
    INTERVIEWS.file: _Source(INTERVIEWS, interview_rows),
    PARTICIPANTS.file: _Source(PARTICIPANTS, participant_rows),
    CONSENTS.file: _Source(CONSENTS, consent_rows),
    ATTENDANCE.file: _Source(ATTENDANCE, attendance_rows),
    TURNS.file: _Source(TURNS, turn_rows),
    REDACTIONS.file: _Source(REDACTIONS, redaction_rows),
    CODINGS.file: _Source(CODINGS, coding_rows),
    MEMOS.file: _Source(MEMOS, memo_rows),
    RECONCILIATIONS.file: _Source(RECONCILIATIONS, reconciliation_rows),
    CODEBOOK_FILE: exported_codebook,
}
