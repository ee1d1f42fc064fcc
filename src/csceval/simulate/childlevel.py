"""Child-level output: CIN census XML and SSDA903 CSV/XML consistent with the LA panel.

For a chosen LA and year, children and their events are generated so that the DfE definitions
of :mod:`csceval.childlevel` give back exactly the simulator's published (``observed``) values:
every count, and for every percentage its numerator and denominator. How:

- **CIN census.** Each referral in the year is its own CIN episode; re-referrals are children
  whose earlier episode was referred shortly before 1 April and closed just after it (so it is
  in the census but is not a referral of the year). Assessments, section 47 enquiries, ICPCs
  and plans are attached to the year's referrals first, and to "carrier" episodes referred
  before 1 April (not counted as referrals) when a count exceeds the referrals; ICPCs and plans
  follow the enquiries that lead to them. Timeliness is set in working days (within or beyond
  15 and 45). Plans open at 31 March, plans ending in the year and their durations, and the
  children in need at 31 March are then made up exactly, with carriers where needed.
- **SSDA903.** Children at 31 March are long-term (under 16, in care 2.5+ years: stable or not,
  the stability denominator and numerator), starters still in care, and mid-term children;
  starters who left make up the starts. Children with 3+ placements get two extra moves in the
  year; some stable children move to adoption with their carers (RNE T, not counted); a few
  short-break children (V3/V4) are added, whom every measure excludes.

One known difference: the panel's ``cla_3plus_placements_pct`` has the denominator
``1.3 x counterfactual CLA at 31 March`` (:mod:`csceval.simulate.panel`), not DfE's children
looked after at 31 March, so its percentage cannot be met exactly; the numerator is set to the
nearest whole child (the percentage is within 50/CLA points). Values the panel lacks
(unavailable or before a series starts) are not constrained.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import numpy as np
import pandas as pd

from csceval.childlevel.calendar import add_working_days
from csceval.data.ssda903 import TABLES as TABLES_903
from csceval.data.ssda903 import tables_to_csv
from csceval.simulate.rng import stream

_DAY = dt.timedelta(days=1)
PERCENT_IDS = (
    "rereferral_within_12m_pct",
    "icpc_within_15_days_pct",
    "assessments_within_45_days_pct",
    "repeat_cpp_pct",
    "cpp_2yrs_plus_pct",
    "cla_3plus_placements_pct",
    "cla_long_term_stability_pct",
)
COUNT_IDS = (
    "referrals_count",
    "cin_count_31mar",
    "s47_count",
    "icpc_count",
    "cpp_count_31mar",
    "cpp_starts_count",
    "cla_count_31mar",
    "cla_starts_count",
)
_FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
_ETHNIC = ("WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "BCRB", "CHNE", "OOTH")


class ChildLevelError(ValueError):
    """The panel's values for an LA-year cannot be realised as child-level records."""


@dataclass(frozen=True)
class Targets:
    """The panel's published values for one LA-year: counts, and numerators/denominators."""

    la_code: str
    year: int
    counts: dict[str, int]
    ratios: dict[str, tuple[int, int]]

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    def ratio(self, name: str) -> tuple[int, int]:
        return self.ratios.get(name, (0, 0))


def targets_from_panel(panel: pd.DataFrame, la_code: str, year: int) -> Targets:
    """The observed counts and percentage numerators/denominators of one LA-year."""
    rows = panel[(panel["la_code"] == la_code) & (panel["year"] == year) & panel["available"]]
    if rows.empty:
        raise KeyError(f"LA {la_code} has no values for {year} in the panel")
    by_id = rows.set_index("indicator")
    observed: dict[str, float] = {str(k): float(v) for k, v in by_id["observed"].items()}
    num: dict[str, float] = {str(k): float(v) for k, v in by_id["numerator"].items()}
    den: dict[str, float] = {str(k): float(v) for k, v in by_id["denominator"].items()}
    counts = {i: int(observed[i]) for i in COUNT_IDS if np.isfinite(observed.get(i, np.nan))}
    ratios = {i: (int(num[i]), int(den[i])) for i in PERCENT_IDS if np.isfinite(den.get(i, np.nan))}
    return Targets(la_code, year, counts, ratios)


# ---------------------------------------------------------------- CIN census


@dataclass
class _Episode:
    child: int
    ref: dt.date
    close: dt.date | None = None
    nfa: bool = False
    assessments: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    s47: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    cpp: list[tuple[dt.date, dt.date | None, int]] = field(default_factory=list)
    open_at_end: bool = False


class _CinBuilder:
    def __init__(self, t: Targets, rng: np.random.Generator) -> None:
        self.t, self.rng = t, rng
        self.fast = random.Random(int(rng.integers(2**62)))  # quick scalar draws
        self.ws, self.we = dt.date(t.year - 1, 4, 1), dt.date(t.year, 3, 31)
        self.episodes: list[_Episode] = []
        self.n_children = 0

    def days(self, lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=self.fast.randint(lo, hi))

    def child(self) -> int:
        self.n_children += 1
        return self.n_children

    def carrier(self, before: int = 30) -> _Episode:
        ep = _Episode(self.child(), self.ws - self.days(before, before + 200))
        self.episodes.append(ep)
        return ep

    def fail(self, what: str) -> ChildLevelError:
        return ChildLevelError(f"LA {self.t.la_code} {self.t.year}: {what}")

    def build(self) -> list[_Episode]:
        t, ws = self.t, self.ws
        n_ref = t.count("referrals_count")
        re_num, re_den = t.ratio("rereferral_within_12m_pct")
        if re_den and re_den != n_ref:
            raise self.fail(f"re-referral denominator {re_den} is not the referrals {n_ref}")
        in_year: list[_Episode] = []
        for i in range(n_ref):
            hosted = i < re_num or i < max(
                t.count("s47_count"),
                t.ratio("assessments_within_45_days_pct")[1],
                t.count("cpp_starts_count"),
            )
            ref = ws + (self.days(6, 200) if hosted else self.days(6, 364))
            ep = _Episode(self.child(), ref)
            if i < re_num:
                prior = _Episode(ep.child, ws - self.days(1, 60), ws + self.days(0, 5))
                self.episodes.append(prior)
            in_year.append(ep)
            self.episodes.append(ep)
        hosts = iter(in_year)

        def host() -> _Episode:
            return next(hosts, None) or self.carrier()

        def start_after(ep: _Episode, lo: int, hi: int) -> dt.date:
            return max(ep.ref, ws) + self.days(lo, hi)

        a_num, a_den = t.ratio("assessments_within_45_days_pct")
        for i in range(a_den):
            ep = host()
            start = start_after(ep, 0, 3)
            wd = self.fast.randint(1, 45) if i < a_num else self.fast.randint(46, 70)
            ep.assessments.append((start, add_working_days(start, wd)))

        hosts = iter(in_year)
        n_s47, n_icpc = t.count("s47_count"), t.count("icpc_count")
        i_num, i_den = t.ratio("icpc_within_15_days_pct")
        if i_den and i_den != n_icpc:
            raise self.fail(f"ICPC timeliness denominator {i_den} is not the ICPCs {n_icpc}")
        within = [k < i_num for k in range(n_icpc)]
        self.rng.shuffle(within)
        icpcs: list[tuple[_Episode, dt.date]] = []
        for i in range(n_s47):
            ep = host()
            start = start_after(ep, 0, 5)
            icpc = None
            if i < n_icpc:
                wd = self.fast.randint(1, 15) if within[i] else self.fast.randint(16, 30)
                icpc = add_working_days(start, wd)
                icpcs.append((ep, icpc))
            ep.s47.append((start, icpc))
        for i in range(n_s47, n_icpc):  # more ICPCs than enquiries: enquiries begun before April
            ep = self.carrier()
            start = ws - self.days(1, 10)
            wd = self.fast.randint(8, 15) if within[i] else self.fast.randint(16, 30)
            icpc = add_working_days(start, wd)
            ep.s47.append((start, icpc))
            icpcs.append((ep, icpc))
        self.plans(in_year, icpcs)
        self.children_in_need(in_year)
        self.close_all()
        return self.episodes

    def plans(self, in_year: list[_Episode], icpcs: list[tuple[_Episode, dt.date]]) -> None:
        t, ws, we = self.t, self.ws, self.we
        n_starts, n_open = t.count("cpp_starts_count"), t.count("cpp_count_31mar")
        r_num, r_den = t.ratio("repeat_cpp_pct")
        if r_den and r_den != n_starts:
            raise self.fail(f"repeat-plan denominator {r_den} is not the plan starts {n_starts}")
        long_num, ended = t.ratio("cpp_2yrs_plus_pct")
        keep_open = min(n_open, n_starts)
        short_old = ended - long_num - (n_starts - keep_open)
        if short_old < 0 and ended:
            raise self.fail(
                f"{n_starts - keep_open} plans started in the year must end in it, "
                f"but only {ended - long_num} plans of under 2 years ended"
            )
        repeat = [k < r_num for k in range(n_starts)]
        self.rng.shuffle(repeat)
        free = (ep for ep in in_year if not ep.cpp)
        for i in range(n_starts):
            if i < len(icpcs):
                ep, start = icpcs[i]
            else:
                ep = next(free, None) or self.carrier()
                start = max(ep.ref, ws) + self.days(1, 20)
            end = None if i < keep_open else start + self.days(1, (we - start).days)
            ep.cpp.append((start, end, int(repeat[i])))
            ep.open_at_end = end is None
        for _ in range(n_open - keep_open):  # plans open at 31 March that began earlier
            start = ws - self.days(1, 600)
            ep = _Episode(self.child(), start - self.days(10, 60), open_at_end=True)
            ep.cpp.append((start, None, 0))
            self.episodes.append(ep)
        for i in range(max(short_old, 0) + long_num if ended else 0):
            end = ws + self.days(0, 300)
            if i < long_num:
                start = end - dt.timedelta(days=731) - self.days(0, 300)
            else:
                start = ws - self.days(1, 300)
            ep = _Episode(self.child(), start - self.days(10, 60))
            ep.cpp.append((start, end, 0))
            self.episodes.append(ep)

    def children_in_need(self, in_year: list[_Episode]) -> None:
        n_cin = self.t.count("cin_count_31mar")
        have = sum(ep.open_at_end for ep in self.episodes)
        if have > n_cin:
            raise self.fail(f"{have} children on plans at 31 March but {n_cin} in need")
        for ep in in_year:
            if have == n_cin:
                return
            if not ep.open_at_end:
                ep.open_at_end = True
                have += 1
        for _ in range(n_cin - have):
            self.episodes.append(
                _Episode(self.child(), self.ws - self.days(30, 400), open_at_end=True)
            )

    def close_all(self) -> None:
        for ep in self.episodes:
            if ep.open_at_end or ep.close is not None:
                continue
            dates = [ep.ref, self.ws]
            dates += [d for a in ep.assessments for d in a]
            dates += [d for s in ep.s47 for d in s if d is not None]
            dates += [d for c in ep.cpp for d in c[:2] if isinstance(d, dt.date)]
            last = max(dates)
            plain = not (ep.assessments or ep.s47 or ep.cpp)
            if plain and ep.ref >= self.ws and self.fast.random() < 0.15:
                ep.nfa, ep.close = True, ep.ref
            else:
                ep.close = min(last + self.days(1, 30), self.we)


def cin_census_xml(t: Targets, episodes: list[_Episode], rng: np.random.Generator) -> str:
    """The CIN census XML of one LA-year (``Sex`` from 2025, ``GenderCurrent`` before)."""
    sex_tag = "Sex" if t.year >= 2025 else "GenderCurrent"
    sexes = ("M", "F") if t.year >= 2025 else ("1", "2")
    by_child: dict[int, list[_Episode]] = {}
    for ep in episodes:
        by_child.setdefault(ep.child, []).append(ep)
    out = [
        "<?xml version='1.0' encoding='utf-8'?>\n<Message><Header><CollectionDetails>"
        f"<Collection>CIN</Collection><Year>{t.year}</Year>"
        f"<ReferenceDate>{t.year}-03-31</ReferenceDate></CollectionDetails><Source>"
        f"<SourceLevel>L</SourceLevel><LEA>{escape(t.la_code)}</LEA>"
        "<SoftwareCode>csceval synthetic</SoftwareCode><Release>1</Release>"
        f"<SerialNo>1</SerialNo><DateTime>{t.year}-05-01T09:00:00</DateTime></Source>"
        "</Header><Children>"
    ]
    n = len(by_child)
    ages = rng.integers(30, 6400, size=n)
    sex = rng.integers(0, 2, size=n)
    eth = rng.integers(0, len(_ETHNIC), size=n)
    for k, (child, eps) in enumerate(by_child.items()):
        first = min(ep.ref for ep in eps)
        dob = first - dt.timedelta(days=int(ages[k]))
        out.append(
            f"<Child><ChildIdentifiers><LAchildID>C{t.la_code}{t.year}{child:07d}</LAchildID>"
            f"<UPNunknown>UN1</UPNunknown><PersonBirthDate>{dob}</PersonBirthDate>"
            f"<{sex_tag}>{sexes[sex[k]]}</{sex_tag}></ChildIdentifiers><ChildCharacteristics>"
            f"<Ethnicity>{_ETHNIC[eth[k]]}</Ethnicity></ChildCharacteristics>"
        )
        for ep in eps:
            out.append(_details_xml(ep))
        out.append("</Child>")
    out.append("</Children></Message>\n")
    return "".join(out)


def _details_xml(ep: _Episode) -> str:
    parts = [
        f"<CINdetails><CINreferralDate>{ep.ref}</CINreferralDate>"
        "<ReferralSource>1A</ReferralSource><PrimaryNeedCode>N1</PrimaryNeedCode>"
    ]
    if ep.close is not None:
        parts.append(
            f"<CINclosureDate>{ep.close}</CINclosureDate>"
            f"<ReasonForClosure>{'RC8' if ep.nfa else 'RC1'}</ReasonForClosure>"
        )
    parts.append(f"<ReferralNFA>{int(ep.nfa)}</ReferralNFA>")
    for start, auth in ep.assessments:
        parts.append(
            f"<Assessments><AssessmentActualStartDate>{start}</AssessmentActualStartDate>"
            f"<AssessmentAuthorisationDate>{auth}</AssessmentAuthorisationDate>"
            "<FactorsIdentifiedAtAssessment><AssessmentFactors>21</AssessmentFactors>"
            "</FactorsIdentifiedAtAssessment></Assessments>"
        )
    for start, icpc in ep.s47:
        conf = (
            f"<DateOfInitialCPC>{icpc}</DateOfInitialCPC><ICPCnotRequired>0</ICPCnotRequired>"
            if icpc
            else "<ICPCnotRequired>1</ICPCnotRequired>"
        )
        parts.append(
            f"<Section47><S47ActualStartDate>{start}</S47ActualStartDate>{conf}</Section47>"
        )
    for start, end, previous in ep.cpp:
        stop = f"<CPPendDate>{end}</CPPendDate>" if end else ""
        parts.append(
            f"<ChildProtectionPlans><CPPstartDate>{start}</CPPstartDate>{stop}"
            "<InitialCategoryOfAbuse>NEG</InitialCategoryOfAbuse>"
            "<LatestCategoryOfAbuse>NEG</LatestCategoryOfAbuse>"
            f"<NumberOfPreviousCPP>{previous}</NumberOfPreviousCPP>"
            "</ChildProtectionPlans>"
        )
    parts.append("</CINdetails>")
    return "".join(parts)


# ---------------------------------------------------------------- SSDA903


class _ClaBuilder:
    def __init__(self, t: Targets, rng: np.random.Generator) -> None:
        self.t, self.rng = t, rng
        self.fast = random.Random(int(rng.integers(2**62)))  # quick scalar draws
        self.ws, self.we = dt.date(t.year - 1, 4, 1), dt.date(t.year, 3, 31)
        self.header: list[dict[str, object]] = []
        self.episodes: list[dict[str, object]] = []

    def days(self, lo: int, hi: int) -> dt.timedelta:
        return dt.timedelta(days=self.fast.randint(lo, hi))

    def fail(self, what: str) -> ChildLevelError:
        return ChildLevelError(f"LA {self.t.la_code} {self.t.year}: {what}")

    def child(
        self,
        dob: dt.date,
        moves: list[tuple[dt.date, str, str, str]],
        end: dt.date | None,
        ls: str = "C2",
    ) -> None:
        """One child: episodes (DECOM, RNE, PLACE, LS or '') in order, ending at ``end``."""
        cid = f"{self.t.la_code}{self.t.year}{len(self.header) + 1:06d}"
        sexes = ("M", "F") if self.t.year >= 2025 else ("1", "2")
        self.header.append(
            {
                "CHILD": cid,
                "SEX": sexes[self.fast.randint(0, 1)],
                "DOB": dob,
                "ETHNIC": _ETHNIC[self.fast.randint(0, 8)],
                "UPN": "",
                "MOTHER": "",
                "MC_DOB": "",
            }
        )
        for k, (decom, rne, place, legal) in enumerate(moves):
            last = k == len(moves) - 1
            dec = end if last else moves[k + 1][0]
            self.episodes.append(
                {
                    "CHILD": cid,
                    "DECOM": decom,
                    "RNE": rne,
                    "LS": legal or ls,
                    "CIN": f"N{self.fast.randint(1, 8)}",
                    "PLACE": place,
                    "PLACE_PROVIDER": "PR1",
                    "DEC": dec,
                    "REC": ("X1" if not last else "E13" if end else ""),
                    "REASON_PLACE_CHANGE": "",
                    "HOME_POST": "",
                    "PL_POST": "",
                    "URN": "",
                }
            )

    def foster(self) -> str:
        return self.fast.choice(_FOSTER)

    def in_year(self, lo: int = 0, hi: int = 360) -> dt.date:
        return self.ws + self.days(lo, hi)

    def build(self) -> None:
        t, ws, we = self.t, self.ws, self.we
        n_cla, n_starts = t.count("cla_count_31mar"), t.count("cla_starts_count")
        s_num, s_den = t.ratio("cla_long_term_stability_pct")
        p_num, p_den = t.ratio("cla_3plus_placements_pct")
        three = round(p_num / p_den * n_cla) if p_den else 0
        if s_den > n_cla:
            raise self.fail(f"stability cohort {s_den} exceeds the CLA at 31 March {n_cla}")
        staying = min(n_starts, n_cla - s_den)
        mid = n_cla - s_den - staying
        if three > n_cla - s_num:
            raise self.fail(
                f"{three} children with 3+ placements but only {n_cla - s_num} "
                "are not in a long-term stable placement"
            )
        movers = iter(range(three))
        is_mover = [next(movers, None) is not None for _ in range(n_cla - s_num)]
        mover = iter(is_mover)
        for i in range(s_den):  # long-term: under 16, in care 2.5+ years
            care = we - dt.timedelta(days=913) - self.days(1, 1000)
            dob = care - self.days(1, max(2, (care - (we - dt.timedelta(days=5800))).days))
            first = (care, "S", self.foster(), "")
            if i < s_num:
                moves = [first]
                if self.fast.random() < 0.2:
                    moves.append((self.in_year(), "T", "A4", "E1"))  # to adoption, same carers
            elif next(mover):
                d1 = self.in_year(0, 200)
                moves = [
                    first,
                    (d1, "P", self.foster(), ""),
                    (d1 + self.days(1, 150), "P", self.foster(), ""),
                ]
            else:
                moves = [first, (we - self.days(1, 700), "P", self.foster(), "")]
            self.child(dob, moves, None)
        for _ in range(staying):  # starters still looked after at 31 March
            d0 = self.in_year(0, 200)
            dob = d0 - self.days(1, 6000)
            moves = [(d0, "S", self.foster(), "")]
            if next(mover):
                d1 = d0 + self.days(1, 80)
                moves += [(d1, "P", self.foster(), ""), (d1 + self.days(1, 80), "P", "R1", "")]
            self.child(dob, moves, None, ls="V2")
        for _ in range(mid):  # began before April, less than 2.5 years ago
            care = ws - self.days(1, 500)
            dob = care - self.days(1, 5000)
            moves = [(care, "S", self.foster(), "")]
            if next(mover):
                d1 = self.in_year(0, 200)
                moves += [(d1, "P", self.foster(), ""), (d1 + self.days(1, 150), "B", "K2", "")]
            self.child(dob, moves, None)
        for _ in range(n_starts - staying):  # started and left in the year
            d0 = self.in_year(0, 300)
            self.child(
                d0 - self.days(1, 6000),
                [(d0, "S", self.foster(), "")],
                d0 + self.days(1, (we - d0).days - 1 if (we - d0).days > 1 else 1),
            )
        for _ in range(max(1, n_cla // 50)):  # short breaks: excluded from every measure
            d0 = self.in_year(0, 300)
            self.child(d0 - self.days(400, 5000), [(d0, "S", "R1", "V3")], None)

    def tables(self) -> dict[str, pd.DataFrame]:
        header = pd.DataFrame(self.header, columns=list(TABLES_903["header"]))
        episodes = pd.DataFrame(self.episodes, columns=list(TABLES_903["episodes"]))
        for frame, cols in ((header, ("DOB",)), (episodes, ("DECOM", "DEC"))):
            for c in cols:
                frame[c] = pd.to_datetime(frame[c])
        return {"header": header, "episodes": episodes}


def ssda903_xml(tables: dict[str, pd.DataFrame]) -> str:
    """The ``EXPSSDA903`` XML of header and episodes tables (``PLACE`` written as ``PL``)."""

    def d(value: Any) -> str:
        return "" if pd.isna(value) else str(pd.Timestamp(value).strftime("%d/%m/%Y"))

    def el(tag: str, value: Any) -> str:
        return f"<{tag}>{escape(str(value))}</{tag}>" if value else f"<{tag} />"

    by_child: dict[str, list[str]] = {}
    for e in tables["episodes"].itertuples(index=False):
        by_child.setdefault(str(e.CHILD), []).append(
            f"<EPISODE>{el('DECOM', d(e.DECOM))}{el('RNE', e.RNE)}{el('LS', e.LS)}"
            f"{el('CIN', e.CIN)}{el('PL', e.PLACE)}<PL_POST /><HOME_POST /><URN />"
            f"{el('PLACE_PROVIDER', e.PLACE_PROVIDER)}{el('DEC', d(e.DEC))}"
            f"{el('REC', e.REC)}<REASON_PLACE_CHANGE /></EPISODE>"
        )
    out = ["<?xml version='1.0' encoding='utf-8'?>\n<EXPSSDA903>"]
    for row in tables["header"].itertuples(index=False):
        out.append(
            f"<CHILD><HEADER>{el('CHILDID', row.CHILD)}{el('UPN', row.UPN)}"
            f"{el('SEX', row.SEX)}{el('DOB', d(row.DOB))}{el('ETHNIC', row.ETHNIC)}"
            "<UASC /><MOTHER /><MC_DOB /></HEADER>"
        )
        out.extend(by_child.get(str(row.CHILD), []))
        out.append("</CHILD>")
    out.append("</EXPSSDA903>\n")
    return "".join(out)


# ---------------------------------------------------------------- together


@dataclass(frozen=True)
class ChildLevelFiles:
    """One LA-year in the real formats, and the values it was made to reproduce."""

    targets: Targets
    cin_xml: str
    ssda903: dict[str, pd.DataFrame]


def simulate_child_level(
    panel: pd.DataFrame, la_code: str, year: int, seed: int = 2018
) -> ChildLevelFiles:
    """Child-level CIN census and SSDA903 records for one LA-year of the panel."""
    t = targets_from_panel(panel, la_code, year)
    rng = stream(seed, "childlevel", la_code, str(year))
    cin = _CinBuilder(t, rng)
    xml = cin_census_xml(t, cin.build(), rng)
    cla = _ClaBuilder(t, rng)
    cla.build()
    return ChildLevelFiles(t, xml, cla.tables())


def write_child_level(files: ChildLevelFiles, out: Path) -> list[Path]:
    """Write ``cin_census.xml``, ``ssda903.xml`` and ``ssda903/*.csv`` under ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    cin = out / "cin_census.xml"
    cin.write_text(files.cin_xml, encoding="utf-8")
    xml = out / "ssda903.xml"
    xml.write_text(ssda903_xml(files.ssda903), encoding="utf-8")
    return [cin, xml, *tables_to_csv(files.ssda903, out / "ssda903")]


def known_values(files: Iterable[ChildLevelFiles]) -> pd.DataFrame:
    """The panel values the files reproduce: la_code, year, indicator, value."""
    rows = []
    for f in files:
        t = f.targets
        rows += [(t.la_code, t.year, k, float(v)) for k, v in t.counts.items()]
        rows += [
            (t.la_code, t.year, k, 100.0 * n / d if d else math.nan)
            for k, (n, d) in t.ratios.items()
        ]
    return pd.DataFrame(rows, columns=["la_code", "year", "indicator", "value"])
