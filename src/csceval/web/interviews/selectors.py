"""Reads for the interview pages: the codebook, what a coder may see, agreement and search.

Agreement and disagreements come from the strand's own functions
(:func:`csceval.strands.interviews.agreement.agreement`,
:func:`csceval.strands.interviews.reconcile.disagreements`) applied to the rows export writes,
so the page shows what the analysis computes from the exported project.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.db.models import QuerySet

from csceval.strands.interviews.agreement import Agreement, agreement
from csceval.strands.interviews.codebook import (
    CODEBOOK_FILE,
    Codebook,
    default_codebook,
    parse_codebook,
)
from csceval.strands.interviews.fieldwork import Fieldwork, expand_codings
from csceval.strands.interviews.reconcile import disagreements as strand_disagreements
from csceval.strands.interviews.tables import CODINGS, TURNS
from csceval.web.evaluation.models import ProjectFile
from csceval.web.interviews.exports import codings_of
from csceval.web.interviews.models import Coding, InductiveCode, Transcript


def project_codebook() -> Codebook:
    """The imported project's codebook, or the default one."""
    stored = ProjectFile.objects.filter(path=CODEBOOK_FILE).first()
    return parse_codebook(bytes(stored.content)) if stored is not None else default_codebook()


@dataclass(frozen=True)
class CodeChoice:
    id: str
    label: str
    codable: bool
    inductive: bool


def codes() -> list[CodeChoice]:
    """Every code: the codebook's (with their place in the hierarchy), then inductive ones."""
    book = project_codebook()
    out = [CodeChoice(c.id, book.path(c.id), c.codable, False) for c in book.codes]
    titles = {c.id: c.label for c in out}
    for ind in InductiveCode.objects.order_by("added_at", "pk"):
        label = f"{titles[ind.parent]} / {ind.title}" if ind.parent in titles else ind.title
        titles[ind.code_id] = label
        out.append(CodeChoice(ind.code_id, label, True, True))
    return out


def code_ids(codable_only: bool = True) -> set[str]:
    return {c.id for c in codes() if c.codable or not codable_only}


def visible_codings(user: Any, transcript: Transcript) -> QuerySet[Coding]:
    """The codings ``user`` may see: their own only while a blind double coding is open."""
    found = transcript.codings.select_related("coder")
    if transcript.double and not (transcript.first_done and transcript.second_done):
        return found.filter(coder=user)
    return found


def codings_frame(transcript: Transcript) -> pd.DataFrame:
    """The transcript's codings as rows of data/interview_codings.csv (what export writes)."""
    rows = codings_of(transcript.codings.all())
    return pd.DataFrame(rows, columns=list(CODINGS.column_names)).astype(
        {"first_turn": int, "last_turn": int, "start_char": int, "end_char": int}
    )


def turns_frame(transcript: Transcript) -> pd.DataFrame:
    rows = [
        (transcript.interview.interview_id, t.number, t.speaker, t.start_s, t.end_s, t.text)
        for t in transcript.turns.all()
    ]
    return pd.DataFrame(rows, columns=list(TURNS.column_names))


def transcript_agreement(transcript: Transcript) -> Agreement:
    """Agreement per code, by the strand's function on the strand's units."""
    empty = pd.DataFrame()
    fieldwork = Fieldwork(
        empty,
        empty,
        empty,
        empty,
        turns_frame(transcript),
        empty,
        expand_codings(codings_frame(transcript)),
        (),
    )
    return agreement(fieldwork, tuple(sorted(code_ids())))


def disagreements(transcript: Transcript) -> pd.DataFrame:
    """Units (turn, code) where the blind coders differ, with the turn's speaker and text
    (the strand's :func:`~csceval.strands.interviews.reconcile.disagreements`)."""
    return strand_disagreements(codings_frame(transcript), turns_frame(transcript))


def search(transcript: Transcript, words: str) -> list[int]:
    """Numbers of the turns whose text holds ``words`` (case-insensitive)."""
    needle = words.strip().lower()
    return [t.number for t in transcript.turns.all() if needle and needle in t.text.lower()]
