"""csceval.formula_injection: OWASP CSV-injection neutralisation of text cells."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csceval.formula_injection import QUOTE, TRIGGERS, is_dangerous, neutralise, neutralise_frame

PATTERNS = [
    *(trigger + "1+1" for trigger in TRIGGERS),
    '=HYPERLINK("http://evil.example/steal","x")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)",
]


@pytest.mark.parametrize("text", PATTERNS)
def test_each_pattern_gets_a_leading_quote(text: str) -> None:
    assert is_dangerous(text)
    assert neutralise(text) == QUOTE + text


@pytest.mark.parametrize(
    "value",
    [-1, -1.5, 0, 3, math.inf, True, None, "plain text", "1-2", "", "-4", "+1.5", "-2e3", "-", "="],
)
def test_numbers_and_harmless_text_pass_through(value: object) -> None:
    assert neutralise(value) is value


@given(st.text())
def test_neutralised_text_never_starts_a_formula(text: str) -> None:
    out = neutralise(text)
    number = len(text) < 2 or (text[:1] in "+-" and text[1:2].isdigit() and text[1:].isascii())
    assert not is_dangerous(out) or number
    assert out.removeprefix(QUOTE) == text or out == text
    assert neutralise(out) == out  # idempotent


def test_a_frame_is_neutralised_cell_by_cell_and_the_original_kept() -> None:
    frame = pd.DataFrame({"=name": ["=1+1", "ok"], "n": [-1, 2]})
    out = neutralise_frame(frame)
    assert list(out.columns) == ["'=name", "n"]
    assert out["'=name"].tolist() == ["'=1+1", "ok"]
    assert out["n"].tolist() == [-1, 2]
    assert frame.iloc[0, 0] == "=1+1"


def test_the_triggers_are_owasps() -> None:
    assert set(TRIGGERS) == {"=", "+", "-", "@", "\t", "\r"}
