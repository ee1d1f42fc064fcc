"""Simulated CIN census records of one LA-year that reproduce its panel values, as XML.

Each referral in the year is its own CIN episode; re-referrals are children whose earlier
episode was referred shortly before 1 April and closed just after it (so it is in the census but
is not a referral of the year). Assessments, section 47 enquiries, ICPCs and plans are attached
to the year's referrals first, and to "carrier" episodes referred before 1 April (not counted as
referrals) when a count exceeds the referrals; ICPCs and plans follow the enquiries that lead to
them. Timeliness is set in working days (within or beyond 15 and 45). Plans open at 31 March,
plans ending in the year and their durations, and the children in need at 31 March are then made
up exactly, with carriers where needed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import numpy as np

from csceval.childlevel.calendar import add_working_days
from csceval.simulate.childlevel_targets import _ETHNIC, ChildLevelError, Targets


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
