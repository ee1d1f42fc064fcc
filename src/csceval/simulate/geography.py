"""Fictional England: local authorities, regions, populations and reorganisations.

Modelling choices
-----------------
- 152 LAs in the 9 real regions with the real 2010 mix of London boroughs, metropolitan
  districts, unitaries and shire counties; one City-of-London-like borough and one
  Isles-of-Scilly-like unitary are tiny, so that small counts and suppression occur.
- 3-digit codes are drawn from 401-589 (new codes after reorganisations from 590-599), ranges
  DfE does not use; GSS codes are ``E06/E08/E09/E10`` followed by ``9xxxxx``, which ONS never
  issued. Names are invented (:mod:`csceval.simulate.names`).
- Latent characteristics: deprivation (by type and region, standardised), urbanity (by type) and
  three LA factors (:data:`~csceval.simulate.calibration.FACTORS`), all drawn once.
- Populations aged 0-17 are lognormal by type at mid-2018, then follow the national index
  with an LA-specific growth rate. Row ``year = Y`` is the mid-Y estimate; rates for year Y
  (ending 31 March) use mid-(Y-1), as DfE does.
- A merger (two unitaries -> one, from 2020) and a split (one county -> two unitaries, from
  2022). The new LAs are simulated for every year internally (their population is the sum or a
  share of their parents'), but only their years of existence are written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from csceval.simulate import calibration as cal
from csceval.simulate.names import place_names
from csceval.simulate.rng import stream

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
MID_YEARS: tuple[int, ...] = tuple(range(cal.FIRST_YEAR - 1, cal.LAST_YEAR + 1))
"""Mid-year population estimates simulated: mid-2009 (for rates of 2010) to mid-2025."""


@dataclass(frozen=True, slots=True)
class LocalAuthority:
    """One fictional LA (a row of ``local_authorities.csv``)."""

    index: int
    la_code: str
    gss_code: str
    name: str
    la_type: str
    region: cal.Region
    first_year: int
    last_year: int | None
    tiny: bool = False
    parents: tuple[int, ...] = ()

    def exists(self, year: int) -> bool:
        return self.first_year <= year <= (self.last_year or cal.LAST_YEAR)

    @property
    def reorganised(self) -> bool:
        return bool(self.parents) or self.last_year is not None


@dataclass(frozen=True, slots=True)
class Reorganisation:
    """A merger or split: ``old`` codes end the year before ``year``, ``new`` codes start."""

    kind: str
    year: int
    old: tuple[str, ...]
    new: tuple[str, ...]


@dataclass(frozen=True)
class Geography:
    """All LAs (including pre- and post-reorganisation codes) and their characteristics."""

    las: tuple[LocalAuthority, ...]
    population: FloatArray
    """Mid-year population aged 0-17, shape (LAs, MID_YEARS)."""
    deprivation: FloatArray
    urbanity: FloatArray
    factors: FloatArray
    """LA factors, shape (LAs, len(FACTORS))."""
    reorganisations: tuple[Reorganisation, ...]

    def alive(self) -> BoolArray:
        """Whether each LA reports in each year, shape (LAs, YEARS)."""
        return np.array([[la.exists(y) for y in cal.YEARS] for la in self.las])

    def rate_population(self) -> FloatArray:
        """The mid-(Y-1) population each year-Y rate divides by, shape (LAs, YEARS)."""
        return self.population[:, : len(cal.YEARS)]

    def population_2018(self) -> FloatArray:
        return self.population[:, MID_YEARS.index(2018)]


@dataclass
class _Draft:
    name: str
    la_type: str
    region: cal.Region
    tiny: bool = False


def build_geography(seed: int) -> Geography:
    """Draw the fictional LAs, their characteristics and populations."""
    rng = stream(seed, "geography")
    drafts: list[_Draft] = []
    for region in cal.REGIONS:
        block = [
            _Draft("", la_type, region)
            for la_type in cal.LA_TYPES
            for _ in range(int(getattr(region, la_type)))
        ]
        drafts += [block[int(i)] for i in rng.permutation(len(block))]
    _mark_tiny(drafts)
    for draft, name in zip(drafts, place_names(rng, len(drafts)), strict=True):
        prefix = "City of " if draft.tiny and draft.la_type == "london" else ""
        prefix = "Isles of " if draft.tiny and draft.la_type == "unitary" else prefix
        draft.name = prefix + name
    n = len(drafts)
    codes = sorted(int(c) for c in rng.choice(np.arange(401, 590), size=n, replace=False))
    new_codes = sorted(int(c) for c in rng.choice(np.arange(590, 600), size=3, replace=False))

    pop2018 = np.array([_population_2018(rng, d) for d in drafts])
    dep = np.array([cal.TYPE_DEPRIVATION[d.la_type] + d.region.deprivation_shift for d in drafts])
    dep = dep + rng.normal(0.0, 0.7, n)
    dep = (dep - dep.mean()) / dep.std()
    dep[[i for i, d in enumerate(drafts) if d.tiny]] = -0.8
    urban = np.array([rng.uniform(*cal.URBANITY[d.la_type]) for d in drafts])
    las = tuple(
        LocalAuthority(i, str(code), "", d.name, d.la_type, d.region, cal.FIRST_YEAR, None, d.tiny)
        for i, (code, d) in enumerate(zip(codes, drafts, strict=True))
    )
    before = Geography(
        las,
        _trajectories(stream(seed, "population"), pop2018),
        dep,
        urban,
        stream(seed, "la_factors").normal(size=(n, len(cal.FACTORS))),
        (),
    )
    return _reorganise(before, stream(seed, "reorganisations"), [str(c) for c in new_codes])


def _reorganise(geo: Geography, rng: np.random.Generator, new_codes: list[str]) -> Geography:
    """Merge two small unitaries and split a county; the new LAs inherit their parents'
    population (sum or share) and characteristics (population-weighted mean, or the parent's
    plus a little noise for the two halves of a split)."""
    pop2018 = geo.population_2018()
    merged = _pick(rng, geo.las, pop2018, cal.MERGER, 2, small=True)
    split = _pick(rng, geo.las, pop2018, cal.SPLIT, 1, small=False)[0]
    share = rng.uniform(*cal.SPLIT_SHARE)
    sides = [("North", "West"), ("North", "South"), ("East", "West")][rng.integers(3)]
    noise = rng.normal(0.0, 0.3, size=(2, 2 + len(cal.FACTORS)))

    las = list(geo.las)
    for i in merged:
        las[i] = replace(las[i], last_year=cal.MERGER.year - 1)
    las[split] = replace(las[split], last_year=cal.SPLIT.year - 1)
    n, (a, b), county = len(las), (las[i] for i in merged), las[split]
    las.append(
        LocalAuthority(n, new_codes[0], "", f"{a.name} and {b.name}", "unitary", a.region,
                       cal.MERGER.year, None, parents=tuple(merged))
    )  # fmt: skip
    for k, side in enumerate(sides):
        las.append(
            LocalAuthority(n + 1 + k, new_codes[1 + k], "", f"{side} {county.name}", "unitary",
                           county.region, cal.SPLIT.year, None, parents=(split,))
        )  # fmt: skip

    weights = pop2018[merged]
    part = np.round(geo.population[split] * share)
    merged_pop = geo.population[merged].sum(axis=0)
    population = np.vstack([geo.population, merged_pop, part, geo.population[split] - part])
    dep = np.append(
        geo.deprivation,
        [
            np.average(geo.deprivation[merged], weights=weights),
            *(geo.deprivation[split] + noise[:, 0]),
        ],
    )
    urban = np.append(
        geo.urbanity,
        [np.average(geo.urbanity[merged], weights=weights),
         *np.clip(geo.urbanity[split] + noise[:, 1], 0.0, 1.0)],
    )  # fmt: skip
    factors = np.vstack(
        [geo.factors, np.average(geo.factors[merged], axis=0, weights=weights),
         geo.factors[split] + noise[:, 2:]]
    )  # fmt: skip
    las = _with_gss_codes(las)
    reorganisations = (
        Reorganisation("merger", cal.MERGER.year, tuple(las[i].la_code for i in merged),
                       (las[n].la_code,)),
        Reorganisation("split", cal.SPLIT.year, (county.la_code,),
                       (las[n + 1].la_code, las[n + 2].la_code)),
    )  # fmt: skip
    return Geography(tuple(las), population, dep, urban, factors, reorganisations)


def _mark_tiny(drafts: list[_Draft]) -> None:
    for la_type, region_code in (("london", "E12000007"), ("unitary", "E12000009")):
        first = next(d for d in drafts if d.la_type == la_type and d.region.code == region_code)
        first.tiny = True


def _population_2018(rng: np.random.Generator, draft: _Draft) -> float:
    if draft.tiny:
        return cal.TINY_POPULATION_2018[draft.la_type] * float(rng.uniform(0.9, 1.1))
    median, log_sd, low, high = cal.POPULATION_2018[draft.la_type]
    return float(np.clip(median * np.exp(rng.normal(0.0, log_sd)), low, high))


def _trajectories(rng: np.random.Generator, pop2018: FloatArray) -> FloatArray:
    """Mid-year populations 2009-2025: national index x LA growth x small noise, whole persons."""
    n = len(pop2018)
    years = np.array(MID_YEARS, dtype=float)
    index = np.array([cal.POPULATION_INDEX[y] for y in MID_YEARS])
    growth = rng.normal(0.0, cal.POPULATION_TREND_SD, n)
    noise = rng.normal(0.0, cal.POPULATION_NOISE_SD, (n, len(MID_YEARS)))
    log_pop = np.log(pop2018)[:, None] + np.log(index)[None, :]
    log_pop = log_pop + growth[:, None] * (years - 2018.0)[None, :] + noise
    return np.asarray(np.maximum(np.round(np.exp(log_pop)), 1.0), dtype=float)


def _pick(
    rng: np.random.Generator,
    las: tuple[LocalAuthority, ...],
    pop2018: FloatArray,
    spec: cal.ReorganisationSpec,
    count: int,
    *,
    small: bool,
) -> list[int]:
    """LAs of the given region and type to reorganise (never a tiny one)."""
    eligible = [
        la.index
        for la in las
        if la.region.code == spec.region and la.la_type == spec.la_type and not la.tiny
    ]
    if small:
        median = float(np.median(pop2018[eligible]))
        eligible = [i for i in eligible if pop2018[i] <= median]
    chosen = rng.choice(np.array(eligible), size=count, replace=False)
    return sorted(int(i) for i in chosen)


def _with_gss_codes(las: list[LocalAuthority]) -> list[LocalAuthority]:
    """Fictional GSS codes: the real type prefix, then 9 and a serial number by LA code."""
    serial: dict[str, int] = {}
    out = list(las)
    for la in sorted(las, key=lambda x: x.la_code):
        prefix = cal.GSS_PREFIX[la.la_type]
        serial[prefix] = serial.get(prefix, 0) + 1
        out[la.index] = replace(la, gss_code=f"{prefix}9{serial[prefix]:05d}")
    return out
