"""Audit instruments (TOML) and scoring: item -> section -> overall, with not-applicable."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from csceval.errors import InputError
from csceval.strands.quality_of_recording.instrument import (
    builtin_instruments,
    default_instrument,
    parse_instrument,
)
from csceval.strands.quality_of_recording.scoring import (
    case_scores,
    disagreements,
    double_ratings,
    item_scores,
)

SMALL = """
id = "tiny"
version = "2.1"
title = "Tiny"

[scoring]
min_answered = 0.5
min_sections = 0.5

[[scales]]
id = "q"
kind = "ordinal"
anchors = [{ value = 1, label = "low" }, { value = 2, label = "mid" },
           { value = 3, label = "high" }]

[[scales]]
id = "yn"
kind = "yes_no"
allow_na = true

[[scales]]
id = "text"
kind = "free_text"

[[sections]]
id = "a"
title = "A"
weight = 1
items = [{ id = "a1", scale = "q", text = "one" }, { id = "a2", scale = "yn", text = "two" }]

[[sections]]
id = "b"
title = "B"
weight = 3
items = [{ id = "b1", scale = "q", text = "three" }, { id = "b2", scale = "yn", text = "four" }]

[[sections]]
id = "c"
title = "C"
weight = 0
items = [{ id = "c1", scale = "text", text = "notes" }]
"""


def test_the_default_instrument_is_valid_and_covers_the_themes() -> None:
    ins = default_instrument()
    assert (ins.id, ins.version) == ("assessment-and-planning", "1.0")
    titles = " ".join(s.title.lower() for s in ins.sections)
    for theme in ("danger and harm", "child's voice", "network", "safety goals", "scaling",
                  "plan", "timeliness"):  # fmt: skip
        assert theme in titles
    assert len(ins.item_ids) == len(set(ins.item_ids)) >= 15
    assert ("assessment-and-planning", "1.0") in builtin_instruments()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda t: t.replace('title = "Tiny"', 'title = "Tiny'), "CSC-E3221"),
        (lambda t: t.replace('title = "Tiny"', ""), "CSC-E3222"),
        (lambda t: t.replace('kind = "yes_no"', 'kind = "maybe"'), "CSC-E3222"),
        (lambda t: t.replace('id = "b1"', 'id = "a1"'), "CSC-E3223"),
        (lambda t: t.replace("value = 3,", "value = 2,"), "CSC-E3224"),
        (lambda t: t.replace('scale = "yn", text = "four"', 'scale = "nope", text = "four"'),
         "CSC-E3225"),
        (lambda t: t.replace("weight = 0", "weight = 1"), "CSC-E3225"),
    ],
)  # fmt: skip
def test_broken_instruments_give_coded_problems(change: object, code: str) -> None:
    assert callable(change)
    with pytest.raises(InputError) as caught:
        parse_instrument(change(SMALL), "tiny.toml")
    assert code in {p.code for p in caught.value.problems}
    assert all(p.file == "tiny.toml" for p in caught.value.problems)


def _audits(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    """(pseudonym, item, value, is_second_rating, reconciled) rows of one site and time point."""
    return pd.DataFrame(
        [
            {"la_code": "871", "pseudonym": p, "time_point": "T1", "rater_id": "r", "item": i,
             "value": v, "is_second_rating": s, "reconciled": r, "instrument": "tiny",
             "instrument_version": "2.1"}
            for p, i, v, s, r in rows
        ]
    )  # fmt: skip


def test_scores_follow_the_documented_rules() -> None:
    ins = parse_instrument(SMALL, "tiny.toml")
    audits = _audits(
        [
            ("P1", "a1", "3", "false", "false"),  # 100
            ("P1", "a2", "na", "false", "false"),  # left out
            ("P1", "b1", "2", "false", "false"),  # 50
            ("P1", "b2", "no", "false", "false"),  # 0
            ("P1", "b2", "yes", "true", "false"),  # second rating: not scored
            ("P1", "c1", "free words", "false", "false"),
            ("P2", "a1", "1", "false", "false"),  # 0
            ("P2", "a2", "yes", "false", "false"),  # 100
            ("P2", "b1", "na", "false", "false"),  # not on scale -> NaN
            ("P2", "b2", "na", "false", "false"),
            ("P2", "b1", "1", "true", "false"),
            ("P2", "a1", "3", "false", "true"),  # reconciled rating wins: 100
        ]
    )
    scores = case_scores(item_scores(audits, ins), ins).set_index("pseudonym")
    assert scores.at["P1", "a"] == 100
    assert scores.at["P1", "b"] == 25
    assert scores.at["P1", "overall"] == pytest.approx((100 + 3 * 25) / 4)
    assert scores.at["P2", "a"] == 100
    assert math.isnan(scores.at["P2", "b"])
    assert math.isnan(scores.at["P2", "overall"])  # section b carries 3/4 of the weight
    pairs = double_ratings(audits, ins, "b2")
    assert pairs.tolist() == [[0.0, 1.0]]
    assert double_ratings(audits, ins, "b1").shape == (1, 2)
    table = disagreements(audits)
    assert table[["pseudonym", "item", "first", "second", "agreed"]].values.tolist() == [
        ["P1", "b2", "no", "yes", ""],
        ["P2", "b1", "na", "1", ""],
    ]
