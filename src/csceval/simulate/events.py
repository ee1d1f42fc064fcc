"""LA-specific events that are not the framework: shocks and missing returns.

Modelling choices
-----------------
- Shocks: a few LAs (never tiny or reorganised ones) have a scandal-driven spike in child
  protection activity: section 47 enquiries, ICPCs and plans rise by 20-40% (on the log scale)
  in the first year, then 70% and 40% of that, for 2-3 years; referrals, CLA starts and CLA
  rise less (:data:`~csceval.simulate.calibration.SHOCK_SERIES`). Every eligible LA has the same
  chance of one, pilots and contrast sites included: ``N_SHOCKS`` of the other eligible LAs are
  drawn as before (stream ``shocks``), and each site independently has a shock with the same
  per-LA probability (``N_SHOCKS`` / number of other eligible LAs) from its own stream
  (``shocks``, ``sites``), so only worlds with a shocked site differ from the earlier rule, which
  spared the sites and left comparators alone carrying the spikes (a negative bias on every
  pilot contrast after adoption). Shocks are part of both the factual and the counterfactual
  panel, so the truth does not depend on them.
- Gaps: a few LA-years where the whole CIN census return, or the workforce return, is not
  available (``x``), like Hackney's 2021 CIN census after a cyber-attack.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from csceval.simulate import calibration as cal
from csceval.simulate.geography import FloatArray, Geography
from csceval.simulate.rng import stream


@dataclass(frozen=True, slots=True)
class Shock:
    index: int
    la_code: str
    start_year: int
    duration: int
    magnitude: float
    """Log-scale rise of S47 enquiries in the first year; other series scale by SHOCK_SERIES."""

    def profile(self) -> dict[int, float]:
        """Share of the magnitude in each affected year."""
        return {self.start_year + k: cal.SHOCK_PROFILE[k] for k in range(self.duration)}


@dataclass(frozen=True, slots=True)
class Gap:
    index: int
    la_code: str
    year: int
    block: str
    """``cin_census`` or ``workforce``: which return is missing."""

    @property
    def indicators(self) -> tuple[str, ...]:
        return _block_indicators(self.block)


def _block_indicators(block: str) -> tuple[str, ...]:
    series = cal.CIN_CENSUS if block == "cin_census" else cal.WORKFORCE
    ids: list[str] = []
    for s in series:
        ids.append(s)
        rate = cal.SERIES_BY_ID[s].rate_id
        if rate:
            ids.append(rate)
    if block != "cin_census":
        ids += cal.WORKFORCE_DERIVED
    return tuple(sorted(ids))


def _eligible(geo: Geography, excluded: set[int]) -> list[int]:
    return [la.index for la in geo.las if not (la.tiny or la.reorganised or la.index in excluded)]


def _shock(rng: np.random.Generator, geo: Geography, i: int) -> Shock:
    start = int(rng.integers(2014, 2023))  # after a year of CIN census data
    duration = int(rng.integers(2, 4))
    magnitude = round(float(rng.uniform(*cal.SHOCK_LOG_MAGNITUDE)), 3)
    return Shock(i, geo.las[i].la_code, start, duration, magnitude)


def draw_shocks(seed: int, geo: Geography, sites: set[int]) -> tuple[Shock, ...]:
    """``N_SHOCKS`` shocks among the eligible non-site LAs, and each eligible site's own chance.

    A site (pilot or contrast site) is shocked with probability ``N_SHOCKS / len(others)``,
    independently, on the ``("shocks", "sites")`` stream, so every eligible LA has the same
    chance and the non-site draws are those of the earlier rule that spared the sites.
    """
    others = _eligible(geo, sites)
    rng = stream(seed, "shocks")
    chosen = sorted(int(i) for i in rng.choice(others, cal.N_SHOCKS, False))
    shocks = [_shock(rng, geo, i) for i in chosen]
    site_rng = stream(seed, "shocks", "sites")
    p = cal.N_SHOCKS / len(others)
    for i in sorted(set(_eligible(geo, set())) - set(others)):
        if site_rng.random() < p:
            shocks.append(_shock(site_rng, geo, i))
    return tuple(sorted(shocks, key=lambda s: s.index))


def shock_matrix(shocks: tuple[Shock, ...], series: str, n_las: int) -> FloatArray:
    """Additive log/logit shift for one series, shape (LAs, YEARS)."""
    out = np.zeros((n_las, len(cal.YEARS)))
    weight = cal.SHOCK_SERIES.get(series, 0.0)
    for shock in shocks:
        for year, share in shock.profile().items():
            if year in cal.YEARS:
                out[shock.index, cal.YEARS.index(year)] += weight * shock.magnitude * share
    return out


def draw_gaps(seed: int, geo: Geography, excluded: set[int]) -> tuple[Gap, ...]:
    rng = stream(seed, "gaps")
    eligible = _eligible(geo, excluded)
    gaps = []
    for block, count, years in (
        ("cin_census", cal.N_MISSING_CIN_YEARS, (2014, 2025)),
        ("workforce", cal.N_MISSING_WORKFORCE_YEARS, (2016, 2025)),
    ):
        for i in rng.choice(eligible, count, False):
            gaps.append(Gap(int(i), geo.las[int(i)].la_code, int(rng.integers(*years)), block))
    return tuple(sorted(gaps, key=lambda g: (g.la_code, g.year, g.block)))
