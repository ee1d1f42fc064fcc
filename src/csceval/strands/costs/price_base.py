"""Price base: convert costs between financial years with a GDP deflator series.

``P_base = P_y x D_base / D_y`` (Green Book). The shipped default is HM Treasury's GDP deflator
at market prices, **calendar years, 2024 = 100**, December 2025 Quarterly National Accounts
vintage, as bundled in the R ``greenbook`` package (``inst/extdata/gdp_deflator.csv``).
HM Treasury's financial-year series (ONS L8GG) was not available to us, so a financial year
April Y to March Y+1 is approximated by ``0.75 x D_Y + 0.25 x D_(Y+1)`` (three quarters of it
fall in calendar year Y). Replace the default with the published financial-year series by
supplying ``data/deflators.csv`` (financial_year, index, source); its rows take precedence.
Deflator vintages are revised every quarter, so record the vintage used (the report does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_SOURCE = (
    "HM Treasury GDP deflators at market prices (calendar years, 2024 = 100), December 2025 "
    "QNA vintage, via the R greenbook package; financial years approximated as 0.75 x year Y "
    "+ 0.25 x year Y+1"
)
CALENDAR_2024_100: dict[int, float] = {
    2010: 69.1217,
    2011: 70.834,
    2012: 71.9294,
    2013: 73.4795,
    2014: 74.6524,
    2015: 75.1536,
    2016: 76.4554,
    2017: 77.6367,
    2018: 79.1606,
    2019: 81.1085,
    2020: 85.2137,
    2021: 85.6358,
    2022: 90.5005,
    2023: 96.2507,
    2024: 100.0,
}
FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def parse_financial_year(text: str) -> int | None:
    """The first calendar year of ``2017-18`` (2017); None unless written that way."""
    match = FINANCIAL_YEAR.match(text.strip())
    if match is None or (int(match[1]) + 1) % 100 != int(match[2]):
        return None
    return int(match[1])


def financial_year(start: int) -> str:
    """``2017`` -> ``2017-18``."""
    return f"{start}-{(start + 1) % 100:02d}"


def default_financial_year_index() -> dict[str, float]:
    """The default financial-year index derived from the calendar-year series."""
    years = sorted(CALENDAR_2024_100)
    return {
        financial_year(y): 0.75 * CALENDAR_2024_100[y] + 0.25 * CALENDAR_2024_100[y + 1]
        for y in years[:-1]
    }


@dataclass(frozen=True)
class Deflator:
    """A financial-year deflator index with its source per year."""

    index: Mapping[str, float]
    sources: Mapping[str, str]

    @classmethod
    def default(cls, overrides: Mapping[str, tuple[float, str]] | None = None) -> Deflator:
        """The shipped series, with a project's rows (year -> (index, source)) on top.

        A project's index must be on one base throughout; when it overrides only some years,
        those must be rebased to 2024 = 100 like the default.
        """
        index = default_financial_year_index()
        sources = dict.fromkeys(index, DEFAULT_SOURCE)
        for year, (value, source) in (overrides or {}).items():
            index[year], sources[year] = value, source
        return cls(index=index, sources=sources)

    def covers(self, year: str) -> bool:
        return year in self.index

    def factor(self, from_year: str, to_year: str) -> float:
        """Multiply a cost in ``from_year`` prices by this to get ``to_year`` prices."""
        return self.index[to_year] / self.index[from_year]

    def convert(self, amount: float, from_year: str, to_year: str) -> float:
        return amount * self.factor(from_year, to_year)
