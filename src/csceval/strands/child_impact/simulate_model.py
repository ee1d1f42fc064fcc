"""The child-level world: who is referred, what happens next, and the effect injected.

Modelling choices (all SYNTHETIC, for recovery studies, tests and the demo):

- Each LA has a size (new children referred a year). Every **index referral** (a referral that
  is not within 12 months of an earlier one: the strand's cohort unit) draws the child's need,
  factors at assessment and three outcomes within 12 months: a re-referral, a child protection
  plan and an entry to care. A child who is neither planned for nor taken into care comes back,
  with probability 0.2, for a new index referral 380-700 days after the last event of the
  previous one (so the follow-up windows never overlap and the return carries the history:
  prior referral, prior plan).
- **Plans before the returns.** A share :data:`PRIOR_PLAN_SHARE` (0.16) of new children aged 1
  or more had a referral and a child protection plan before the first return: it raises their
  outcome probabilities like a prior referral and plan, and a plan they start says so in
  ``NumberOfPreviousCPP`` (so it is a repeat plan), but the returns hold no earlier plan, so the
  cohort's ``prior_cpp`` covariate does not see it (as with real returns that start after a
  child's first plan). Calibrated so that about a fifth of the plans started are second or
  later plans (19.6% over the cohort years 2015-2019 of the recovery worlds), as in England:
  16.6% in 2014-15 rising to 20.8% in 2018-19 (DfE, Characteristics of children in need,
  Explore Education Statistics table D3, ``CPP_subsequent_percent``, England rows). Without it,
  second plans came only from children returning within the returns: about 2% of plans.
- Outcome probabilities are linear in the covariates (age under 5, domestic abuse, substance
  misuse, prior referral and plan, primary need) plus an LA effect, a year effect and an
  LA-year shock (which makes outcomes correlated within an LA: inference must cluster on LAs).
  Pilots start from higher levels, and their share of children under 5 grows over the years
  (so an unmatched comparison confounds the effect with the changing mix).
- Two switches for inference studies (issue 24), whose defaults leave every draw as it was:
  ``common_shock_sd`` scales the year shocks common to all LAs (the common stream is still drawn,
  so 0 removes them without moving any other draw), and ``pilots_differ=False`` draws the pilots
  exactly as comparators (level mean 0, no extra N1 referrals, no growing share of under-5s;
  the same stream calls, only the parameters change). The pilots' starts, and so the injected
  effect, are untouched.
- A child taken into care leaves care to **permanence** (adoption, special guardianship or a
  child arrangements order) within 24 months with probability 0.30, 0.45 for children under 5,
  plus the LA's level (and, for pilots after their start, the injected effect); otherwise the
  period of care ends in a return home (E13) 60-900 days after it started. Permanence is drawn
  from its own random stream.
- **The injected effect** on a pilot's referral on or after its start is
  ``effect[outcome] x AGE_MULTIPLIER[age band] x NEED_MULTIPLIER[need]`` percentage points
  (heterogeneous by age and need). The truth of a world is the mean, over the pilots' index
  referrals in treated cohort years, of ``p1 - p0`` (the probabilities with and without the
  effect, after clipping to [0.005, 0.95]): the average effect on the treated children actually
  referred. The matched difference-in-differences averages over the pilot children the matching
  kept (coarsened exact matching drops strata without a comparator child), so recovery studies
  compare it with the mean over those children (``spec_truth(..., kept)``); the two differ
  little here (the match keeps about 98% of the treated pilot children).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from csceval.simulate.rng import stream

AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16-17")
AGE_EDGES = (0, 1, 5, 10, 16, 18)
AGE_SHARES = (0.12, 0.23, 0.25, 0.30, 0.10)
AGE_MULTIPLIER = (0.6, 1.5, 1.2, 0.8, 0.4)
NEEDS = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8", "N9")
NEED_SHARES = (0.50, 0.04, 0.06, 0.18, 0.04, 0.02, 0.01, 0.05, 0.10)
NEED_MULTIPLIER = (1.4, 0.5, 0.5, 0.8, 0.5, 0.5, 0.5, 0.5, 0.5)
OUTCOMES = ("rereferral_12m", "cpp_12m", "cla_12m")
DEFAULT_EFFECTS = {
    "rereferral_12m": -0.04,
    "cpp_12m": -0.03,
    "cla_12m": -0.015,
    "permanence_24m": 0.06,
}
"""Effect at multipliers 1 (probability scale) on a pilot's referrals after its start."""
PERMANENCE_CODES = ("E11", "E12", "E41", "E45", "E46", "E47", "E48")
"""REC codes the simulator writes when a period of care ends in permanence."""
RETURN_PROBABILITY = 0.2
PRIOR_PLAN_SHARE = 0.16
"""Share of new children aged 1 or more with a plan before the returns (see the module notes)."""
FACTOR_SHARES = {"3A": 0.30, "4A": 0.20, "2A": 0.15}
"""Factors at assessment drawn: domestic abuse (3A), parental mental health (4A), drugs (2A)."""


@dataclass(frozen=True)
class ChildWorldSpec:
    """What to simulate: LAs with their sizes and starts (None: comparator), collection years."""

    sizes: Mapping[str, float]
    starts: Mapping[str, dt.date | None]
    years: tuple[int, ...]
    seed: int = 2018
    effects: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_EFFECTS))
    common_shock_sd: float = 0.01
    """SD of the year shock shared by every LA (per outcome and collection year)."""
    pilots_differ: bool = True
    """False: pilots drawn as comparators (homogeneous worlds; only their starts differ)."""


@dataclass
class IndexReferrals:
    """One generation of index referrals of one LA: covariates, outcomes and their effects."""

    child: np.ndarray  # int: the child's number in the LA
    ref: np.ndarray  # datetime64[D]
    dob: np.ndarray
    prior_referral: np.ndarray  # bool: an earlier referral in the returns
    prior_cpp: np.ndarray  # bool: an earlier plan in the returns
    history: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    """A referral and a plan before the returns (only ``NumberOfPreviousCPP`` shows it)."""
    need: np.ndarray = field(default_factory=lambda: np.zeros(0, int))
    factors: np.ndarray = field(default_factory=lambda: np.zeros((0, 3), bool))
    treated: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))
    outcome: dict[str, np.ndarray] = field(default_factory=dict)
    effect: dict[str, np.ndarray] = field(default_factory=dict)
    scale: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def take(self, keep: np.ndarray) -> IndexReferrals:
        return IndexReferrals(
            self.child[keep],
            self.ref[keep],
            self.dob[keep],
            self.prior_referral[keep],
            self.prior_cpp[keep],
            self.history[keep],
            self.need[keep],
            self.factors[keep],
            self.treated[keep],
            {k: v[keep] for k, v in self.outcome.items()},
            {k: v[keep] for k, v in self.effect.items()},
            self.scale[keep] if len(self.scale) else self.scale,
        )

    @property
    def any_prior_cpp(self) -> np.ndarray:
        """A plan before this referral, in the returns or before them."""
        return np.asarray(self.prior_cpp | self.history)


def _day(d: dt.date) -> np.datetime64:
    return np.datetime64(d, "D")


def window(year: int) -> tuple[np.datetime64, np.datetime64]:
    """The collection year ending 31 March ``year`` as (1 April, 31 March) days."""
    return _day(dt.date(year - 1, 4, 1)), _day(dt.date(year, 3, 31))


def collection_year(days: np.ndarray) -> np.ndarray:
    """The collection year (ending 31 March) of each date."""
    d = pd.DatetimeIndex(days.astype("datetime64[ns]"))
    return np.asarray(d.year + (d.month >= 4), dtype=np.int64)


def age_band(ref: np.ndarray, dob: np.ndarray) -> np.ndarray:
    """Index into :data:`AGE_BANDS` of the age at each referral (whole years)."""
    r = pd.DatetimeIndex(ref.astype("datetime64[ns]"))
    b = pd.DatetimeIndex(dob.astype("datetime64[ns]"))
    years = r.year - b.year - ((r.month < b.month) | ((r.month == b.month) & (r.day < b.day)))
    return np.searchsorted(np.array(AGE_EDGES[1:-1]), np.asarray(years), side="right")


class LaModel:
    """The outcome model of one LA, drawn from its own random stream."""

    def __init__(self, spec: ChildWorldSpec, la: str) -> None:
        self.spec, self.la = spec, la
        self.rng = stream(spec.seed, "child-impact", la)
        self.permanence_rng = stream(spec.seed, "child-impact", la, "permanence")
        """Its own stream, so that adding permanence left every other draw as it was."""
        self.permanence_level = float(self.permanence_rng.normal(0.0, 0.03))
        self.history_rng = stream(spec.seed, "child-impact", la, "history")
        """Its own stream too: the histories change no other draw (only the outcomes they raise)."""
        self.start = spec.starts.get(la)
        self.pilot = self.start is not None
        self.differs = self.pilot and spec.pilots_differ
        """Whether this LA is drawn with the pilots' fixed differences."""
        years = spec.years
        common = stream(spec.seed, "child-impact", "years")
        self.level = {
            o: float(self.rng.normal(0.02 if self.differs else 0.0, 0.02)) for o in OUTCOMES
        }
        self.year_effect = {}
        for o in OUTCOMES:
            shared = common.normal(0, 1.0, len(years)) * spec.common_shock_sd
            shocks = shared + self.rng.normal(0, 0.01, len(years))
            self.year_effect[o] = dict(zip(years, shocks, strict=True))

    def new_children(self) -> IndexReferrals:
        """First referrals of new children, year by year, and the children's birth dates."""
        refs, dobs = [], []
        for year in self.spec.years:
            lo, hi = window(year)
            n = int(self.rng.poisson(self.spec.sizes[self.la]))
            ref = lo + self.rng.integers(0, int((hi - lo).astype(int)) + 1, n).astype("m8[D]")
            shares = np.array(AGE_SHARES)
            if self.differs:  # the pilots' share of under-5s grows 2 points a year
                s = 0.02 * (year - self.spec.years[0])
                shares = shares + np.array([s / 2, s / 2, -s / 3, -s / 3, -s / 3])
            band = self.rng.choice(len(AGE_BANDS), n, p=shares / shares.sum())
            edges = np.array(AGE_EDGES) * 365.25
            age = edges[band] + 1 + self.rng.random(n) * (edges[band + 1] - edges[band] - 3)
            refs.append(ref)
            dobs.append(ref - age.astype(int).astype("m8[D]"))
        ref, dob = np.concatenate(refs), np.concatenate(dobs)
        none = np.zeros(len(ref), bool)
        history = (self.history_rng.random(len(ref)) < PRIOR_PLAN_SHARE) & (age_band(ref, dob) > 0)
        return IndexReferrals(np.arange(len(ref)), ref, dob, none, none.copy(), history)

    def draw(self, g: IndexReferrals) -> None:
        """Need, factors and outcomes of a generation of index referrals (in place)."""
        rng, n = self.rng, len(g.ref)
        shares = np.array(NEED_SHARES) + (np.array([0.08] + [-0.01] * 8) if self.differs else 0)
        g.need = rng.choice(len(NEEDS), n, p=shares / shares.sum())
        g.factors = rng.random((n, len(FACTOR_SHARES))) < np.array(list(FACTOR_SHARES.values()))
        g.treated = np.zeros(n, bool) if self.start is None else g.ref >= _day(self.start)
        band = age_band(g.ref, g.dob)
        fa, young, n1 = g.factors, band <= 1, g.need == 0
        prior_ref, prior_cpp = g.prior_referral | g.history, g.any_prior_cpp
        base = {
            "rereferral_12m": 0.16 + 0.05 * prior_ref + 0.04 * fa[:, 0] + 0.03 * n1,
            "cpp_12m": 0.10 + 0.06 * prior_cpp + 0.04 * fa[:, 0] + 0.03 * fa[:, 2] + 0.05 * young,
            "cla_12m": 0.04 + 0.03 * (band == 0) + 0.03 * prior_cpp + 0.02 * fa[:, 2],
        }
        scale = np.array(AGE_MULTIPLIER)[band] * np.array(NEED_MULTIPLIER)[g.need]
        g.scale = scale
        year = collection_year(g.ref)
        for o in OUTCOMES:
            p = base[o] + self.level[o] + np.array([self.year_effect[o][y] for y in year])
            p0 = np.clip(p, 0.005, 0.95)
            p1 = np.clip(p + self.spec.effects.get(o, 0.0) * scale, 0.005, 0.95)
            g.effect[o] = np.where(g.treated, p1 - p0, 0.0)
            g.outcome[o] = rng.random(n) < np.where(g.treated, p1, p0)
        self._permanence(g, young)

    def _permanence(self, g: IndexReferrals, young: np.ndarray) -> None:
        """Whether each referral's entry to care (if any) ends in permanence within 24 months,
        and the effect on that probability (NaN without an entry to care)."""
        n = len(g.ref)
        p0 = np.clip(0.30 + 0.15 * young + self.permanence_level, 0.005, 0.95)
        effect = self.spec.effects.get("permanence_24m", 0.0)
        p1 = np.clip(p0 + effect * g.scale, 0.005, 0.95)
        care = g.outcome["cla_12m"]
        g.effect["permanence_24m"] = np.where(g.treated & care, p1 - p0, np.nan)
        draw = self.permanence_rng.random(n) < np.where(g.treated, p1, p0)
        g.outcome["permanence_24m"] = care & draw
