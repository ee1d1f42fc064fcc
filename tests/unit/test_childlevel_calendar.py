"""Bank holidays and working days, checked against gov.uk and by hand around Easter/Christmas."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from csceval.childlevel.calendar import (
    add_working_days,
    bank_holidays,
    collection_window,
    easter_sunday,
    working_days_after,
)

GOLDEN = Path(__file__).parents[1] / "golden" / "childlevel"


def test_rules_reproduce_the_gov_uk_list() -> None:
    published = pd.read_csv(GOLDEN / "bank_holidays_england_wales_2019_2025.csv")
    expected = sorted(dt.date.fromisoformat(d) for d in published["date"])
    derived = [d for y in range(2019, 2026) for d in bank_holidays(y)]
    assert derived == expected


@pytest.mark.parametrize(
    ("year", "easter"),
    [
        (2011, "2011-04-24"),
        (2016, "2016-03-27"),
        (2019, "2019-04-21"),
        (2024, "2024-03-31"),
        (2025, "2025-04-20"),
        (2027, "2027-03-28"),
    ],
)
def test_easter(year: int, easter: str) -> None:
    assert easter_sunday(year) == dt.date.fromisoformat(easter)


def test_one_off_and_substitute_days() -> None:
    assert dt.date(2011, 4, 29) in bank_holidays(2011)  # royal wedding
    assert {dt.date(2012, 6, 4), dt.date(2012, 6, 5)} <= set(bank_holidays(2012))
    assert dt.date(2012, 5, 28) not in bank_holidays(2012)
    assert bank_holidays(2027)[-2:] == [dt.date(2027, 12, 27), dt.date(2027, 12, 28)]
    assert len(bank_holidays(2015)) == 8
    with pytest.raises(ValueError, match="2010-2027"):
        bank_holidays(2009)


def _wd(start: str, end: str) -> float:
    return float(
        working_days_after(pd.Series([pd.Timestamp(start)]), pd.Series([pd.Timestamp(end)])).iloc[0]
    )


def test_working_days_by_hand_around_easter_2024() -> None:
    # Wed 27 Mar 2024; Thu 28 is a working day; Fri 29 (Good Friday), Sat, Sun, Mon 1 Apr
    # (Easter Monday) are not; Tue 2 Apr is the second working day after the start.
    assert _wd("2024-03-27", "2024-03-28") == 1
    assert _wd("2024-03-27", "2024-04-01") == 1
    assert _wd("2024-03-27", "2024-04-02") == 2
    assert _wd("2024-03-27", "2024-03-27") == 0
    assert add_working_days(dt.date(2024, 3, 28), 1) == dt.date(2024, 4, 2)
    assert add_working_days(dt.date(2024, 3, 30), 1) == dt.date(2024, 4, 2)  # from a Saturday


def test_working_days_by_hand_around_christmas_2020() -> None:
    # Thu 24 Dec 2020; Fri 25 Christmas, Sat 26, Sun 27, Mon 28 (Boxing Day substitute):
    # the first working day after is Tue 29 Dec.
    assert add_working_days(dt.date(2020, 12, 24), 1) == dt.date(2020, 12, 29)
    assert _wd("2020-12-24", "2020-12-31") == 3  # 29, 30, 31
    # 15 working days from Fri 18 Dec 2020: 21-24, 29-31 Dec (7), 4-8 Jan (5): 15th is 13 Jan
    # (1 Jan 2021 is a bank holiday).
    assert add_working_days(dt.date(2020, 12, 18), 15) == dt.date(2021, 1, 13)
    assert _wd("2020-12-18", "2021-01-13") == 15
    assert _wd("2021-01-13", "2020-12-18") < 0


def test_missing_dates_give_nan() -> None:
    got = working_days_after(
        pd.Series([pd.NaT, pd.Timestamp("2024-01-02")]),
        pd.Series([pd.Timestamp("2024-01-03"), pd.NaT]),
    )
    assert got.isna().all()


def test_collection_window() -> None:
    assert collection_window(2024) == (pd.Timestamp("2023-04-01"), pd.Timestamp("2024-03-31"))


@given(st.dates(dt.date(2010, 1, 1), dt.date(2026, 6, 30)), st.integers(0, 80))
def test_add_and_count_are_inverse(start: dt.date, n: int) -> None:
    end = add_working_days(start, n)
    assert _wd(start.isoformat(), end.isoformat()) == n
    assert end.weekday() < 5 or n == 0
    assert end not in bank_holidays(end.year) or n == 0
