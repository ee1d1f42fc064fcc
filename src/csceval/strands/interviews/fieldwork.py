"""The fieldwork as analysis sees it, after consent is applied, with codings expanded to turns.

A participant whose consent record has a ``withdrawn_date`` is removed from everything: their
participant and attendance rows, every turn they spoke, the redaction records and codings of
those turns, and (when no consenting participant is left in it) the whole transcript, the
interviewer's turns included, since those may paraphrase them. Codings are expanded to one row
per coded turn, so that a coding that spanned a withdrawn turn keeps only the turns left.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

CODED_COLUMNS = ["transcript_id", "turn", "code", "coder", "pass"]


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
    """One row per coded turn: transcript_id, turn, code, coder, pass."""
    withdrawn: tuple[str, ...]


def expand_codings(codings: pd.DataFrame) -> pd.DataFrame:
    """One row per turn a coding covers (first_turn to last_turn inclusive)."""
    columns = ["transcript_id", "first_turn", "last_turn", "code", "coder", "pass"]
    rows = [
        (transcript, turn, code, coder, kind)
        for transcript, first, last, code, coder, kind in codings[columns].itertuples(index=False)
        for turn in range(int(first), int(last) + 1)
    ]
    return pd.DataFrame(rows, columns=CODED_COLUMNS).drop_duplicates(ignore_index=True)


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
    )
