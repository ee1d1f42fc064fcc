"""The impact strand's verdict rule on hand-made estimates (no design draws: nominal p-values).

Hand-made sizes in :data:`CALIBRATION`, so the rule tests do not move when the shipped
calibration is re-run; the strand on the demo is tested in ``test_impact_strand.py``.
"""

from __future__ import annotations

import pytest

from csceval.indicators.catalogue import BY_ID
from csceval.strands.impact.outcomes import OutcomePlan
from csceval.strands.impact.results import Estimate, IndicatorImpact, size_stats
from csceval.strands.impact.verdicts import assess

CALIBRATION: dict[str, object] = {
    "methods": {
        "synth_pooled": {"size": {"cpp_rate_per_10k": 0.055, "rereferral_within_12m_pct": 0.105}},
        "did": {"size": {"cpp_rate_per_10k": 0.095}},
        "sdid": {
            "size": {"cpp_rate_per_10k": 0.055, "rereferral_within_12m_pct": 0.105},
            "mc_error": {"cpp_rate_per_10k": 0.016, "rereferral_within_12m_pct": 0.02},
        },
    }
}
"""Hand-made sizes, so the rule tests do not move when the shipped calibration is re-run."""


def verdict(impact: IndicatorImpact, calibration: dict[str, object]) -> tuple[str, str]:
    """The verdict of one indicator alone (no design draws: nominal p-values)."""
    plan = OutcomePlan(None, (impact.indicator.id,))
    v = assess((impact,), None, size_stats(calibration), plan).verdicts[impact.indicator.id]
    return v.strength, v.reason


def _hand(
    indicator: str,
    p: float,
    synth: float,
    did: float,
    sdid: float,
    pretrend: bool = False,
    corroborated: bool = True,
) -> IndicatorImpact:
    """SDID's interval excludes zero when ``corroborated`` (half-width 1 around +-2), else not."""
    half = 1.0 if corroborated else 3.0
    rows = (
        Estimate("synth_pooled", "SC", estimate=synth, low=synth - 1, high=synth + 1, p_value=p),
        Estimate("did", "CS", estimate=did, low=did - 3, high=did + 3, pretrend=pretrend),
        Estimate("sdid", "SDID", estimate=sdid, low=sdid - half, high=sdid + half),
    )
    return IndicatorImpact(BY_ID[indicator], rows, None, None, ("A",), 20, (2012, 2021), ())


@pytest.mark.parametrize(
    ("indicator", "p", "signs", "pretrend", "expected"),
    [
        ("cpp_rate_per_10k", 0.01, (-1, -1, -1), False, "high"),  # SDID 5.5% corroborates
        # SDID over-rejects here (10.5%, beyond two MC errors): it never corroborates
        ("rereferral_within_12m_pct", 0.01, (-1, -1, -1), False, "moderate"),
        ("cla_rate_per_10k", 0.01, (-1, -1, -1), False, "moderate"),  # SDID's size unmeasured
        ("cpp_rate_per_10k", 0.01, (-1, 1, -1), False, "low"),  # methods disagree
        ("cpp_rate_per_10k", 0.01, (-1, -1, -1), True, "low"),  # pre-trends outside the band
        ("cpp_rate_per_10k", 0.07, (-1, -1, -1), False, "low"),  # p in (0.02, 0.10)
        ("cpp_rate_per_10k", 0.03, (-1, -1, -1), False, "low"),  # significant at 5%, not 2%
        ("cpp_rate_per_10k", 0.02, (-1, -1, -1), False, "high"),  # 2% is the threshold
        ("cpp_rate_per_10k", 0.40, (-1, -1, -1), False, "low"),  # SDID's interval excludes 0
    ],
)
def test_verdict_rule(
    indicator: str, p: float, signs: tuple[int, int, int], pretrend: bool, expected: str
) -> None:
    impact = _hand(indicator, p, *(2.0 * s for s in signs), pretrend=pretrend)
    strength, reason = verdict(impact, CALIBRATION)
    assert strength == expected, reason


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.01, "moderate"),  # p <= 2%, agreeing, but no other interval excludes zero
        (0.40, "none"),
    ],
)
def test_verdict_without_corroboration(p: float, expected: str) -> None:
    impact = _hand("cpp_rate_per_10k", p, -2.0, -2.0, -2.0, corroborated=False)
    strength, reason = verdict(impact, CALIBRATION)
    assert strength == expected, reason


def test_verdict_low_when_only_a_secondary_interval_excludes_zero() -> None:
    impact = _hand("cpp_rate_per_10k", 0.40, -2.0, -5.0, -2.0)
    assert verdict(impact, CALIBRATION)[0] == "low"
