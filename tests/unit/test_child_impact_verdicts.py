"""The child-level verdict rule, its family-wise adjustment and its measured operating figures."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from csceval.strands.child_impact.operating_study import operating_figures
from csceval.strands.child_impact.verdicts import holm, operating, strength

nan = math.nan


def test_holm_by_hand() -> None:
    """Sorted 0.01, 0.03, 0.04 of three: 3 x 0.01, then max(0.03, 2 x 0.03), then
    max(0.06, 1 x 0.04); NaN is no test and does not count."""
    got = holm([0.01, 0.04, 0.03, nan])
    assert got[:3] == pytest.approx([0.03, 0.06, 0.06])
    assert math.isnan(got[3])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])


@pytest.mark.parametrize(
    ("p", "p_family", "low", "high", "word"),
    [
        (0.01, 0.04, -3.0, -1.0, "moderate"),
        (0.01, 0.06, -3.0, -1.0, "low"),  # not family-wise
        (0.03, 0.03, -3.0, -0.1, "low"),  # p above 0.02
        (0.08, 0.2, -3.0, 0.5, "low"),  # p below 0.10
        (0.2, 0.5, -3.0, 2.0, "none"),
        (nan, nan, nan, nan, "none"),  # no child had the outcome
    ],
)
def test_the_rule(p: float, p_family: float, low: float, high: float, word: str) -> None:
    assert strength(p, p_family, low, high) == word


def _rows(worlds: dict[int, dict[str, tuple[float, float]]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"world": w, "null": True, "outcome": o, "p_cr2": p, "p_webb_wcr": q}
            for w, outcomes in worlds.items()
            for o, (p, q) in outcomes.items()
        ]
    )


def test_operating_figures_by_hand() -> None:
    """World 1: a's p 0.01 with b's 0.5 (Holm 0.02): a moderate. World 3: a's 0.015 with b's
    0.02 (Holm 0.03 and 0.03): both moderate. World 5: neither; c, outside the family, counts on
    its own (p 0.01: moderate). World 7: nothing. Sizes count p below 0.05."""
    rows = _rows(
        {
            1: {"a": (0.01, 0.04), "b": (0.5, 0.6)},
            3: {"a": (0.015, 0.07), "b": (0.02, 0.03)},
            5: {"a": (0.3, 0.3), "b": (0.9, 0.01), "c": (0.01, 0.2)},
            7: {"a": (0.6, 0.6), "b": (0.07, 0.06)},
        }
    )
    got = operating_figures(rows, ["a", "b"])
    assert got["worlds"] == {"a": 4, "b": 4, "c": 1}
    assert got["size_cr2"] == {"a": 0.5, "b": 0.25, "c": 1.0}
    assert got["size_wild"] == {"a": 0.25, "b": 0.5, "c": 0.0}
    assert got["moderate"] == {"a": 0.5, "b": 0.25, "c": 1.0}
    assert got["moderate_any"] == 0.5
    assert got["family_worlds"] == 4


def test_a_world_missing_a_family_outcome_is_left_out_of_the_family_rate() -> None:
    rows = _rows({1: {"a": (0.01, 0.01)}, 3: {"a": (0.5, 0.5), "b": (0.5, 0.5)}})
    got = operating_figures(rows, ["a", "b"])
    assert got["family_worlds"] == 1
    assert got["moderate_any"] == 0.0
    assert got["size_cr2"] == {"a": 0.5, "b": 0.0}


def test_the_shipped_figures_cover_enough_null_worlds_and_read_as_a_sentence() -> None:
    """The report quotes them; issue 24 asks for size on at least 200 null worlds."""
    figures = operating()
    assert set(figures.family) <= set(figures.worlds)
    assert min(figures.worlds.values()) >= 200
    for shares in (figures.size_cr2, figures.size_wild, figures.moderate):
        assert all(0.0 <= v <= 1.0 for v in shares.values())
    assert 0.0 <= figures.moderate_any <= 1.0
    assert "simulated worlds with no effect" in figures.sentence()
    assert figures.source
