"""The pilots: which LAs adopt the framework, when, and the effects injected.

Modelling choices
-----------------
- Ten pilots among mid-sized LAs (30,000-220,000 children), never tiny or reorganised, at most
  two per region. As in the real evaluation, where pilots had fewer children in need and in
  care than similar LAs, selection leans towards LAs with a low intervention threshold
  (probability proportional to ``exp(-0.5 x threshold factor)``): a level difference, not a
  difference in trends.
- Staggered adoption: eight Phase-1-like pilots start between January 2015 and June 2016 and
  two later ones between April 2017 and April 2018; each is fully embedded 12-30 months after
  its start. Two early pilots exit between July 2018 and June 2019.
- Effects (:data:`EFFECTS`) ramp linearly from implementation start (0) to fully embedded
  (the pilot's full effect); after an exit they fade linearly to nothing over 24 months. Each
  pilot's effect is drawn around the nominal size (heterogeneous effects). All other indicators
  have no effect: the nulls are part of the truth.
- Exposure of a year ending 31 March Y: for a flow (referrals, re-referrals) the mean of the
  ramp over the 12 months April Y-1 to March Y; for a stock at 31 March, the ramp on that day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

import numpy as np

from csceval.simulate import calibration as cal
from csceval.simulate.geography import FloatArray, Geography
from csceval.simulate.neighbours import features
from csceval.simulate.rng import stream

Form = Literal["relative", "absolute_pp"]


@dataclass(frozen=True, slots=True)
class Effect:
    """An injected effect on one simulated series (and the indicators derived from it)."""

    indicator: str
    series: str
    form: Form
    nominal: float
    pilot_sd: float
    applies_to: tuple[str, ...]

    @property
    def description(self) -> str:
        if self.form == "relative":
            return "relative change in the expected count (and rate): expected x (1 + effect)"
        return "absolute change in the expected percentage, in percentage points"


EFFECTS: tuple[Effect, ...] = (
    Effect("rereferral_within_12m_pct", "rereferral_within_12m_pct", "absolute_pp", -2.0, 0.6,
           ("rereferral_within_12m_pct",)),
    Effect("cpp_rate_per_10k", "cpp_count_31mar", "relative", -0.06, 0.015,
           ("cpp_count_31mar", "cpp_rate_per_10k")),
    Effect("cla_rate_per_10k", "cla_count_31mar", "relative", -0.05, 0.02,
           ("cla_count_31mar", "cla_rate_per_10k")),
)  # fmt: skip
FRAMEWORK = "Signs of Safety"
CONTRAST_FRAMEWORKS = ("Systemic practice", "Restorative practice")
N_PILOTS, N_EARLY, N_EXITED, MAX_PER_REGION = 10, 8, 2, 2
PILOT_POPULATION = (30_000.0, 220_000.0)
SELECTION_TILT = 0.5
EARLY_START, LATE_START = (date(2015, 1, 1), 18), (date(2017, 4, 1), 13)
"""(first month, number of possible months) of implementation start."""
EMBED_MONTHS = (12, 30)
EXIT_START = (date(2018, 7, 1), 12)
FADE_MONTHS = 24


@dataclass(frozen=True, slots=True)
class Pilot:
    """A pilot LA: its dates and its own effect sizes (by series id)."""

    index: int
    la_code: str
    name: str
    role: str
    implementation_start: date
    fully_embedded: date
    exit_date: date | None
    effects: dict[str, float]

    def ramp(self, day: date) -> float:
        """Share of the full effect in place on ``day``."""
        if day <= self.implementation_start:
            return 0.0
        span = (self.fully_embedded - self.implementation_start).days
        level = min(1.0, (day - self.implementation_start).days / span)
        if self.exit_date is not None and day > self.exit_date:
            at_exit = self.ramp(self.exit_date)
            faded = (day - self.exit_date).days / (FADE_MONTHS * 30.4375)
            return at_exit * max(0.0, 1.0 - faded)
        return level

    def exposure(self, timing: cal.Timing) -> FloatArray:
        """Share of the full effect in each year ending 31 March (flow: mean over the year)."""
        if timing == "stock":
            return np.array([self.ramp(date(y, 3, 31)) for y in cal.YEARS])
        return np.array(
            [np.mean([self.ramp(_add_months(date(y - 1, 4, 15), m)) for m in range(12)])
             for y in cal.YEARS]
        )  # fmt: skip


@dataclass(frozen=True, slots=True)
class ContrastSite:
    index: int
    la_code: str
    name: str
    framework: str


@dataclass(frozen=True)
class Design:
    pilots: tuple[Pilot, ...]
    contrasts: tuple[ContrastSite, ...]


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, day.day)


def _month(rng: np.random.Generator, window: tuple[date, int]) -> date:
    return _add_months(window[0], int(rng.integers(window[1])))


def choose_design(seed: int, geo: Geography, groups: list[str]) -> Design:
    """Select the pilots and contrast sites and draw their dates and effects."""
    rng = stream(seed, "pilots")
    pop = geo.population_2018()
    candidates = [
        la.index
        for la in geo.las
        if not la.tiny
        and not la.reorganised
        and PILOT_POPULATION[0] <= pop[la.index] <= PILOT_POPULATION[1]
    ]
    weights = np.exp(-SELECTION_TILT * geo.factors[candidates, cal.FACTORS.index("threshold")])
    keys = rng.random(len(candidates)) ** (1.0 / weights)  # weighted sampling (Efraimidis)
    chosen: list[int] = []
    per_region: dict[str, int] = {}
    for k in np.argsort(-keys, kind="stable"):
        la = geo.las[candidates[int(k)]]
        if per_region.get(la.region.code, 0) < MAX_PER_REGION and len(chosen) < N_PILOTS:
            chosen.append(la.index)
            per_region[la.region.code] = per_region.get(la.region.code, 0) + 1
    chosen.sort(key=lambda i: geo.las[i].la_code)
    early = set(rng.choice(np.array(chosen), size=N_EARLY, replace=False).tolist())
    exited = set(rng.choice(np.array(sorted(early)), size=N_EXITED, replace=False).tolist())
    effect_rng = stream(seed, "effects")
    pilots = []
    for i in chosen:
        start = _month(rng, EARLY_START if i in early else LATE_START)
        embedded = _add_months(start, int(rng.integers(EMBED_MONTHS[0], EMBED_MONTHS[1] + 1)))
        exit_date = _month(rng, EXIT_START) - timedelta(days=1) if i in exited else None
        effects = {
            e.series: round(e.nominal + e.pilot_sd * float(effect_rng.normal()), 4) for e in EFFECTS
        }
        la = geo.las[i]
        role = "exited" if i in exited else "pilot"
        pilots.append(Pilot(i, la.la_code, la.name, role, start, embedded, exit_date, effects))
    contrasts = _contrast_sites(geo, groups, candidates, chosen)
    return Design(tuple(pilots), contrasts)


def _contrast_sites(
    geo: Geography, groups: list[str], candidates: list[int], pilots: list[int]
) -> tuple[ContrastSite, ...]:
    """The LA most like each of the first two pilots, among the other candidates (as in the
    contrast study, which paired framework sites with similar non-framework sites)."""
    x = features(geo)
    free = [i for i in candidates if i not in pilots]
    sites: list[ContrastSite] = []
    for pilot, framework in zip(pilots, CONTRAST_FRAMEWORKS, strict=False):
        same_group = [i for i in free if groups[i] == groups[pilot]] or free
        best = min(same_group, key=lambda i: float(((x[i] - x[pilot]) ** 2).sum()))
        free.remove(best)
        sites.append(ContrastSite(best, geo.las[best].la_code, geo.las[best].name, framework))
    return tuple(sites)


TIME_POINTS = (
    ("T1", date(2018, 9, 1), date(2018, 11, 30), "Autumn 2018"),
    ("T2", date(2019, 9, 1), date(2019, 11, 30), "Autumn 2019"),
)
"""(id, start, end, label) of the fieldwork time points written to evaluation.toml."""
