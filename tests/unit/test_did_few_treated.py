"""The few-treated-units t interval of an aggregate ATT (the report's CS-DiD row)."""

from __future__ import annotations

import math

import pytest

from csceval.impact.did import few_treated_interval


def test_ten_treated_units_use_t_on_nine_df() -> None:
    low, high, p = few_treated_interval(1.0, 0.5, 10)
    # t(9) 97.5% quantile 2.262157 (statistical tables); two-sided P(|t9| > 2) = 0.07655
    assert (low, high) == pytest.approx((1.0 - 0.5 * 2.262157, 1.0 + 0.5 * 2.262157), abs=1e-6)
    assert p == pytest.approx(0.07655, abs=1e-5)


def test_one_treated_unit_uses_one_df_and_no_se_has_no_p_value() -> None:
    _, high, _ = few_treated_interval(0.0, 1.0, 1)
    assert high == pytest.approx(12.706205, abs=1e-5)  # t(1) 97.5% quantile
    assert math.isnan(few_treated_interval(1.0, 0.0, 5)[2])
