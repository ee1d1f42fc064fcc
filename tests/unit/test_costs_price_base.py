"""Price-base conversion: the shipped deflator, its financial-year approximation, overrides."""

from __future__ import annotations

import pytest

from csceval.strands.costs.price_base import (
    CALENDAR_2024_100,
    Deflator,
    default_financial_year_index,
    financial_year,
    parse_financial_year,
)
from csceval.strands.costs.unit_costs import DEFAULT_UNIT_COSTS, UnitCost, unit_cost_table


def test_calendar_series_reproduces_the_reference_rebasings() -> None:
    # ../shared/reference/measurement_and_cba.md 4.3 [verified arithmetic], 2024 = 100 vintage.
    d = CALENDAR_2024_100
    assert 51_080 * d[2024] / d[2013] == pytest.approx(69_515.99, abs=0.01)
    assert 700 * d[2024] / d[2013] == pytest.approx(952.65, abs=0.01)
    assert 2_995 * d[2024] / d[2013] == pytest.approx(4_075.97, abs=0.01)
    assert 646 * d[2024] / d[2017] == pytest.approx(832.08, abs=0.01)
    assert 100 * d[2013] / d[2019] == pytest.approx(90.594, abs=0.001)


def test_financial_year_index_weights_three_quarters_to_the_first_year() -> None:
    fy = default_financial_year_index()
    assert fy["2017-18"] == pytest.approx(0.75 * 77.6367 + 0.25 * 79.1606)
    assert "2023-24" in fy
    assert "2024-25" not in fy
    assert "2009-10" not in fy


def test_conversion_and_overrides() -> None:
    d = Deflator.default()
    assert d.convert(100, "2017-18", "2017-18") == 100
    assert d.convert(100, "2013-14", "2019-20") == pytest.approx(
        100 * d.index["2019-20"] / d.index["2013-14"]
    )
    mine = Deflator.default({"2019-20": (90.0, "HMT L8GG, March 2026")})
    assert mine.index["2019-20"] == 90.0
    assert mine.sources["2019-20"] == "HMT L8GG, March 2026"
    assert mine.index["2018-19"] == d.index["2018-19"]


def test_financial_year_parsing() -> None:
    assert parse_financial_year("2017-18") == 2017
    assert parse_financial_year("1999-00") == 1999
    assert parse_financial_year("2017/18") is None
    assert parse_financial_year("2017-19") is None
    assert financial_year(2019) == "2019-20"


def test_default_unit_costs_are_sourced_and_convertible() -> None:
    d = Deflator.default()
    for u in DEFAULT_UNIT_COSTS:
        assert u.source, u.activity
        assert u.cost_gbp > 0, u.activity
        assert d.covers(u.price_year), u.activity
    table = unit_cost_table([UnitCost("foster_care_week", "week", 800, "2017-18", "mine")])
    assert table["foster_care_week"].cost_gbp == 800
    assert table["social_worker_hour"].cost_gbp == 40
    uprated = table["looked_after_child_year"].in_prices_of(d, "2019-20")
    assert uprated.cost_gbp == pytest.approx(51_080 * d.index["2019-20"] / d.index["2013-14"])
