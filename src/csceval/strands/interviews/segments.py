"""Coded segments: offsets inside turns, their text, and offsets carried through redaction.

A coding covers turns ``first_turn`` to ``last_turn``; ``start_char`` (in the first turn's text)
and ``end_char`` (in the last turn's, exclusive) narrow it to a span, in Unicode code points, as
REFI-QDA counts them (Python's ``str`` indexes code points, so a character outside the Basic
Multilingual Plane counts once, never as two UTF-16 units or four bytes). Empty offsets mean the
whole turn. A segment's text is the turns' texts joined by a newline, cut at the offsets.

Offsets found in an original text (an imported selection) are moved onto the de-identified text
by aligning the two (:class:`difflib.SequenceMatcher`): a position in unchanged text moves with
it; a position inside a replaced identifier moves to the start (for a segment start) or the end
(for a segment end) of the tag that replaced it, so a segment never cuts a tag in two.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd


def blank(value: object) -> bool:
    """Whether a table cell is empty (None, NaN, pandas' NA or NaT)."""
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def segment_text(
    texts: Mapping[int, str], first: int, last: int, start: int | None, end: int | None
) -> str:
    """The text a segment selects (turn texts joined by ``\\n``, cut at the offsets)."""
    pieces = [texts[n] for n in range(first, last + 1)]
    if end is not None:
        pieces[-1] = pieces[-1][:end]
    if start is not None:
        pieces[0] = pieces[0][start:]
    return "\n".join(pieces)


@dataclass(frozen=True)
class OffsetMap:
    """Moves positions in an original text onto its de-identified version."""

    opcodes: tuple[tuple[str, int, int, int, int], ...]

    @classmethod
    def of(cls, original: str, redacted: str) -> OffsetMap:
        matcher = difflib.SequenceMatcher(None, original, redacted, autojunk=False)
        return cls(tuple(matcher.get_opcodes()))

    def start(self, position: int) -> int:
        """Where a segment starting at ``position`` starts in the redacted text."""
        for tag, a1, a2, b1, _b2 in self.opcodes:
            if a1 <= position < a2 or (tag == "insert" and position == a1):
                return b1 + (position - a1) if tag == "equal" else b1
        return self.opcodes[-1][4] if self.opcodes else 0

    def end(self, position: int) -> int:
        """Where a segment ending (exclusive) at ``position`` ends in the redacted text."""
        for tag, a1, a2, b1, b2 in self.opcodes:
            if a1 < position <= a2:
                return b1 + (position - a1) if tag == "equal" else b2
        return 0


@dataclass(frozen=True)
class Piece:
    """A stretch of a source text that became part of a turn's text."""

    source_start: int
    source_end: int
    turn_start: int


def to_turn(pieces: list[Piece], position: int, is_end: bool) -> int:
    """A position in the source text as an offset in the turn's text.

    A position between pieces (a speaker prefix, a line break, a CR) moves to the next piece's
    start for a segment start, to the previous piece's end for a segment end.
    """
    previous_end = 0
    for piece in pieces:
        if piece.source_start <= position <= piece.source_end:
            return piece.turn_start + (position - piece.source_start)
        if position < piece.source_start:
            return previous_end if is_end else piece.turn_start
        previous_end = piece.turn_start + (piece.source_end - piece.source_start)
    return previous_end
