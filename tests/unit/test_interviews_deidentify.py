"""De-identification recall: a property test over generated transcripts with planted identifiers
of every kind (the simulator's invented names; nothing real)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from csceval.strands.interviews.deidentify import identifier_spans, residual_identifiers
from csceval.strands.interviews.names import NameLists
from csceval.strands.interviews.plants import KINDS, Planted, identifier, missed, planted_transcript
from csceval.strands.interviews.simulate import PEOPLE, PLACES
from csceval.strands.interviews.store import deidentify_memos, deidentify_turns
from csceval.strands.interviews.transcripts import Turn

NAMES = NameLists(PEOPLE, PLACES)
NAME_PARTS = {p.lower() for n in PEOPLE for p in n.split()} | {p.lower() for p in PLACES}


@settings(deadline=None, max_examples=60)
@given(st.integers(0, 2**32 - 1), st.integers(2, 16))
def test_every_planted_identifier_is_replaced_before_storing(seed: int, n_turns: int) -> None:
    turns, planted = planted_transcript(np.random.default_rng(seed), n_turns, share=0.9)
    stored = deidentify_turns("INT-1", turns, NAMES, {"Interviewer": "I-01"})
    texts = dict(zip(stored.turns["turn"], stored.turns["text"], strict=True))
    assert missed(planted, texts) == []  # recall 100% on every generated transcript
    written = (stored.turns.to_csv() + stored.redactions.to_csv()).lower()
    assert not [part for part in NAME_PARTS if part in written]
    assert not any(residual_identifiers(t) for t in texts.values())
    memo = " ".join(t.text for t in turns)  # a memo quoting the whole transcript
    stored_memo = deidentify_memos(
        [{"memo_id": "M-1", "target_kind": "source", "target_id": "INT-1", "author": "C-01",
          "text": memo, "created": "2026-01-01T00:00:00Z"}], NAMES, {},
    )  # fmt: skip
    assert not [p for p in NAME_PARTS if p in stored_memo.to_csv().lower()]
    as_one = [Planted(p.kind, p.value, 1) for p in planted]
    assert missed(as_one, {1: str(stored_memo.at[0, "text"])}) == []


@settings(deadline=None, max_examples=40)
@given(st.sampled_from(KINDS), st.integers(0, 2**32 - 1))
def test_each_kind_is_recorded_as_its_kind(kind: str, seed: int) -> None:
    sentence, value = identifier(kind, np.random.default_rng(seed))
    stored = deidentify_turns("INT-1", [Turn("R-1", sentence)], NAMES, {})
    kinds = set(stored.redactions["kind"])
    expected = {"date_of_birth": "date"}.get(kind, kind)
    assert kinds == {expected}, (sentence, kinds)
    assert value not in str(stored.turns.at[0, "text"])


def test_identifier_spans_leave_the_lead_words_out() -> None:
    text = "[SYNTHETIC] See case number 1234567 and CH123456, or ring 07700 900123."
    spans = identifier_spans(text)
    assert [(text[a:b], kind) for a, b, kind in spans] == [
        ("1234567", "case_number"),
        ("CH123456", "case_number"),
        ("07700 900123", "phone"),
    ]
