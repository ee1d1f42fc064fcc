"""The LA x year indicator panel, factual and counterfactual.

Modelling choices
-----------------
- Each series (:data:`~csceval.simulate.calibration.SERIES`) has a latent value per LA and year
  on the log scale (rates, caseload) or logit scale (percentages):
  ``national(t) + alpha_i + beta_i (t - 2017.5) + u_i(t) + shock_i(t)``. ``alpha_i`` is a
  persistent LA effect loading on deprivation and LA factors, ``beta_i`` an LA trend (CLA only),
  ``u_i(t)`` AR(1) noise whose innovations are partly a yearly "pressure" shared by the
  safeguarding series of the LA. ``national(t)`` is solved each year so that the England figure
  (population-weighted for rates, the LA mean for percentages) equals the calibrated one.
- Counts are Poisson around ``rate x population mid-(Y-1) / 10,000``; rates are then recomputed
  from the drawn count, so counts and rates agree exactly (DfE's method). Binomial percentages
  draw a numerator out of a denominator taken from a count series (e.g. re-referrals out of
  referrals); workforce percentages and caseloads are published directly.
- The counterfactual is the same world without the framework's effects. Both worlds use common
  random numbers (inverse-CDF draws from the same uniforms), so they differ only where an
  effect was injected, and there monotonically. Percentage denominators come from the
  counterfactual counts in both worlds, so null indicators are identical.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from csceval.simulate import calibration as cal
from csceval.simulate.events import Gap, Shock, shock_matrix
from csceval.simulate.geography import BoolArray, FloatArray, Geography
from csceval.simulate.pilots import EFFECTS, Design
from csceval.simulate.rng import stream

COLUMNS = (
    "la_code",
    "year",
    "indicator",
    "observed",
    "counterfactual",
    "expected",
    "expected_counterfactual",
    "numerator",
    "denominator",
    "available",
)
"""The panel frame: ``observed`` is what the files publish (before suppression),
``counterfactual`` the same without the framework, ``expected*`` the means they were drawn
around (rate per 10,000, percentage, or count), ``numerator``/``denominator`` the counts behind a
rate or percentage (suppression works on them), ``available`` False where a return is missing."""

_YEARS = np.array(cal.YEARS)
_EPS = 1e-12


def build_panel(
    seed: int,
    geo: Geography,
    design: Design,
    shocks: tuple[Shock, ...],
    gaps: tuple[Gap, ...],
) -> pd.DataFrame:
    """Every indicator for every LA-year it exists, factual and counterfactual."""
    n = len(geo.las)
    alive = geo.alive()
    pop = geo.rate_population()
    pressure = stream(seed, "pressure").normal(size=(n, len(cal.YEARS)))
    drawn: dict[str, FloatArray] = {}
    pieces: list[pd.DataFrame] = []
    for s in cal.SERIES:
        raw = _la_effects(seed, geo, s)[:, None] + shock_matrix(shocks, s.id, n)
        own = stream(seed, "noise", s.id).normal(size=(n, len(cal.YEARS)))
        innovations = np.sqrt(s.pressure) * pressure + np.sqrt(1 - s.pressure) * own
        raw = raw + s.noise_sd * _ar1(innovations, s.ar1) + _la_trends(seed, geo, s)
        latent = raw + _national_offset(s, raw, pop, alive)[None, :]
        expected_cf = np.exp(latent) if s.scale == "log" else 100.0 / (1.0 + np.exp(-latent))
        expected = _treated(s, expected_cf, design)
        u = np.clip(stream(seed, "draws", s.id).random((n, len(cal.YEARS))), _EPS, 1 - _EPS)
        mask = alive & (s.first_year <= _YEARS)[None, :]
        nan = np.full((n, len(cal.YEARS)), np.nan)
        if s.kind == "count":
            mu, mu_cf = expected * pop / 1e4, expected_cf * pop / 1e4
            count, count_cf = stats.poisson.ppf(u, mu), stats.poisson.ppf(u, mu_cf)
            drawn[s.id] = count_cf
            pieces.append(_rows(geo, s.id, mask, count, count_cf, mu, mu_cf, count, nan))
            if s.rate_id:
                rate, rate_cf = count / pop * 1e4, count_cf / pop * 1e4
                pieces.append(
                    _rows(geo, s.rate_id, mask, rate, rate_cf, expected, expected_cf, count, pop)
                )
        elif s.kind == "percent":
            assert s.denominator is not None
            size = np.round(drawn[s.denominator] * s.denominator_share)
            num = stats.binom.ppf(u, size, expected / 100.0)
            num_cf = stats.binom.ppf(u, size, expected_cf / 100.0)
            with np.errstate(invalid="ignore", divide="ignore"):
                pct, pct_cf = num / size * 100.0, num_cf / size * 100.0
            pieces.append(_rows(geo, s.id, mask, pct, pct_cf, expected, expected_cf, num, size))
        else:
            pieces.append(_rows(geo, s.id, mask, expected, expected_cf, expected, expected_cf,
                                nan, nan))  # fmt: skip
    population = geo.population[:, 1:]  # mid-Y for year Y
    mask = alive & (_YEARS <= cal.POPULATION_LAST_YEAR)[None, :]
    nan = np.full(population.shape, np.nan)
    pieces.append(_rows(geo, "population_0_17", mask, population, population, population,
                        population, nan, nan))  # fmt: skip
    pieces.append(_social_workers(pd.concat(pieces, ignore_index=True)))
    panel = pd.concat(pieces, ignore_index=True)
    for gap in gaps:
        hit = (
            (panel["la_code"] == gap.la_code)
            & (panel["year"] == gap.year)
            & panel["indicator"].isin(gap.indicators)
        )
        panel.loc[hit, "available"] = False
    return panel.sort_values(["la_code", "year", "indicator"], kind="stable").reset_index(drop=True)


INPOST_PER_CASE_HOLDER = 1.56
"""Social workers in post per case-holding FTE: the median LA ratio of ``inpost_fte`` to
``case_holders_fte`` in DfE's CSWW indicators 2017-2025 (1,350 LA-years)."""


def _social_workers(panel: pd.DataFrame) -> pd.DataFrame:
    """``sw_fte``: children in need at 31 March over the caseload, scaled to all in post.

    Derived rather than drawn, so the workforce is consistent with the caseload and the number of
    children the LA works with (cases held approximated by children in need).
    """
    keys = ["la_code", "year"]
    cin = panel[panel["indicator"] == "cin_count_31mar"].set_index(keys)
    caseload = panel[panel["indicator"] == "sw_caseload"].set_index(keys)
    both = cin.index.intersection(caseload.index)
    out = pd.DataFrame(index=both).reset_index()
    out["indicator"] = "sw_fte"
    for column in ("observed", "counterfactual", "expected", "expected_counterfactual"):
        ratio = cin.loc[both, column].to_numpy() / caseload.loc[both, column].to_numpy()
        out[column] = np.round(ratio * INPOST_PER_CASE_HOLDER, 1)
    out["numerator"] = np.nan
    out["denominator"] = np.nan
    out["available"] = True
    return out[list(COLUMNS)]


def _rows(
    geo: Geography,
    indicator: str,
    mask: BoolArray,
    observed: FloatArray,
    counterfactual: FloatArray,
    expected: FloatArray,
    expected_cf: FloatArray,
    numerator: FloatArray,
    denominator: FloatArray,
) -> pd.DataFrame:
    la, t = np.nonzero(mask)
    codes = np.array([x.la_code for x in geo.las])
    values = (observed, counterfactual, expected, expected_cf, numerator, denominator)
    columns: dict[str, object] = {"la_code": codes[la], "year": _YEARS[t], "indicator": indicator}
    for name, array in zip(COLUMNS[3:9], values, strict=True):
        columns[name] = np.asarray(array, dtype=float)[la, t]
    columns["available"] = np.ones(len(la), dtype=bool)
    return pd.DataFrame(columns)


def _ar1(eps: FloatArray, phi: float) -> FloatArray:
    """Stationary AR(1) paths with unit variance driven by unit-variance innovations ``eps``."""
    out = np.empty_like(eps)
    out[:, 0] = eps[:, 0]
    for t in range(1, len(cal.YEARS)):
        out[:, t] = phi * out[:, t - 1] + np.sqrt(1.0 - phi**2) * eps[:, t]
    return out


def _la_effects(seed: int, geo: Geography, s: cal.Series) -> FloatArray:
    """Persistent LA effects: deprivation, LA factors and an idiosyncratic part.

    LAs created by a reorganisation inherit their parents' idiosyncratic part (a mean for a
    merger, plus a little of their own for a split), so that their level continues."""
    own = stream(seed, "la_effects", s.id).normal(size=len(geo.las))
    for la in geo.las:
        if la.parents:
            own[la.index] = float(np.mean(own[list(la.parents)])) + 0.3 * own[la.index]
    load = sum(
        (w * geo.factors[:, cal.FACTORS.index(f)] for f, w in s.loadings),
        start=np.zeros(len(geo.las)),
    )
    idio = np.sqrt(max(0.0, 1.0 - s.dep**2 - sum(w**2 for _, w in s.loadings)))
    return np.asarray(s.la_sd * (s.dep * geo.deprivation + load + idio * own), dtype=float)


def _la_trends(seed: int, geo: Geography, s: cal.Series) -> FloatArray:
    """LA-specific linear trends (zero for most series), inherited through reorganisations."""
    slope = stream(seed, "trends", s.id).normal(0.0, s.trend_sd, size=len(geo.las))
    for la in geo.las:
        if la.parents:
            slope[la.index] = float(np.mean(slope[list(la.parents)]))
    return np.asarray(slope[:, None] * (_YEARS - 2017.5)[None, :], dtype=float)


def _national_offset(
    s: cal.Series, raw: FloatArray, pop: FloatArray, alive: BoolArray
) -> FloatArray:
    """The national latent level per year that makes England match its calibrated figure."""
    target = np.array([s.national_by_year()[y] for y in cal.YEARS])
    weight = alive * (pop if s.kind == "count" else 1.0)
    if s.scale == "log":
        mean = (weight * np.exp(raw)).sum(axis=0) / weight.sum(axis=0)
        return np.asarray(np.log(target) - np.log(mean), dtype=float)
    lo, hi = np.full(len(target), -15.0), np.full(len(target), 15.0)
    for _ in range(60):  # bisection: LA mean of the percentage equals the target
        mid = (lo + hi) / 2
        mean = (weight * 100.0 / (1.0 + np.exp(-(raw + mid)))).sum(axis=0) / weight.sum(axis=0)
        lo, hi = np.where(mean < target, mid, lo), np.where(mean < target, hi, mid)
    return np.asarray((lo + hi) / 2, dtype=float)


def _treated(s: cal.Series, expected_cf: FloatArray, design: Design) -> FloatArray:
    """The expected values with each pilot's effect, scaled by its exposure in each year."""
    out = expected_cf.copy()
    for effect in EFFECTS:
        if effect.series != s.id:
            continue
        for pilot in design.pilots:
            x = pilot.exposure(s.timing) * pilot.effects[s.id]
            if effect.form == "relative":
                out[pilot.index] = expected_cf[pilot.index] * (1.0 + x)
            else:
                out[pilot.index] = np.clip(expected_cf[pilot.index] + x, 0.1, 99.9)
    return out
