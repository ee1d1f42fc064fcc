"""Truth check on hand-made inputs: the truth file, the estimand, the flags and the luck."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from csceval.errors import InputError
from csceval.strands.truth_check.analysis import check_estimates, judge
from csceval.strands.truth_check.estimand import true_effect
from csceval.strands.truth_check.luck import at_most, at_most_nominal, one_in
from csceval.strands.truth_check.truth_file import InjectedTruth, parse_truth

TRUTH = {
    "synthetic": True,
    "seed": 7,
    "effects": [
        {"indicator": "cpp_rate_per_10k", "applies_to": ["cpp_count_31mar", "cpp_rate_per_10k"],
         "form": "relative", "per_pilot": {"A": -0.10, "B": -0.20}},
        {"indicator": "rereferral_within_12m_pct", "applies_to": ["rereferral_within_12m_pct"],
         "form": "absolute_pp", "per_pilot": {"A": -2.0, "B": -1.0}},
    ],
    "null_indicators": ["referral_rate_per_10k"],
    "exposure": {
        "A": {"cpp_rate_per_10k": {"2014": 0.0, "2015": 0.5, "2016": 1.0, "2017": 1.0},
              "rereferral_within_12m_pct": {"2015": 1.0, "2016": 1.0, "2017": 1.0}},
        "B": {"cpp_rate_per_10k": {"2016": 0.0, "2017": 1.0},
              "rereferral_within_12m_pct": {"2017": 0.5}},
    },
}  # fmt: skip
ADOPTION = {"A": 2015, "B": 2017}


def _truth(**change: object) -> InjectedTruth:
    return parse_truth(json.dumps({**TRUTH, **change}).encode())


def test_truth_weights_pilots_or_pilot_years_on_the_log_scale() -> None:
    truth = _truth()
    a = [math.log1p(-0.05), math.log1p(-0.1), math.log1p(-0.1)]
    b = [math.log1p(-0.2)]
    pooled = true_effect(truth, "cpp_rate_per_10k", "log", "synth_pooled", ADOPTION, 2017)
    did = true_effect(truth, "cpp_rate_per_10k", "log", "did", ADOPTION, 2017)
    assert pooled == pytest.approx(100 * math.expm1((np.mean(a) + np.mean(b)) / 2))
    assert did == pytest.approx(100 * math.expm1(np.mean(a + b)))
    # percentage points stay on their scale; years after the span are not the estimand's
    pp = true_effect(truth, "rereferral_within_12m_pct", "level", "sdid", ADOPTION, 2016)
    assert pp == pytest.approx(-2.0)
    assert true_effect(truth, "referral_rate_per_10k", "log", "did", ADOPTION, 2017) == 0.0
    assert math.isnan(true_effect(truth, "cpp_rate_per_10k", "log", "did", {}, 2017))
    # a relative effect on a level-scale indicator needs the level: not checked
    assert math.isnan(true_effect(truth, "cpp_count_31mar", "level", "did", ADOPTION, 2017))


def _row(
    indicator: str, method: str, estimate: float, low: float, high: float
) -> dict[str, object]:
    scale = "level" if indicator.endswith("pct") else "log"
    return {
        "indicator": indicator, "title": indicator, "scale": scale, "unit": "% change",
        "method": method, "label": method, "la_code": "", "estimate": estimate, "low": low,
        "high": high, "estimable": True, "n_pilots": 2, "first_year": 2012, "last_year": 2017,
    }  # fmt: skip


def test_hand_made_frame_gives_the_expected_flags() -> None:
    frame = pd.DataFrame(
        [
            _row("cpp_rate_per_10k", "synth_pooled", -12.0, -20.0, -5.0),  # covered, sign right
            _row("cpp_rate_per_10k", "did", 2.0, 0.5, 4.0),  # missed, wrong sign
            _row("referral_rate_per_10k", "synth_pooled", 5.0, 1.0, 9.0),  # null: missed
            _row("referral_rate_per_10k", "its", 1.0, math.nan, math.nan),  # no interval
            _row("rereferral_within_12m_pct", "sdid", -0.5, -1.0, 2.0),
            {**_row("cpp_rate_per_10k", "sdid", math.nan, math.nan, math.nan), "estimable": False},
        ]
    )
    used = dict.fromkeys(frame["indicator"], ADOPTION)
    rows = check_estimates(frame, _truth(), used)
    flags = [(r.indicator, r.method, r.covered, r.sign_right) for r in rows]
    assert flags == [
        ("cpp_rate_per_10k", "synth_pooled", True, True),
        ("cpp_rate_per_10k", "did", False, False),
        ("referral_rate_per_10k", "synth_pooled", False, None),
        ("referral_rate_per_10k", "its", None, None),
        ("rereferral_within_12m_pct", "sdid", False, True),
    ]
    assert rows[4].truth == pytest.approx(-(2.0 * 3 + 0.5) / 4)
    luck = judge(rows)
    assert (luck.intervals, luck.covered, luck.signed, luck.sign_right) == (4, 1, 3, 2)
    assert luck.p_nominal == pytest.approx(stats.binom.cdf(1, 4, 0.95))
    assert luck.unlucky
    # a pilot count that the documented rule does not rebuild is noted
    (odd,) = check_estimates(frame.iloc[:1], _truth(), {"cpp_rate_per_10k": {"A": 2015}})
    assert "rebuilt by the documented rule: 1" in odd.note


def test_luck_probabilities() -> None:
    assert at_most(7, [0.95] * 10) == pytest.approx(stats.binom.cdf(7, 10, 0.95))
    assert at_most(2, [0.9, 0.9]) == pytest.approx(1.0)
    assert at_most(0, [0.9, 0.8]) == pytest.approx(0.1 * 0.2)
    assert at_most_nominal(0, 0) == 1.0
    assert one_in(0.0041) == "about 1 world in 240"
    assert one_in(0.6) == "most worlds"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"{not json", "CSC-E3701"),
        (b"[1, 2]", "CSC-E3701"),
        (json.dumps({**TRUTH, "synthetic": False}).encode(), "CSC-E3702"),
        (json.dumps({**TRUTH, "effects": {}}).encode(), "CSC-E3703"),
        (json.dumps({**TRUTH, "exposure": []}).encode(), "CSC-E3703"),
        (json.dumps({**TRUTH, "effects": [{"indicator": "x", "form": "odd"}]}).encode(),
         "CSC-E3703"),
        (json.dumps({**TRUTH, "exposure": {"A": {"cpp_rate_per_10k": {"2015": 1.5}}}}).encode(),
         "CSC-E3704"),
        (json.dumps({**TRUTH, "exposure": {"A": {"cpp_rate_per_10k": {"2015": "x"}}}}).encode(),
         "CSC-E3704"),
    ],
)  # fmt: skip
def test_broken_truth_gives_a_coded_problem(data: bytes, code: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_truth(data)
    assert [p.code for p in caught.value.problems] == [code]
    assert caught.value.problems[0].file == "truth.json"


def test_the_random_trend_model_has_its_measured_coverage_and_the_range_follows() -> None:
    from csceval.strands.truth_check.luck import (
        DOCUMENTED_COVERAGE,
        DOCUMENTED_RANGE,
        MEAN_DOCUMENTED,
        documented_coverage,
    )

    assert documented_coverage("cla_rate_per_10k", "random_trend") == 0.933
    assert documented_coverage("cla_rate_per_10k", "its") == MEAN_DOCUMENTED  # unmeasured
    low, high = min(DOCUMENTED_COVERAGE.values()), max(DOCUMENTED_COVERAGE.values())
    assert DOCUMENTED_RANGE == f"{100 * low:g}-{100 * high:g}%" == "91.7-97.2%"
