"""England and Wales bank holidays, 2010-2027, and working-day arithmetic.

Source: the gov.uk bank holidays list (https://www.gov.uk/bank-holidays, ``bank-holidays.json``,
division ``england-and-wales``), reproduced here by its rules, which cover every year in range:

- New Year's Day, Christmas Day and Boxing Day, moved to the next weekday(s) when they fall at a
  weekend (Christmas on a Saturday: Monday 27 and Tuesday 28; on a Sunday: Boxing Day Monday 26
  and Christmas Tuesday 27);
- Good Friday and Easter Monday (Easter Sunday by the anonymous Gregorian computus);
- the early May bank holiday (first Monday of May), the spring bank holiday (last Monday of
  May) and the summer bank holiday (last Monday of August);
- the one-off changes: 2011-04-29 (royal wedding); 2012 spring holiday moved to 4 June plus
  5 June (Diamond Jubilee); 2020 early May holiday moved to Friday 8 May (VE day); 2022 spring
  holiday moved to Thursday 2 June plus Friday 3 June (Platinum Jubilee) and 19 September (state
  funeral); 2023-05-08 (coronation).

``tests/golden/childlevel/`` holds the gov.uk list for 2019-2025, typed from the page, and a test
compares the rules with it.

A working day is a Monday to Friday that is not a bank holiday. "Within N working days" counts
the working days after the start date up to and including the end date (the start is day 0),
as in the DfE CIN census guide's timeliness measures.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import numpy as np
import numpy.typing as npt
import pandas as pd

FIRST_YEAR, LAST_YEAR = 2010, 2027
_ONE_OFF_ADD = (
    dt.date(2011, 4, 29),
    dt.date(2012, 6, 5),
    dt.date(2022, 6, 3),
    dt.date(2022, 9, 19),
    dt.date(2023, 5, 8),
)
_MOVED = {
    dt.date(2012, 5, 28): dt.date(2012, 6, 4),
    dt.date(2020, 5, 4): dt.date(2020, 5, 8),
    dt.date(2022, 5, 30): dt.date(2022, 6, 2),
}


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def _monday(year: int, month: int, last: bool) -> dt.date:
    if last:
        day = dt.date(year, month + 1, 1) - dt.timedelta(days=1)
        return day - dt.timedelta(days=day.weekday())
    day = dt.date(year, month, 1)
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def bank_holidays(year: int) -> list[dt.date]:
    """England and Wales bank holidays in one calendar year, sorted."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"bank holidays are tabulated for {FIRST_YEAR}-{LAST_YEAR}, not {year}")
    new_year = dt.date(year, 1, 1)
    new_year += dt.timedelta(days={5: 2, 6: 1}.get(new_year.weekday(), 0))
    easter = easter_sunday(year)
    days = [
        new_year,
        easter - dt.timedelta(days=2),
        easter + dt.timedelta(days=1),
        _monday(year, 5, False),
        _monday(year, 5, True),
        _monday(year, 8, True),
    ]
    days = [_MOVED.get(d, d) for d in days]
    christmas = dt.date(year, 12, 25)
    weekday = christmas.weekday()
    if weekday == 5:  # Saturday
        days += [dt.date(year, 12, 27), dt.date(year, 12, 28)]
    elif weekday == 6:  # Sunday
        days += [dt.date(year, 12, 26), dt.date(year, 12, 27)]
    elif weekday == 4:  # Friday: Boxing Day on Saturday, moved to Monday
        days += [christmas, dt.date(year, 12, 28)]
    else:
        days += [christmas, dt.date(year, 12, 26)]
    days += [d for d in _ONE_OFF_ADD if d.year == year]
    return sorted(days)


@cache
def holiday_array() -> npt.NDArray[np.datetime64]:
    """Every bank holiday 2010-2027 as ``datetime64[D]`` (for ``numpy.busday_count``)."""
    days = [d for y in range(FIRST_YEAR, LAST_YEAR + 1) for d in bank_holidays(y)]
    return np.array(days, dtype="datetime64[D]")


def working_days_after(start: pd.Series, end: pd.Series) -> pd.Series:
    """Working days after ``start`` up to and including ``end`` (NaN where either is missing).

    Negative when ``end`` is before ``start``."""
    ok = start.notna() & end.notna()
    out = pd.Series(np.nan, index=start.index)
    if ok.any():
        s = start[ok].to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
        e = end[ok].to_numpy().astype("datetime64[D]") + np.timedelta64(1, "D")
        out[ok] = np.busday_count(s, e, holidays=holiday_array())
    return out


@cache
def _working_day_index() -> tuple[dict[dt.date, int], list[dt.date]]:
    """Every day 2010-2027 -> how many working days up to and including it; the working days."""
    holidays = {d for y in range(FIRST_YEAR, LAST_YEAR + 1) for d in bank_holidays(y)}
    day, last = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
    count: dict[dt.date, int] = {}
    working: list[dt.date] = []
    while day <= last:
        if day.weekday() < 5 and day not in holidays:
            working.append(day)
        count[day] = len(working)
        day += dt.timedelta(days=1)
    return count, working


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date ``n`` working days after ``start`` (``n`` >= 0; 0 gives ``start``)."""
    if n == 0:
        return start
    count, working = _working_day_index()
    return working[count[start] + n - 1]


def collection_window(year: int) -> tuple[pd.Timestamp, pd.Timestamp]:
    """The collection year ending 31 March ``year``: 1 April ``year - 1`` to 31 March ``year``."""
    return pd.Timestamp(year - 1, 4, 1), pd.Timestamp(year, 3, 31)
