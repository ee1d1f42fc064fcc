"""Intercoder agreement against a hand-computed golden example and csceval.reliability."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.reliability import cohen_kappa, krippendorff_alpha, percent_agreement
from csceval.strands.interviews.agreement import agreement
from csceval.strands.interviews.fieldwork import apply_consent

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "interviews" / "agreement_hand.json"
SPEAKERS = {
    "INT-1": ["I-1", "R-1", "R-1", "I-1", "R-1", "R-1", "R-1"],
    "INT-2": ["I-1", "R-2", "R-2", "R-2", "R-2", "R-2"],
    "INT-3": ["I-1", "R-3"],
}
CODINGS = [  # (transcript, first, last, code, coder, pass)
    ("INT-1", 2, 5, "child-voice", "C-1", "first"),  # turn 4 is the interviewer's: ignored
    ("INT-2", 5, 5, "child-voice", "C-1", "first"),
    ("INT-2", 6, 6, "practice-leads", "C-1", "first"),
    ("INT-1", 2, 3, "child-voice", "C-2", "second"),
    ("INT-2", 4, 5, "child-voice", "C-2", "second"),
    ("INT-1", 1, 1, "practice-leads", "C-2", "second"),  # an interviewer turn: not a unit
    ("INT-3", 2, 2, "child-voice", "C-1", "first"),  # coded once: not in agreement
]


def tables(withdrawn: str = "") -> dict[str, pd.DataFrame]:
    turns = pd.DataFrame(
        [
            (t, n, s, f"[SYNTHETIC] turn {n}")
            for t, speakers in SPEAKERS.items()
            for n, s in enumerate(speakers, start=1)
        ],
        columns=["transcript_id", "turn", "speaker", "text"],
    )
    people = sorted({s for ss in SPEAKERS.values() for s in ss if s.startswith("R-")})
    return {
        "interviews": pd.DataFrame({"interview_id": list(SPEAKERS)}),
        "interview_participants": pd.DataFrame({"participant": people}),
        "interview_attendance": pd.DataFrame(
            {"interview_id": list(SPEAKERS), "participant": people}
        ),
        "interview_consents": pd.DataFrame(
            {
                "participant": people,
                "withdrawn_date": ["2020-01-01" if p == withdrawn else None for p in people],
            }
        ),
        "transcript_turns": turns,
        "transcript_redactions": pd.DataFrame(columns=["transcript_id", "turn", "kind"]),
        "interview_codings": pd.DataFrame(
            CODINGS, columns=["transcript_id", "first_turn", "last_turn", "code", "coder", "pass"]
        ),
    }


def test_agreement_equals_the_hand_computation() -> None:
    golden = json.loads(GOLDEN.read_text())
    result = agreement(apply_consent(tables()), ("child-voice", "practice-leads", "unused"))
    assert result.transcripts == ("INT-1", "INT-2")
    got = {r.code: r for r in (*result.codes, result.pooled)}
    assert set(got) == set(golden["expected"])
    for code, expected in golden["expected"].items():
        for name, value in expected.items():
            assert getattr(got[code], name) == pytest.approx(value, abs=1e-9), (code, name)
    assert got["child-voice"].n_units == 10
    assert got["(pooled)"].n_units == 20
    assert len(result.disagreements) == 3


def test_agreement_equals_csceval_reliability_on_the_same_units() -> None:
    golden = json.loads(GOLDEN.read_text())
    result = agreement(apply_consent(tables()), ("child-voice", "practice-leads"))
    for r in result.codes:
        m = np.column_stack([golden["first"][r.code], golden["second"][r.code]]).astype(float)
        assert r.kappa == pytest.approx(cohen_kappa(m, categories=[0, 1]).estimate, abs=1e-12)
        assert r.alpha == pytest.approx(krippendorff_alpha(m, categories=[0, 1]).estimate)
        assert r.agreement == pytest.approx(percent_agreement(m).estimate)


def test_a_withdrawal_removes_the_persons_turns_from_agreement() -> None:
    result = agreement(apply_consent(tables(withdrawn="R-2")), ("child-voice",))
    assert result.transcripts == ("INT-1",)
    assert result.codes[0].n_units == 5
    assert "INT-2" not in set(result.disagreements["transcript_id"])


def test_codes_nobody_used_in_double_coded_transcripts_are_not_listed() -> None:
    result = agreement(apply_consent(tables()), ("child-voice", "practice-leads", "unused"))
    assert [r.code for r in result.codes] == ["child-voice", "practice-leads"]
