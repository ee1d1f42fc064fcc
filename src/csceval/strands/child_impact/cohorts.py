"""Referral cohorts of one LA from its yearly CIN census and SSDA903 returns.

Notes
-----
**Episodes across returns.** A CIN census holds every episode open in its year as known on 31
March, so an episode appears in several censuses; each episode (child, referral date), plan
(child, start) and period of care (child, start) is taken from the latest return that holds it.
Child ids are pseudonymised before anything else (:mod:`csceval.strands.child_impact.pseudonym`);
the CIN census ``LAchildID`` and the SSDA903 ``CHILD`` are taken to be the same id in one LA
(both are the case system's id in the DfE guidance), so care entries link to referrals.

**Cohort.** Index referrals: referrals in the collection year (1 April to 31 March) that are not
themselves re-referrals in DfE's sense (no earlier referral of the child in the 12 months
before). A re-referral is an outcome of the referral it follows, not a new cohort member, so
each child counts at most once in any 12 months and follow-up windows of one child never overlap.
A cohort year needs the LA's returns of the year before (look-back) and the year after (the
12-month follow-up); other years are dropped and counted.

**Outcomes** (DfE definitions; "within 12 months" means on or before the same date a year on):
``rereferral_12m`` another referral of the child after this one and within 12 months (DfE's
re-referral, seen from the first referral); ``cpp_12m`` a child protection plan starting on or
after the referral date and within 12 months; ``repeat_cpp_12m`` such a plan that is a second or
later plan for the child (``NumberOfPreviousCPP`` of 1 or more, or an earlier plan in the
returns; DfE's repeat-plan rule); ``cla_12m`` a period of care starting (SSDA903 ``RNE`` = S) on
or after the referral date and within 12 months (missing when the LA sent no SSDA903 returns);
``permanence_24m`` time to permanence as a binary outcome: for a referral followed by an entry
to care within 12 months, the period of care that began then ends, within 24 months of its
start, in adoption, a special guardianship order or a child arrangements order
(:data:`PERMANENCE_CODES`: the DfE ``REC`` codes). The period ends at the first later episode
with a ``REC`` other than X1 (continuing). Missing where the data cannot hold it: no entry to
care (the outcome is conditional on entering care, so a pilot that changes who enters care
changes whom it is measured on; the report says so), no SSDA903 returns, or returns that end
before 24 months after the entry (censored follow-up is left out, not counted as "not yet").

**Covariates** (all before or at the referral): age band at referral, sex, ethnic group (the
first letter of the DfE code; CHNE with Asian), any disability, primary need code, factors
identified at assessment of the episode (domestic abuse 3A-3C, parental mental health 4A-4C,
parental substance misuse 1A-1C and 2A-2C), and a prior referral and a prior plan anywhere in
the returns before the referral.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from csceval.strands.child_impact.pseudonym import Pseudonymiser

AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16-17")
AGE_EDGES = (1, 5, 10, 16)
OUTCOMES = ("rereferral_12m", "cpp_12m", "repeat_cpp_12m", "cla_12m", "permanence_24m")
OUTCOME_TITLES = {
    "rereferral_12m": "Re-referral within 12 months",
    "cpp_12m": "Child protection plan within 12 months",
    "repeat_cpp_12m": "Repeat child protection plan within 12 months",
    "cla_12m": "Entry to care within 12 months",
    "permanence_24m": "Permanence within 24 months of entry to care",
}
PERMANENCE_CODES = frozenset({"E11", "E12", "E41", "E43", "E44", "E45", "E46", "E47", "E48"})
"""SSDA903 reasons an episode ceased (REC) that are permanence: adoption (E11, E12), a residence
or child arrangements order (E41) and a special guardianship order (E43-E44 to 2019-20, E45-E48
from 2020-21)."""
PERMANENCE_MONTHS = 24
FACTOR_GROUPS = {
    "domestic_abuse": ("3A", "3B", "3C"),
    "mental_health": ("4A", "4B", "4C"),
    "substance_misuse": ("1A", "1B", "1C", "2A", "2B", "2C"),
}
COVARIATES = (
    "age_band",
    "sex",
    "ethnic_group",
    "disabled",
    "need",
    *FACTOR_GROUPS,
    "prior_referral",
    "prior_cpp",
)
ETHNIC_GROUPS = {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black", "O": "Other"}


@dataclass(frozen=True)
class YearReturns:
    """One LA's returns of one collection year, as the readers give them."""

    cin: Mapping[str, pd.DataFrame]
    episodes: pd.DataFrame | None = None
    """SSDA903 ``episodes`` (None when the LA sent no 903 return that year)."""
    header: pd.DataFrame | None = None
    """SSDA903 ``header`` (not used by the cohorts; kept to write the return back out)."""


def _latest(both: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    return both.sort_values("_year", kind="stable").drop_duplicates(key, keep="last")


class _Stack:
    """Each table stacked over the years, with child ids pseudonymised once per LA."""

    def __init__(self, la: str, returns: Mapping[int, YearReturns], pseudo: Pseudonymiser):
        self.la, self.returns, self.pseudo = la, returns, pseudo
        self.known: dict[str, str] = {}

    def ids(self, raw: pd.Series) -> np.ndarray:
        codes, uniques = pd.factorize(raw.astype(str))
        new = [u for u in uniques if u not in self.known]
        self.known.update(zip(new, self.pseudo.pseudonyms(self.la, new), strict=True))
        mapped = np.array([self.known[u] for u in uniques], dtype=object)
        return mapped[codes] if len(codes) else np.array([], dtype=object)

    def table(self, name: str, id_column: str = "LAchildID") -> pd.DataFrame:
        years = sorted(self.returns)
        parts = [
            self.returns[y].cin[name] if name != "episodes" else self.returns[y].episodes
            for y in years
        ]
        sizes = [0 if p is None else len(p) for p in parts]
        both = pd.concat([p for p in parts if p is not None], ignore_index=True)
        both["_year"] = np.repeat(years, sizes)
        both["child"] = self.ids(both.pop(id_column))
        return both


def _ethnic_group(codes: pd.Series) -> pd.Series:
    first = codes.fillna("").astype(str).str.upper().str[:1]
    group = first.map(ETHNIC_GROUPS).fillna("Unknown")
    return group.where(codes.fillna("").astype(str).str.upper() != "CHNE", "Asian")


def _age_band(ref: pd.Series, dob: pd.Series) -> pd.Series:
    years = (
        ref.dt.year
        - dob.dt.year
        - (
            (ref.dt.month < dob.dt.month)
            | ((ref.dt.month == dob.dt.month) & (ref.dt.day < dob.dt.day))
        )
    )
    band = np.searchsorted(np.array(AGE_EDGES), years.fillna(-1).to_numpy(), side="right")
    labels = np.array(AGE_BANDS)[np.clip(band, 0, len(AGE_BANDS) - 1)]
    return pd.Series(np.where(years.isna() | (years < 0), "unknown", labels), index=ref.index)


def _first_after(
    refs: pd.DataFrame, events: pd.DataFrame, on: str, strict: bool = False
) -> pd.DataFrame:
    """For each referral, the first event of the child on (or strictly after) its date."""
    left = refs[["child", "ref", "_row"]].sort_values("ref", kind="stable")
    right = events.rename(columns={on: "ref"}).sort_values("ref", kind="stable")
    right["_when"] = right["ref"]
    got = pd.merge_asof(
        left, right, on="ref", by="child", direction="forward", allow_exact_matches=not strict
    )
    return got.set_index("_row").reindex(refs["_row"])


def _within_year(ref: pd.Series, when: pd.Series | np.ndarray) -> pd.Series:
    at = pd.Series(np.asarray(when, dtype="datetime64[ns]"), index=ref.index)
    return at.notna() & (at <= ref + pd.DateOffset(years=1))


def la_cohorts(
    la_code: str, returns: Mapping[int, YearReturns], pseudo: Pseudonymiser
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Index referrals of the LA's cohort years with covariates and outcomes, and the counts
    dropped (re-referrals; referrals of years without look-back or follow-up)."""
    stack = _Stack(la_code, returns, pseudo)
    details = _latest(stack.table("cin_details"), ["child", "CINreferralDate"])
    details = details.rename(columns={"CINreferralDate": "ref"}).dropna(subset=["ref"])
    details = details.sort_values(["child", "ref"], kind="stable").reset_index(drop=True)
    details["_row"] = np.arange(len(details))
    previous = details.groupby("child")["ref"].shift(1)
    following = details.groupby("child")["ref"].shift(-1)
    index = previous.isna() | (details["ref"] > previous + pd.DateOffset(years=1))
    frame = details.assign(
        rereferral_12m=_within_year(details["ref"], following),
        prior_referral=previous.notna(),
    )
    factors = stack.table("assessment_factors")
    codes = factors.merge(
        details[["child", "CINdetailsID", "_year", "_row"]], on=["child", "CINdetailsID", "_year"]
    )
    for name, group in FACTOR_GROUPS.items():
        rows = codes.loc[codes["AssessmentFactors"].astype(str).str.upper().isin(group), "_row"]
        frame[name] = frame["_row"].isin(rows)
    plans = _latest(stack.table("cpp"), ["child", "CPPstartDate"])
    plans = plans[["child", "CPPstartDate", "NumberOfPreviousCPP"]].dropna(subset=["CPPstartDate"])
    plan = _first_after(frame, plans, "CPPstartDate")
    frame["cpp_12m"] = _within_year(frame["ref"], plan["_when"].to_numpy())
    earlier = plans.groupby("child")["CPPstartDate"].min()
    first_plan = frame["child"].map(earlier)
    frame["prior_cpp"] = first_plan.notna() & (first_plan < frame["ref"])
    later_plan = plan["_when"].to_numpy() > first_plan.to_numpy()
    repeat = (plan["NumberOfPreviousCPP"].fillna(0).to_numpy() >= 1) | later_plan
    frame["repeat_cpp_12m"] = frame["cpp_12m"] & repeat
    frame["cla_12m"], frame["permanence_24m"] = _care(frame, stack)
    children = _latest(stack.table("children"), ["child"]).set_index("child")
    disabilities = stack.table("disabilities")
    disabled = set(
        disabilities.loc[disabilities["Disability"].astype(str).str.upper() != "NONE", "child"]
    )
    frame["age_band"] = _age_band(frame["ref"], frame["child"].map(children["PersonBirthDate"]))
    frame["sex"] = frame["child"].map(children["Sex"]).replace("", "U").fillna("U")
    frame["ethnic_group"] = _ethnic_group(frame["child"].map(children["Ethnicity"]))
    frame["disabled"] = frame["child"].isin(disabled)
    frame["need"] = frame["PrimaryNeedCode"].fillna("").replace("", "unknown")
    frame["cohort_year"] = frame["ref"].dt.year + (frame["ref"].dt.month >= 4)
    years = set(returns)
    complete = frame["cohort_year"].map(lambda y: y - 1 in years and y + 1 in years)
    counts = {
        "re-referrals (outcomes, not cohort members)": int((~index).sum()),
        "referrals in years without look-back or follow-up": int((index & ~complete).sum()),
    }
    keep = frame[index & complete].assign(la_code=la_code)
    columns = ["la_code", "child", "cohort_year", "ref", *COVARIATES, *OUTCOMES]
    return keep[columns].reset_index(drop=True), counts


def _care(frame: pd.DataFrame, stack: _Stack) -> tuple[pd.Series, pd.Series]:
    """Entry to care within 12 months, and permanence within 24 months of that entry (NaN for
    every referral when no 903 return was sent; permanence NaN where it is not observed)."""
    if all(r.episodes is None for r in stack.returns.values()):
        return pd.Series(np.nan, index=frame.index), pd.Series(np.nan, index=frame.index)
    episodes = _latest(stack.table("episodes", "CHILD"), ["child", "DECOM"])
    episodes = episodes.dropna(subset=["DECOM"])
    starts = episodes.loc[episodes["RNE"].astype(str).str.upper() == "S", ["child", "DECOM"]]
    care = _first_after(frame, starts, "DECOM")
    entry = pd.Series(np.asarray(care["_when"], dtype="datetime64[ns]"), index=frame.index)
    entered = _within_year(frame["ref"], entry)
    rec = episodes["REC"].fillna("").astype(str).str.strip().str.upper()
    ends = episodes.loc[(rec != "") & (rec != "X1") & episodes["DEC"].notna(), ["child", "DEC"]]
    ends = ends.assign(permanent=rec.isin(PERMANENCE_CODES))
    left = pd.DataFrame({"child": frame["child"], "ref": entry, "_row": frame["_row"]})
    end = _first_after(left.dropna(subset=["ref"]).reset_index(drop=True), ends, "DEC")
    end = end.reindex(frame["_row"])
    limit = entry + pd.DateOffset(months=PERMANENCE_MONTHS)
    last_day = pd.Timestamp(
        max(y for y, r in stack.returns.items() if r.episodes is not None), 3, 31
    )
    permanent = end["permanent"].eq(True).to_numpy() & (
        np.asarray(end["_when"], dtype="datetime64[ns]") <= limit.to_numpy()
    )
    observed = entered & (limit <= last_day)
    return entered, pd.Series(permanent.astype(float), index=frame.index).where(observed)
