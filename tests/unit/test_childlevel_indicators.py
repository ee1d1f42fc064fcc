"""The DfE definitions on small hand-made tables whose answers are worked out by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from csceval.childlevel import cin_indicators, cla_indicators
from csceval.data.cin_census import TABLES as CIN_TABLES
from csceval.errors import InputError

T = pd.Timestamp
NaT = pd.NaT


def _cin(**tables: list[dict[str, object]]) -> dict[str, pd.DataFrame]:
    out = {}
    for name, cols in CIN_TABLES.items():
        frame = pd.DataFrame(tables.get(name, []), columns=list(cols))
        for c in cols:
            if "Date" in c:
                frame[c] = pd.to_datetime(frame[c])
        out[name] = frame
    return out


def test_referrals_and_rereferrals_12_month_boundary() -> None:
    details = [
        {"LAchildID": "a", "CINreferralDate": T("2023-05-10"), "CINclosureDate": T("2023-06-01")},
        {"LAchildID": "a", "CINreferralDate": T("2024-05-10"), "CINclosureDate": NaT},  # = 12 m
        {"LAchildID": "b", "CINreferralDate": T("2023-05-09"), "CINclosureDate": T("2023-05-20")},
        {"LAchildID": "b", "CINreferralDate": T("2024-05-10"), "CINclosureDate": T("2024-06-01")},
        {"LAchildID": "c", "CINreferralDate": T("2025-01-10"), "CINclosureDate": T("2025-03-31")},
    ]
    got = cin_indicators(_cin(cin_details=details), 2025)
    assert got["referrals_count"] == 3  # a (May 2024), b (May 2024), c
    assert got["rereferral_within_12m_pct__numerator"] == 1  # only a: b's gap is 12 m + 1 day
    assert got["rereferral_within_12m_pct"] == pytest.approx(100 / 3)
    # open at 31 March 2025: a (no closure); c closed on 31 March itself is not open
    assert got["cin_count_31mar"] == 1


def test_s47_icpc_within_15_working_days_over_easter() -> None:
    s47 = [  # strategy discussion Wed 20 Mar 2024; Good Friday 29 Mar, Easter Monday 1 Apr
        {
            "LAchildID": "a",
            "S47ActualStartDate": T("2024-03-20"),
            "DateOfInitialCPC": T("2024-04-12"),
        },  # 15th working day (Fri 12 Apr): within
        {
            "LAchildID": "b",
            "S47ActualStartDate": T("2024-03-20"),
            "DateOfInitialCPC": T("2024-04-15"),
        },  # 16th (Mon 15 Apr): not within
        {
            "LAchildID": "c",
            "S47ActualStartDate": T("2024-03-01"),
            "DateOfInitialCPC": NaT,
        },  # no conference
    ]
    got = cin_indicators(_cin(section47=s47), 2024)
    assert got["s47_count"] == 3
    assert got["icpc_count"] == 0  # both conferences fall in 2024-25
    got = cin_indicators(_cin(section47=s47), 2025)
    assert (got["s47_count"], got["icpc_count"]) == (0, 2)
    assert got["icpc_within_15_days_pct"] == 50.0


def test_assessments_within_45_working_days_over_christmas() -> None:
    rows = [  # from Mon 2 Nov 2020: 45th working day is Thu 7 Jan 2021 (25, 28 Dec, 1 Jan off)
        {
            "LAchildID": "a",
            "AssessmentActualStartDate": T("2020-11-02"),
            "AssessmentAuthorisationDate": T("2021-01-07"),
        },
        {
            "LAchildID": "b",
            "AssessmentActualStartDate": T("2020-11-02"),
            "AssessmentAuthorisationDate": T("2021-01-08"),
        },
        {
            "LAchildID": "c",
            "AssessmentActualStartDate": T("2020-11-02"),
            "AssessmentAuthorisationDate": NaT,
        },  # not completed: not counted
    ]
    got = cin_indicators(_cin(assessments=rows), 2021)
    assert (
        got["assessments_within_45_days_pct__numerator"],
        got["assessments_within_45_days_pct__denominator"],
    ) == (1, 2)


def test_child_protection_plans() -> None:
    cpp = [
        {
            "LAchildID": "a",
            "CPPstartDate": T("2021-06-01"),
            "CPPendDate": T("2023-06-01"),
            "NumberOfPreviousCPP": 0,
        },  # ended in 2023-24 after exactly 2 years
        {
            "LAchildID": "a",
            "CPPstartDate": T("2023-09-01"),
            "CPPendDate": NaT,
            "NumberOfPreviousCPP": 0,
        },  # repeat: earlier plan in the data
        {
            "LAchildID": "b",
            "CPPstartDate": T("2023-04-01"),
            "CPPendDate": T("2024-03-31"),
            "NumberOfPreviousCPP": 2,
        },  # repeat by NumberOfPreviousCPP; ends on 31 March
        {
            "LAchildID": "c",
            "CPPstartDate": T("2022-06-01"),
            "CPPendDate": T("2024-05-31"),
            "NumberOfPreviousCPP": pd.NA,
        },  # open at 31 March, under 2 years
    ]
    tables = _cin(cpp=cpp)
    tables["cpp"]["NumberOfPreviousCPP"] = tables["cpp"]["NumberOfPreviousCPP"].astype("Int64")
    got = cin_indicators(tables, 2024)
    assert got["cpp_count_31mar"] == 2  # a (second plan) and c
    assert got["cpp_starts_count"] == 2
    assert got["repeat_cpp_pct"] == 100.0
    assert (got["cpp_2yrs_plus_pct__numerator"], got["cpp_2yrs_plus_pct__denominator"]) == (1, 2)


def test_year_outside_the_bank_holiday_table_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        cin_indicators(_cin(), 2029)
    assert [(p.code, p.value) for p in caught.value.problems] == [("CSC-E4141", "2029")]


def test_empty_tables_give_nan_percentages() -> None:
    got = cin_indicators(_cin(), 2024)
    assert got["referrals_count"] == 0
    assert math.isnan(got["repeat_cpp_pct"])


def _episodes(rows: list[tuple[str, str, str, str, str, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["CHILD", "DECOM", "RNE", "LS", "PLACE", "DEC"])
    frame["DECOM"], frame["DEC"] = pd.to_datetime(frame["DECOM"]), pd.to_datetime(frame["DEC"])
    return frame


def test_looked_after_measures() -> None:
    episodes = _episodes(
        [
            # a: 3 placements in 2023-24 (first open at 1 April, then P and B)
            ("a", "2022-01-10", "S", "C2", "U1", "2023-06-01"),
            ("a", "2023-06-01", "P", "C2", "U2", "2023-09-01"),
            ("a", "2023-09-01", "B", "C2", "R1", None),
            # b: long-term, under 16, stable: a legal-status change and a move to adoption with
            # the same carers (T into A4) do not count as placements nor break stability
            ("b", "2020-01-01", "S", "C2", "U1", "2023-05-01"),
            ("b", "2023-05-01", "L", "E1", "U1", "2023-10-01"),
            ("b", "2023-10-01", "T", "E1", "A4", None),
            # c: long-term, moved in 2023 (unstable); a temporary T1 stay is not counted: 2 counted
            ("c", "2021-01-01", "S", "C2", "U1", "2023-02-01"),
            ("c", "2023-02-01", "P", "C2", "U3", "2023-07-01"),
            ("c", "2023-07-01", "P", "C2", "T1", "2023-07-10"),
            ("c", "2023-07-10", "P", "C2", "U3", None),
            # d: started in the year and left
            ("d", "2023-07-01", "S", "V2", "U1", "2023-08-01"),
            # e: short breaks only: excluded everywhere
            ("e", "2023-05-01", "S", "V3", "R1", None),
            # f: over 16 at 31 March: not in the stability cohort
            ("f", "2019-01-01", "S", "C2", "U1", None),
        ]
    )
    dob = {
        "a": "2015-01-01",
        "b": "2012-01-01",
        "c": "2010-01-01",
        "d": "2009-01-01",
        "e": "2014-01-01",
        "f": "2007-06-01",
    }
    header = pd.DataFrame({"CHILD": list(dob), "DOB": pd.to_datetime(list(dob.values()))})
    got = cla_indicators(episodes, header, 2024)
    assert got["cla_count_31mar"] == 4  # a, b, c, f
    assert got["cla_starts_count"] == 1  # d
    assert (
        got["cla_3plus_placements_pct__numerator"],
        got["cla_3plus_placements_pct__denominator"],
    ) == (1, 4)  # a
    assert (
        got["cla_long_term_stability_pct__numerator"],
        got["cla_long_term_stability_pct__denominator"],
    ) == (1, 2)  # b of b, c
