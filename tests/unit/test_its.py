"""Interrupted time series: HAC SEs against statsmodels (stored golden) and properties."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from csceval.impact.its import TERMS, design, hac_cov, its, nw_lags
from csceval.impact.synth_data import SynthPanel

GOLDEN = Path(__file__).parents[1] / "golden" / "its"
COMPARISON = ("comp_a", "comp_b", "comp_c")


@pytest.fixture(scope="module")
def panel() -> SynthPanel:
    wide = pd.read_csv(GOLDEN / "its_series.csv")
    long = wide.melt(id_vars="year", var_name="unit", value_name="y")
    return SynthPanel.from_long(long, unit="unit", time="year", variables=["y"])


@pytest.mark.parametrize("lags", [0, 1, 2, 3])
def test_hac_matches_statsmodels(panel: SynthPanel, lags: int) -> None:
    ref = pd.read_csv(GOLDEN / "its_statsmodels_hac.csv").query("lags == @lags")
    result = its(panel, "y", "pilot", 2018, comparison=COMPARISON, lags=lags)
    assert list(ref["term"]) == list(TERMS)
    np.testing.assert_allclose(result.coef, ref["coef"], atol=1e-10)
    np.testing.assert_allclose(result.se, ref["se"], atol=1e-10)
    p_values = [result.p_value(c, s) for c, s in zip(result.coef, result.se, strict=True)]
    np.testing.assert_allclose(p_values, ref["p_value"], atol=1e-10)


def test_lag_rule_and_effect(panel: SynthPanel) -> None:
    assert [nw_lags(n) for n in (10, 15, 16, 50, 100)] == [2, 2, 2, 3, 4]
    result = its(panel, "y", "pilot", 2018, comparison=COMPARISON)
    assert result.lags == 2
    years = np.asarray(result.times)
    series = result.series
    hand = series[years >= 2018].mean() - series[years < 2018].mean()
    assert result.effect == pytest.approx(hand, abs=1e-12)
    payload = result.to_dict()
    assert payload["controlled"] is True
    low, high = payload["effect_ci"]  # type: ignore[misc]
    assert low < result.effect < high


def test_exact_segmented_line_is_recovered() -> None:
    years = list(range(2010, 2024))
    x = design(years, 2017)
    truth = np.array([5.0, 0.4, -2.0, 0.7])
    rows = [{"unit": "p", "year": y, "v": float(v)} for y, v in zip(years, x @ truth, strict=True)]
    rows += [{"unit": "c", "year": y, "v": 0.0} for y in years]
    panel = SynthPanel.from_long(pd.DataFrame(rows), unit="unit", time="year", variables=["v"])
    for comparison in ((), ("c",)):
        result = its(panel, "v", "p", 2017, comparison=comparison)
        np.testing.assert_allclose(result.coef, truth, atol=1e-10)
        np.testing.assert_allclose(result.counterfactual, x[:, :2] @ truth[:2], atol=1e-10)


def test_hac_with_zero_lags_is_white_with_correction() -> None:
    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(20), rng.normal(size=20)])
    e = rng.normal(size=20)
    bread = np.linalg.inv(x.T @ x)
    white = bread @ (x.T * e**2) @ x @ bread * 20 / 18
    np.testing.assert_allclose(hac_cov(x, e, 0), white, atol=1e-14)


def test_too_short_a_series_is_refused(panel: SynthPanel) -> None:
    with pytest.raises(ValueError, match="at least 3 and 2"):
        its(panel, "y", "pilot", 2012, comparison=COMPARISON)
    with pytest.raises(ValueError, match="at least 3 and 2"):
        its(panel, "y", "pilot", 2024)
    with pytest.raises(ValueError, match="HAC lags"):
        its(panel, "y", "pilot", 2018, lags=40)


def test_effect_is_mean_of_observed_gaps_not_extrapolated() -> None:
    """The effect is post-period mean gap minus pre-period mean gap, by hand; no line projected."""
    years = list(range(2010, 2020))
    trend = {y: 0.5 * (y - 2010) for y in years}
    rows = [{"unit": "c", "year": y, "v": 1.0} for y in years]
    rows += [{"unit": "p", "year": y, "v": 1.0 + trend[y] + (2.0 if y >= 2016 else 0.0)}
             for y in years]  # fmt: skip
    panel = SynthPanel.from_long(pd.DataFrame(rows), unit="unit", time="year", variables=["v"])
    result = its(panel, "v", "p", 2016, comparison=("c",))
    gaps = [trend[y] + (2.0 if y >= 2016 else 0.0) for y in years]
    hand = np.mean(gaps[6:]) - np.mean(gaps[:6])  # 2016-19 against 2010-15, by hand
    assert result.effect == pytest.approx(hand, abs=1e-12)
    assert result.effect == pytest.approx(4.5, abs=1e-12)  # 5.75 - 1.25: no slope projected
    assert result.coef[2] == pytest.approx(2.0, abs=1e-10)  # the segmented fit still sees it
