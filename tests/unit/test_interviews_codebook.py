"""Codebook versions: merge and split carry their codings and memos; the change log; ``.qdc``."""

from __future__ import annotations

import pandas as pd
import pytest
from lxml import etree  # type: ignore[import-untyped]
from qual_helpers import qdc_schema, refi_schema

from csceval.errors import InputError
from csceval.strands.interviews.codebook import Change, Code, default_codebook, parse_codebook
from csceval.strands.interviews.codebook_edit import (
    SplitRule,
    codebook_to_toml,
    merge,
    next_version,
    segment_key,
    split,
)
from csceval.strands.interviews.qdc import qdc_bytes, read_qdc

__all__ = ["qdc_schema", "refi_schema"]
CODINGS = pd.DataFrame(
    [  # transcript, first, last, code, coder, pass, start, end, coding id
        ("INT-1", 2, 2, "child-voice", "C-01", "first", None, None, "K-1"),
        ("INT-1", 2, 2, "collaborative-assessment", "C-01", "first", None, None, "K-2"),
        ("INT-1", 4, 4, "collaborative-assessment", "C-02", "second", 3, 9, None),
        ("INT-2", 2, 3, "practice-tools", "C-01", "first", None, None, "K-3"),
        ("INT-2", 5, 5, "practice-tools", "C-01", "first", 0, 12, "K-4"),
        ("INT-2", 6, 6, "practice-tools", "C-02", "second", 1, 7, None),
    ],
    columns=["transcript_id", "first_turn", "last_turn", "code", "coder", "pass",
             "start_char", "end_char", "coding_id"],
).astype({"start_char": "Int64", "end_char": "Int64"})  # fmt: skip
MEMOS = pd.DataFrame(
    {"memo_id": ["M-1", "M-2"], "target_kind": ["code", "coding"],
     "target_id": ["collaborative-assessment", "K-2"]}
)  # fmt: skip


def test_merge_carries_codings_and_memos_and_logs_a_version() -> None:
    book = default_codebook()
    edited = merge(book, CODINGS, ["collaborative-assessment"], into="child-voice", memos=MEMOS)
    ids = [c.id for c in edited.codebook.codes]
    assert "collaborative-assessment" not in ids
    assert "child-voice" in ids
    assert edited.codebook.version == "1.1"
    assert edited.codebook.changes == (
        Change("1.1", "merged collaborative-assessment into child-voice"),
    )
    codes = edited.codings.set_index(edited.codings.index)["code"].tolist()
    assert "collaborative-assessment" not in codes
    # the turn coded with both merged codes by one coder and pass is now one coding
    assert len(edited.codings) == len(CODINGS) - 1
    assert codes.count("child-voice") == 2
    assert edited.memos is not None
    assert edited.memos["target_id"].tolist() == ["child-voice", "K-2"]
    again = parse_codebook(codebook_to_toml(edited.codebook).encode())
    assert again == edited.codebook  # every field and the change log survive the file


def test_split_moves_the_codings_the_rule_selects() -> None:
    book = default_codebook()
    new = Code("three-houses", "Three houses tool", "The three houses tool in use.",
               parent="practice", include="Drawing with children.")  # fmt: skip
    second = segment_key({str(k): v for k, v in CODINGS.iloc[5].to_dict().items()})
    assert second == "INT-2:6-6:1-7:C-02:second"
    edited = split(book, CODINGS, "practice-tools", [SplitRule(new, ("K-4", second, "K-1"))])
    moved = edited.codings.set_index("coding_id", drop=False)
    assert edited.codings["code"].tolist() == [
        "child-voice",  # K-1 is not a practice-tools coding: left alone
        "collaborative-assessment",
        "collaborative-assessment",
        "practice-tools",
        "three-houses",
        "three-houses",
    ]
    assert moved.loc["K-3", "code"] == "practice-tools"
    assert edited.codebook.code("three-houses").include == "Drawing with children."
    assert edited.codebook.changes[-1] == Change("1.1", "split practice-tools into "
                                                        "practice-tools, three-houses")  # fmt: skip
    merged = merge(edited.codebook, edited.codings, ["three-houses"], "practice-tools")
    assert merged.codebook.version == "1.2"
    assert len(merged.codebook.changes) == 2
    assert merged.codings["code"].tolist() == CODINGS["code"].tolist()  # split undone


@pytest.mark.parametrize(
    "call",
    [
        lambda b: merge(b, CODINGS, ["nope"], "child-voice"),
        lambda b: merge(b, CODINGS, ["child-voice"], "child-voice"),
        lambda b: split(b, CODINGS, "child-voice", [SplitRule(b.code("practice-tools"))]),
        lambda b: split(b, CODINGS, "nope", [SplitRule(Code("x", "X", "X."))]),
    ],
)
def test_bad_edits_are_coded_problems(call: object) -> None:
    with pytest.raises(InputError) as caught:
        call(default_codebook())  # type: ignore[operator]
    assert {p.code for p in caught.value.problems} == {"CSC-E3615"}


def test_versions_step_on() -> None:
    assert [next_version(v) for v in ("1.0", "2", "1.9", "draft")] == [
        "1.1", "3", "1.10", "draft.1"]  # fmt: skip


def test_qdc_validates_and_round_trips(qdc_schema: etree.XMLSchema) -> None:
    book = default_codebook()
    data = qdc_bytes(book)
    assert qdc_schema.validate(etree.fromstring(data)), qdc_schema.error_log
    back = read_qdc(data, "codebook.qdc")
    assert back.codes == book.codes  # ids, hierarchy, definitions and criteria
    assert qdc_bytes(back) == data


def test_broken_qdc_files_are_coded_problems() -> None:
    for data, code in (
        (b"<CodeBook xmlns='urn:QDA-XML:project:1.0'><Codes/></CodeBook>", "CSC-E3616"),
        (b"<a>", "CSC-E3604"),
        (b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', "CSC-E3604"),
    ):
        with pytest.raises(InputError) as caught:
            read_qdc(data, "bad.qdc")
        assert {p.code for p in caught.value.problems} == {code}
