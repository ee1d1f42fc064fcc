"""The strand's part of synthetic England: child-level returns of pilots and comparators.

Modelling choices (SYNTHETIC, for the demo and tests):

- The pilots are the world's pilots (their implementation starts set the treatment); the
  comparators are a sample of :data:`N_COMPARATORS` of the pilots' statistical neighbours that
  never adopted the framework (a real evaluation would send every comparator's returns: the
  demo keeps the project small).
- The cohorts are scaled down (:data:`REFERRALS_A_YEAR` new children referred a year per LA,
  about a tenth of a real LA) for the same reason; returns cover the collection years
  :data:`YEARS` (cohorts 2014-2019: the pilots start in 2015-2018).
- ``child_impact.json`` is what ``csceval impact child-did`` computes from these returns (the
  same cohort builder and estimators, straight from the tables and with a key derived from the
  seed so the file is the same for the same seed); rerun the command to refresh it.
- The truth (``truth.json``, key ``child_impact``) is the injected effect averaged over the
  pilots' index referrals in treated cohort years (percentage points), per outcome
  (:mod:`csceval.strands.child_impact.simulate_model`).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from csceval.simulate.pilots import FRAMEWORK
from csceval.simulate.rng import stream
from csceval.simulate.scoping import scoping_rows
from csceval.simulate.world import World
from csceval.strands.child_impact.cohorts import PERMANENCE_MONTHS, YearReturns, la_cohorts
from csceval.strands.child_impact.estimate import estimate_child_impact
from csceval.strands.child_impact.folder import RESULT_FILE, adoption_year, result_bytes
from csceval.strands.child_impact.pseudonym import Pseudonymiser
from csceval.strands.child_impact.simulate_model import OUTCOMES, ChildWorldSpec, collection_year
from csceval.strands.child_impact.simulate_records import LaRecords, simulate_la
from csceval.strands.child_impact.simulate_returns import child_ids, la_files, la_returns

N_COMPARATORS = 6
REFERRALS_A_YEAR = 30.0
YEARS = tuple(range(2014, 2021))
DEMO_REPS = 999
DEMO_METHODS = ("cem",)
DEMO_OUTCOMES = ("rereferral_12m", "cpp_12m", "cla_12m")
"""The demo estimates with the headline matching only (propensity weighting doubles the time)
and leaves out repeat plans (too rare in a cohort this small to say anything)."""


def demo_spec(world: World) -> ChildWorldSpec:
    """Pilots with their starts and a sample of never-adopting neighbours as comparators."""
    pilots = {p.la_code: p.implementation_start for p in world.design.pilots}
    adopters = {str(r[0]) for r in scoping_rows(world) if r[1] == FRAMEWORK}
    adopters |= {c.la_code for c in world.design.contrasts}
    pool = sorted(
        {n.neighbour_code for n in world.neighbours if n.la_code in pilots} - adopters - set(pilots)
    )
    rng = stream(world.seed, "child-impact", "comparators")
    picked = sorted(rng.choice(np.array(pool), size=min(N_COMPARATORS, len(pool)), replace=False))
    starts = {**pilots, **dict.fromkeys((str(c) for c in picked), None)}
    return ChildWorldSpec(dict.fromkeys(starts, REFERRALS_A_YEAR), starts, YEARS, world.seed)


def spec_records(spec: ChildWorldSpec) -> list[LaRecords]:
    return [simulate_la(spec, la) for la in sorted(spec.starts)]


def spec_truth(
    spec: ChildWorldSpec, records: list[LaRecords], kept: pd.DataFrame | None = None
) -> dict[str, float]:
    """The injected effect (percentage points) averaged over the pilots' treated index
    referrals of the cohort years (those with a year of returns before and after).

    With ``kept`` (cohort rows of pilot children after adoption that the matching kept:
    ``la_code``, ``child`` as :func:`spec_cohorts` pseudonymises it, ``ref``), the average is
    over those children only: the estimand of the matched estimate, which averages over the
    matched pilot children (the feasible-sample ATT of coarsened exact matching), not over all."""
    index = pd.concat([r.index.assign(la_code=r.la_code) for r in records], ignore_index=True)
    year = collection_year(index["ref"].to_numpy())
    cohort = (year > spec.years[0]) & (year < spec.years[-1])
    treated = index[cohort & index["treated"].to_numpy()]
    if kept is not None:
        treated = treated[_keys(spec, treated).isin(set(_keys(spec, kept, pseudonymised=True)))]
    truth = {o: 100 * float(treated[f"effect_{o}"].mean()) for o in OUTCOMES}
    repeat = treated["effect_cpp_12m"] * (treated["prior_cpp"] | treated["history"])
    truth["repeat_cpp_12m"] = 100 * float(repeat.mean())
    # permanence: over the treated children who entered care with 24 months observed
    end = np.datetime64(f"{spec.years[-1]}-03-31")
    observed = (treated["decom"] + pd.DateOffset(months=PERMANENCE_MONTHS)) <= end
    permanence = treated.loc[observed, "effect_permanence_24m"].dropna()
    if len(permanence):  # none when the returns end within 24 months of every entry
        truth["permanence_24m"] = 100 * float(permanence.mean())
    return truth


def _pseudonymiser(spec: ChildWorldSpec) -> Pseudonymiser:
    return Pseudonymiser(hashlib.sha256(f"child-impact {spec.seed}".encode()).digest())


def _keys(spec: ChildWorldSpec, rows: pd.DataFrame, pseudonymised: bool = False) -> pd.Series:
    """``la|child pseudonym|referral date`` of each row (simulated children or cohort rows)."""
    child, la = rows["child"].to_numpy(), rows["la_code"].astype(str).to_numpy()
    if not pseudonymised:
        pseudo, child = _pseudonymiser(spec), child.astype(object)
        for code in pd.unique(la):
            mine = la == code
            child[mine] = pseudo.pseudonyms(code, child_ids(code, child[mine]))
    day = pd.to_datetime(rows["ref"]).dt.strftime("%Y-%m-%d")
    return (
        pd.Series(la, index=rows.index)
        + "|"
        + pd.Series(child, index=rows.index).astype(str)
        + "|"
        + day
    )


def spec_cohorts(
    spec: ChildWorldSpec, returns: dict[str, dict[int, YearReturns]]
) -> tuple[pd.DataFrame, dict[str, int]]:
    """The cohorts straight from the simulated tables (no files), with a key from the seed, and
    the referrals dropped."""
    pseudo = _pseudonymiser(spec)
    frames = []
    dropped: dict[str, int] = {}
    for la in sorted(returns):
        frame, counts = la_cohorts(la, returns[la], pseudo)
        frames.append(frame)
        for key, n in counts.items():
            dropped[key] = dropped.get(key, 0) + n
    return pd.concat(frames, ignore_index=True), dropped


def spec_returns(
    records: list[LaRecords], years: tuple[int, ...]
) -> dict[str, dict[int, YearReturns]]:
    """Every LA's returns as the readers give them."""
    return {rec.la_code: la_returns(rec, years) for rec in records}


def adoption_years(spec: ChildWorldSpec) -> dict[str, int]:
    return {la: adoption_year(s) for la, s in spec.starts.items() if s is not None}


def _demo(world: World) -> tuple[dict[str, str], dict[str, Any]]:
    spec = demo_spec(world)
    records = spec_records(spec)
    returns = spec_returns(records, spec.years)
    files: dict[str, str] = {}
    for la, by_year in returns.items():
        files.update(la_files(la, by_year))
    cohorts, dropped = spec_cohorts(spec, returns)
    result = estimate_child_impact(
        cohorts,
        adoption_years(spec),
        reps=DEMO_REPS,
        seed=spec.seed,
        methods=DEMO_METHODS,
        outcomes=DEMO_OUTCOMES,
        dropped=dropped,
    )
    inputs = {path: hashlib.sha256(text.encode()).hexdigest() for path, text in files.items()}
    files[RESULT_FILE] = result_bytes(replace(result, inputs=inputs)).decode("utf-8")
    truth = {
        "effects_pp": spec_truth(spec, records),
        "pilots": sorted(adoption_years(spec)),
        "comparators": sorted(la for la, s in spec.starts.items() if s is None),
    }
    return files, truth


_KEPT: dict[int, tuple[dict[str, str], dict[str, Any]]] = {}
KEEP = 4


def _cached(world: World) -> tuple[dict[str, str], dict[str, Any]]:
    """Files and truth of the world (a world is fixed by its seed; the last few are kept, since
    building the returns takes seconds and a process often simulates a few seeds again)."""
    if world.seed not in _KEPT:
        while len(_KEPT) >= KEEP:
            del _KEPT[next(iter(_KEPT))]
        _KEPT[world.seed] = _demo(world)
    return _KEPT[world.seed]


def child_impact_files(world: World) -> dict[str, str]:
    """The returns under ``child_level/`` and ``child_impact.json``."""
    return dict(_cached(world)[0])


def child_impact_truth(world: World) -> dict[str, Any]:
    """The injected effects, the pilots and the comparators."""
    return dict(_cached(world)[1])
