"""Reconciliation: the disagreement list, the reconciler's decisions and the agreed codings."""

from __future__ import annotations

import pandas as pd
import pytest
from test_interviews_agreement import tables

from csceval.errors import InputError
from csceval.strands.interviews.agreement import agreement
from csceval.strands.interviews.fieldwork import apply_consent
from csceval.strands.interviews.reconcile import disagreements, reconcile

DECISIONS = pd.DataFrame(
    [
        ("INT-1", 5, "child-voice", "apply", "C-3"),
        ("INT-2", 4, "child-voice", "omit", "C-3"),
        ("INT-2", 6, "practice-leads", "apply", "C-3"),
        ("INT-1", 1, "practice-leads", "omit", "C-3"),
    ],
    columns=["transcript_id", "turn", "code", "decision", "decided_by"],
)


def test_disagreements_by_transcript_match_the_agreement_units() -> None:
    t = tables()
    listed = disagreements(t["interview_codings"], t["transcript_turns"])
    units = list(zip(listed["transcript_id"], listed["turn"], listed["code"], strict=True))
    assert units == [
        ("INT-1", 1, "practice-leads"),  # an interviewer turn: listed, not in the statistics
        ("INT-1", 4, "child-voice"),
        ("INT-1", 5, "child-voice"),
        ("INT-2", 4, "child-voice"),
        ("INT-2", 6, "practice-leads"),
    ]
    assert str(listed.at[2, "first"]) == "C-1"
    assert bool(listed["second"].isna().iloc[2])
    assert listed.loc[2, "speaker"] == "R-1"
    assert listed.loc[2, "text"] == "[SYNTHETIC] turn 5"
    stats = agreement(apply_consent(t), ("child-voice", "practice-leads")).disagreements
    participant = listed[listed["speaker"].str.startswith("R-")]
    assert sorted(map(tuple, stats[["transcript_id", "turn", "code"]].to_numpy())) == sorted(
        map(tuple, participant[["transcript_id", "turn", "code"]].to_numpy())
    )


def test_reconcile_gives_the_agreed_codings_and_who_decided() -> None:
    result = reconcile(tables()["interview_codings"], DECISIONS)
    got = result.codings[["transcript_id", "first_turn", "code", "coder", "pass"]]
    assert got.to_numpy().tolist() == [
        ["INT-1", 2, "child-voice", "C-1", "reconciled"],
        ["INT-1", 3, "child-voice", "C-1", "reconciled"],
        ["INT-1", 5, "child-voice", "C-3", "reconciled"],
        ["INT-2", 5, "child-voice", "C-1", "reconciled"],
        ["INT-2", 6, "practice-leads", "C-3", "reconciled"],
    ]
    assert result.pending[["transcript_id", "turn"]].to_numpy().tolist() == [["INT-1", 4]]
    record = result.record.set_index(["transcript_id", "turn", "code"])
    assert record.loc[("INT-1", 2, "child-voice"), "decided_by"] == "agreed"
    assert record.loc[("INT-2", 4, "child-voice"), "decision"] == "omit"
    assert len(record) == 7  # 3 agreed + 4 decided
    assert "INT-3" not in set(result.codings["transcript_id"])  # coded once: nothing to settle


@pytest.mark.parametrize(
    "row",
    [
        ("INT-1", 2, "child-voice", "apply", "C-3"),  # agreed already
        ("INT-1", 5, "child-voice", "maybe", "C-3"),
        ("INT-1", 5, "child-voice", "apply", "Jane"),
        ("INT-3", 2, "child-voice", "apply", "C-3"),  # coded once
    ],
)
def test_bad_decisions_are_coded_problems(row: tuple[object, ...]) -> None:
    bad = pd.DataFrame([row], columns=DECISIONS.columns)
    with pytest.raises(InputError) as caught:
        reconcile(tables()["interview_codings"], pd.concat([DECISIONS.iloc[:1], bad]))
    assert {p.code for p in caught.value.problems} == {"CSC-E3634"}


def test_no_decisions_or_no_double_coding_leave_everything_pending_or_empty() -> None:
    codings = tables()["interview_codings"]
    none = pd.DataFrame(columns=DECISIONS.columns)
    result = reconcile(codings, none)
    assert len(result.codings) == 3  # the agreed units alone
    assert len(result.pending) == 5
    once = reconcile(codings[codings["pass"] == "first"], none)
    assert once.codings.empty
    assert once.record.empty
    assert disagreements(codings.iloc[:0]).empty
