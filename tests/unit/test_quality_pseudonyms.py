"""Keyed pseudonyms: deterministic, unlinkable across keys, key never exposed."""

from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from csceval.errors import InputError
from csceval.strands.quality_of_recording.pseudonyms import (
    PseudonymKey,
    key_problems,
    pseudonym,
    pseudonymise,
    reidentify,
)

KEY = "correct-horse-battery-staple-871"
keys = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=16).filter(
    lambda k: len(set(k)) >= 6
)
case_ids = st.text(alphabet="ABCDEFGHIJ0123456789-", min_size=1, max_size=12).filter(str.strip)


@given(key=keys, ids=st.lists(case_ids, min_size=1, max_size=30))
def test_same_key_and_ids_always_give_the_same_pseudonyms(key: str, ids: list[str]) -> None:
    assert pseudonymise(key, "871", ids) == pseudonymise(PseudonymKey(key), "871", ids)


@settings(max_examples=30)
@given(key_a=keys, key_b=keys)
def test_different_keys_give_unlinkable_pseudonyms(key_a: str, key_b: str) -> None:
    if key_a == key_b:
        return
    ids = [f"C{i:06d}" for i in range(2000)]
    a, b = pseudonymise(key_a, "871", ids), pseudonymise(key_b, "871", ids)
    assert not set(a) & set(b)
    assert len(set(a)) == len(ids)


def test_pseudonym_format_and_la_code_enters_the_message() -> None:
    p = pseudonym(KEY, "871", "C1")
    assert re.fullmatch(r"P-[A-Z2-7]{16}", p)
    assert p != pseudonym(KEY, "872", "C1")
    assert p == pseudonym(KEY, "871", "  C1 ")
    assert p != pseudonym(KEY, "871", "c1")


@pytest.mark.parametrize("weak", ["", "short", "aaaaaaaaaaaaaaaaaaaa", "abababababababab"])
def test_weak_keys_are_refused_without_echoing_them(weak: str) -> None:
    problems = key_problems(weak)
    assert [p.code for p in problems] == ["CSC-E3201"]
    with pytest.raises(InputError) as caught:
        PseudonymKey(weak)
    if weak:
        assert weak not in str(caught.value)


def test_the_key_is_never_shown_or_serialised() -> None:
    key = PseudonymKey(KEY)
    assert KEY not in repr(key)
    with pytest.raises(TypeError):
        pickle.dumps(key)


def test_the_la_can_look_its_cases_up_again() -> None:
    ids = ["A1", "A2", "A3"]
    wanted = [*pseudonymise(KEY, "871", ["A2", "A3"]), "P-NOTINTHELIST0000"]
    assert sorted(reidentify(KEY, "871", ids, wanted).values()) == ["A2", "A3"]
