"""Green Book discounting against the published Table 2 and the verified exact factors."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from csceval.strands.costs.discounting import discount_factors, present_value, rates

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "costs"


def _golden() -> list[dict[str, str]]:
    with (GOLDEN / "green_book_discount_factors.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_reproduces_green_book_table_2() -> None:
    df = discount_factors(11)
    table = [(int(r["year"]), int(r["pv_of_1000"])) for r in _golden() if r["pv_of_1000"]]
    assert len(table) == 11
    for year, pv in table:
        assert round(1000 * df[year]) == pv, year


def test_exact_factors_across_the_schedule_steps() -> None:
    df = discount_factors(101)
    rows = [
        (int(r["year"]), float(r["discount_factor"])) for r in _golden() if r["discount_factor"]
    ]
    assert len(rows) == 14
    for year, expected in rows:
        assert df[year] == pytest.approx(expected, abs=5e-7), year


def test_the_rate_steps_down_year_by_year() -> None:
    df = discount_factors(80)
    assert df[31] == pytest.approx(df[30] / 1.03, rel=1e-12)
    assert df[76] == pytest.approx(df[75] / 1.025, rel=1e-12)
    assert df[75] == pytest.approx(1 / (1.035**30 * 1.03**45), rel=1e-12)
    r = rates(127)
    assert (r[1], r[30], r[31], r[75], r[76], r[126]) == (0.035, 0.035, 0.03, 0.03, 0.025, 0.02)


def test_sums_and_health_schedule() -> None:
    assert discount_factors(11)[1:].sum() == pytest.approx(8.316605322577958, rel=1e-12)
    assert discount_factors(10).sum() == pytest.approx(8.607686508868186, rel=1e-12)
    assert discount_factors(11, "health")[10] == pytest.approx(0.8616672317221843, rel=1e-12)


def test_present_value_of_the_known_flows() -> None:
    assert present_value([-100, 30, 30, 30, 30, 30]) == pytest.approx(35.451571264122464)
    assert present_value(np.array([5.0])) == 5.0
    with pytest.raises(ValueError, match="at least 1"):
        discount_factors(0)
