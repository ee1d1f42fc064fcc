"""The fieldwork as analysis sees it, after consent is applied, with codings expanded to turns.

A participant whose consent record has a ``withdrawn_date`` is removed from everything: their
participant and attendance rows, every turn they spoke, the redaction records and codings of
those turns, and (when no consenting participant is left in it) the whole transcript, the
interviewer's turns included, since those may paraphrase them. Codings are expanded to one row
per coded turn, so that a coding that spanned a withdrawn turn keeps only the turns left.
Memos go with what they are about: a memo on a removed transcript or on a coding with no turn
left is removed, and so is any memo that names a withdrawn participant's pseudonym.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pandas as pd

CODED_COLUMNS = ["transcript_id", "turn", "code", "coder", "pass"]
SEGMENT_COLUMNS = [*CODED_COLUMNS, "start_char", "end_char", "coding_id"]
MEMO_COLUMNS = ["memo_id", "target_kind", "target_id", "author", "text", "created"]


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """An optional column, or empty values where the table (built by hand) lacks it."""
    return frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index)


@dataclass(frozen=True)
class Fieldwork:
    """The fieldwork tables with withdrawn participants removed."""

    interviews: pd.DataFrame
    participants: pd.DataFrame
    attendance: pd.DataFrame
    consents: pd.DataFrame
    turns: pd.DataFrame
    redactions: pd.DataFrame
    coded: pd.DataFrame
    """One row per coded turn: transcript_id, turn, code, coder, pass, and the segment's
    start_char (on its first turn), end_char (on its last) and coding_id."""
    withdrawn: tuple[str, ...]
    memos: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=MEMO_COLUMNS))


def expand_codings(codings: pd.DataFrame) -> pd.DataFrame:
    """One row per turn a coding covers (first_turn to last_turn inclusive).

    A segment's ``start_char`` stays on its first turn and ``end_char`` on its last; the turns
    between are whole. A start of 0 is the turn's start, so it is written as empty.
    """
    columns = ["transcript_id", "first_turn", "last_turn", "code", "coder", "pass"]
    extra = zip(
        _column(codings, "start_char"),
        _column(codings, "end_char"),
        _column(codings, "coding_id"),
        strict=True,
    )
    rows = [
        (transcript, turn, code, coder, kind,
         start if turn == int(first) and not pd.isna(start) and start > 0 else None,
         end if turn == int(last) and not pd.isna(end) else None,
         None if pd.isna(cid) else cid)
        for (transcript, first, last, code, coder, kind), (start, end, cid) in zip(
            codings[columns].itertuples(index=False), extra, strict=True
        )
        for turn in range(int(first), int(last) + 1)
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=SEGMENT_COLUMNS).astype(
        {"start_char": "Int64", "end_char": "Int64", "coding_id": object}
    )
    return frame.drop_duplicates(ignore_index=True)


def kept_memos(
    memos: pd.DataFrame, coded: pd.DataFrame, turns: pd.DataFrame, gone: set[str]
) -> pd.DataFrame:
    """Memos whose target is still there and that name no withdrawn participant."""
    alive = {
        "source": set(turns["transcript_id"]),
        "coding": set(coded["coding_id"].dropna()),
    }
    named = re.compile("|".join(rf"(?<![\w-]){re.escape(p)}(?![\w-])" for p in sorted(gone)))
    ok = [
        (kind not in alive or target in alive[kind]) and not (gone and named.search(str(text)))
        for kind, target, text in memos[["target_kind", "target_id", "text"]].itertuples(
            index=False
        )
    ]
    return memos[pd.Series(ok, index=memos.index, dtype=bool)].reset_index(drop=True)


def withdrawn_participants(consents: pd.DataFrame) -> tuple[str, ...]:
    """Pseudonyms whose consent is withdrawn."""
    gone = consents[consents["withdrawn_date"].notna()]
    return tuple(sorted(str(p) for p in gone["participant"]))


def apply_consent(tables: Mapping[str, pd.DataFrame]) -> Fieldwork:
    """The fieldwork with every withdrawn participant's data removed."""
    withdrawn = withdrawn_participants(tables["interview_consents"])
    gone = set(withdrawn)
    attendance = tables["interview_attendance"]
    attendance = attendance[~attendance["participant"].isin(gone)]
    turns = tables["transcript_turns"]
    kept_transcripts = set(attendance["interview_id"])
    had_participants = set(tables["interview_attendance"]["interview_id"])
    empty = had_participants - kept_transcripts
    turns = turns[~turns["speaker"].isin(gone) & ~turns["transcript_id"].isin(empty)]
    keys = pd.MultiIndex.from_frame(turns[["transcript_id", "turn"]].astype({"turn": int}))

    def kept(frame: pd.DataFrame) -> pd.DataFrame:
        index = pd.MultiIndex.from_frame(frame[["transcript_id", "turn"]].astype({"turn": int}))
        return frame[index.isin(keys)].reset_index(drop=True)

    coded = expand_codings(tables["interview_codings"])
    participants = tables["interview_participants"]
    consents = tables["interview_consents"]
    return Fieldwork(
        interviews=tables["interviews"].reset_index(drop=True),
        participants=participants[~participants["participant"].isin(gone)].reset_index(drop=True),
        attendance=attendance.reset_index(drop=True),
        consents=consents[~consents["participant"].isin(gone)].reset_index(drop=True),
        turns=turns.reset_index(drop=True),
        redactions=kept(tables["transcript_redactions"]),
        coded=kept(coded),
        withdrawn=withdrawn,
        memos=kept_memos(
            tables.get("interview_memos", pd.DataFrame(columns=MEMO_COLUMNS)),
            kept(coded),
            turns,
            gone,
        ),
    )
