"""CIN census indicators for one LA and collection year, with the DfE definitions.

Definitions follow DfE "Characteristics of children in need" (methodology and the CIN census
guide) and the LAIT indicator dictionary; the year is the collection year ending 31 March
(window 1 April to 31 March, both ends included):

- ``referrals_count``: CIN episodes (``CINdetails``) whose ``CINreferralDate`` is in the year,
  including referrals with no further action.
- ``rereferral_within_12m_pct``: of those referrals, the share whose child had an earlier
  referral no more than 12 calendar months before (previous referral date on or after the date
  12 months earlier). Earlier referrals count when they are in the tables passed in, so pass
  the previous year's census too to catch ones that closed before 1 April.
- ``cin_count_31mar``: children (not episodes) with an episode open at 31 March: referred on
  or before 31 March and with no ``CINclosureDate`` or one after 31 March.
- ``s47_count``: section 47 enquiries whose ``S47ActualStartDate`` is in the year.
- ``icpc_count``: initial child protection conferences (``Section47/DateOfInitialCPC``) held in
  the year.
- ``icpc_within_15_days_pct``: of those, the share held within 15 working days of the start of
  the section 47 enquiry (the strategy discussion that initiated it).
- ``assessments_within_45_days_pct``: of the assessments authorised in the year, the share
  authorised within 45 working days of the assessment start date (DfE's duration measure:
  ``AssessmentActualStartDate`` to ``AssessmentAuthorisationDate``).
- ``cpp_count_31mar``: children with a plan open at 31 March (start on or before, no end or an
  end after 31 March).
- ``cpp_starts_count``: plans starting in the year.
- ``repeat_cpp_pct``: of the plans starting in the year, the share that were a second or later
  plan for the child: ``NumberOfPreviousCPP`` of 1 or more, or an earlier plan of the same child
  in the tables.
- ``cpp_2yrs_plus_pct``: of the plans ending in the year, the share that had lasted two years
  or more (end on or after the start's second anniversary).

Working days exclude weekends and England and Wales bank holidays
(:mod:`csceval.childlevel.calendar`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from csceval.childlevel.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    collection_window,
    working_days_after,
)
from csceval.errors import InputError, Problem

CIN_INDICATORS = (
    "referrals_count",
    "rereferral_within_12m_pct",
    "cin_count_31mar",
    "s47_count",
    "icpc_count",
    "icpc_within_15_days_pct",
    "assessments_within_45_days_pct",
    "cpp_count_31mar",
    "cpp_starts_count",
    "repeat_cpp_pct",
    "cpp_2yrs_plus_pct",
)


def _in(dates: pd.Series, year: int) -> pd.Series:
    start, end = collection_window(year)
    return (dates >= start) & (dates <= end)


def _pct(numerator: int, denominator: int) -> float:
    return 100.0 * numerator / denominator if denominator else float("nan")


def cin_indicators(tables: Mapping[str, pd.DataFrame], year: int) -> dict[str, float]:
    """Every CIN census indicator for ``year`` from flattened tables (one LA's census).

    Percentages also come with their counts: ``<id>__numerator`` and ``<id>__denominator``."""
    if not FIRST_YEAR + 1 <= year <= LAST_YEAR:
        raise InputError(
            [
                Problem(
                    "CSC-E4141",
                    "working days need bank holidays, tabulated for the years ending "
                    f"31 March {FIRST_YEAR + 1}-{LAST_YEAR}",
                    column="year",
                    value=str(year),
                    fix="Choose a collection year in range.",
                )
            ]
        )
    _, end = collection_window(year)
    out: dict[str, float] = {}
    details = tables["cin_details"]
    ref = details["CINreferralDate"]
    in_year = _in(ref, year)
    out["referrals_count"] = float(in_year.sum())
    _ratio(out, "rereferral_within_12m_pct", _rereferrals(details, in_year), int(in_year.sum()))
    open_at = (ref <= end) & (details["CINclosureDate"].isna() | (details["CINclosureDate"] > end))
    out["cin_count_31mar"] = float(details.loc[open_at, "LAchildID"].nunique())

    s47 = tables["section47"]
    out["s47_count"] = float(_in(s47["S47ActualStartDate"], year).sum())
    icpc = s47[_in(s47["DateOfInitialCPC"], year)]
    out["icpc_count"] = float(len(icpc))
    days = working_days_after(icpc["S47ActualStartDate"], icpc["DateOfInitialCPC"])
    _ratio(out, "icpc_within_15_days_pct", int((days <= 15).sum()), len(icpc))

    assessments = tables["assessments"]
    done = assessments[_in(assessments["AssessmentAuthorisationDate"], year)]
    days = working_days_after(
        done["AssessmentActualStartDate"], done["AssessmentAuthorisationDate"]
    )
    _ratio(out, "assessments_within_45_days_pct", int((days <= 45).sum()), len(done))

    cpp = tables["cpp"]
    start, stop = cpp["CPPstartDate"], cpp["CPPendDate"]
    open_cpp = (start <= end) & (stop.isna() | (stop > end))
    out["cpp_count_31mar"] = float(cpp.loc[open_cpp, "LAchildID"].nunique())
    starts = _in(start, year)
    out["cpp_starts_count"] = float(starts.sum())
    _ratio(out, "repeat_cpp_pct", int((starts & _repeat(cpp)).sum()), int(starts.sum()))
    ended = cpp[_in(stop, year)]
    long = ended["CPPendDate"] >= ended["CPPstartDate"] + pd.DateOffset(years=2)
    _ratio(out, "cpp_2yrs_plus_pct", int(long.sum()), len(ended))
    return out


def _ratio(out: dict[str, float], name: str, numerator: int, denominator: int) -> None:
    out[name] = _pct(numerator, denominator)
    out[f"{name}__numerator"] = float(numerator)
    out[f"{name}__denominator"] = float(denominator)


def _rereferrals(details: pd.DataFrame, in_year: pd.Series) -> int:
    """Referrals in the year within 12 months of the same child's previous referral."""
    frame = pd.DataFrame(
        {"child": details["LAchildID"], "date": details["CINreferralDate"], "in_year": in_year}
    )
    frame = frame.dropna(subset=["date"]).sort_values(["child", "date"], kind="stable")
    previous = frame.groupby("child", sort=False)["date"].shift(1)
    cutoff = frame["date"] - pd.DateOffset(months=12)
    return int((frame["in_year"] & previous.notna() & (previous >= cutoff)).sum())


def _repeat(cpp: pd.DataFrame) -> pd.Series:
    """Plans that are a second or later plan for the child."""
    declared = cpp["NumberOfPreviousCPP"].fillna(0).to_numpy(dtype=float) >= 1
    order = cpp.sort_values(["LAchildID", "CPPstartDate"], kind="stable")
    earlier = order.groupby("LAchildID", sort=False).cumcount() > 0
    in_data = earlier.reindex(cpp.index).to_numpy(dtype=bool)
    return pd.Series(np.logical_or(declared, in_data), index=cpp.index)
