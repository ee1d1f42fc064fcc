"""Recovery: does the impact strand find the effects injected into synthetic England?

For each seed, :func:`recover_seed` simulates synthetic England, writes it as a project, runs
the impact strand on it exactly as ``csceval run`` would (:func:`analyse_impact`: the plan's
comparators, estimators and headline indicators) and compares every estimate with the truth
the simulator knows. :func:`summarise` turns many seeds into bias, coverage and rejection rates.

Notes
-----
**The truth** of an estimate is the realised effect on the pilots it used, weighted as the
method weights pilot-years: ``observed - counterfactual`` per pilot and year (both worlds share
their random numbers, so this is the framework's effect on those very counts), averaged

- over each pilot's post-adoption years, then over pilots, for the pooled synthetic control
  (pilots weighted equally), controlled ITS, each pilot's own synthetic control and the
  random-trend model (the mean over pilots of each one's post-period mean gap);
- over all post-adoption pilot-years for Callaway-Sant'Anna (the simple aggregation weights
  every post-adoption cell by its group size) and synthetic DiD (cohorts weighted by treated
  unit-periods).

Post-adoption years run from the adoption year to the last year of the indicator's span. On the
null indicators (no injected effect) the truth is exactly zero. Rates are analysed on the log
scale (:func:`~csceval.strands.impact.scale.analysis_scale`), so their truth is the same average of
``log(observed) - log(counterfactual)``, reported as a per cent change ``100 (exp(x) - 1)``
like the estimates.

**Rates.** Bias is the mean of ``estimate - truth`` with its Monte Carlo (MC) error
``sd / sqrt(n)``; for indicators analysed on the log scale the error is taken in log points
(``100 (log(1 + estimate/100) - log(1 + truth/100))``, close to percentage points of the
rate), so a noisy per-pilot estimate is not pushed up by the convexity of ``exp``. Coverage is
the share of 95% intervals containing the truth; the rejection rate the share of tests with
``p <= alpha``: the real size on a null indicator, the power on the others. ITS is a chart in
the report, not an estimate, so it has no rows here. Disjoint seed blocks and the test of their
consistency are in :mod:`csceval.strands.impact.recovery_blocks`.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from csceval.executor import map_tasks
from csceval.impact.estimands import PILOT_WEIGHTED
from csceval.impact.synth_data import positive_log
from csceval.indicators.catalogue import BY_ID
from csceval.project import Project, read_project
from csceval.simulate.pilots import EFFECTS
from csceval.simulate.world import World, simulate_world
from csceval.simulate.writer import core_files
from csceval.strands import StrandInputs
from csceval.strands.impact.results import IndicatorImpact
from csceval.strands.impact.scale import Scale, analysis_scale, from_log
from csceval.strands.impact.strand import analyse_impact

NULL_INDICATORS_NOTE = "no effect injected: truth 0, so the rejection rate is the real size"
COLUMNS = (
    "seed", "indicator", "method", "unit", "estimate", "low", "high", "p_value", "truth",
    "verdict",
)  # fmt: skip
STRENGTHS = ("none", "low", "moderate", "high")


@dataclass(frozen=True)
class RecoveryRow:
    """One estimate of one seed beside its truth."""

    seed: int
    indicator: str
    method: str
    unit: str
    """The pilot's LA code for a per-pilot row, else empty."""
    estimate: float
    low: float
    high: float
    p_value: float
    truth: float
    verdict: str
    """The report's strength of evidence for the indicator (the same on each of its rows)."""


def injected(indicator: str) -> bool:
    """Whether the simulator injects an effect on ``indicator``."""
    return any(indicator in e.applies_to for e in EFFECTS)


def effect_matrix(world: World, indicator: str, scale: Scale = "level") -> pd.DataFrame:
    """LAs x years of ``observed - counterfactual`` on ``scale`` (zero where nothing was
    injected or a value has no log)."""
    rows = world.panel[world.panel["indicator"] == indicator]
    observed, counterfactual = rows["observed"].to_numpy(), rows["counterfactual"].to_numpy()
    if scale == "log":
        observed, counterfactual = positive_log(observed), positive_log(counterfactual)
    frame = rows.assign(effect=np.nan_to_num(observed - counterfactual, nan=0.0))
    return frame.pivot(index="la_code", columns="year", values="effect")


def truth_of(
    method: str,
    effects: pd.DataFrame,
    adoption: dict[str, int],
    years: tuple[int, int],
    scale: Scale = "level",
) -> float:
    """The method's estimand: the realised effect on ``adoption``'s pilots (see the notes)."""
    per_pilot = []
    for unit, start in adoption.items():
        row = effects.loc[unit]
        per_pilot.append(row[(row.index >= start) & (row.index <= years[1])].to_numpy(float))
    if not per_pilot:
        return math.nan
    if method in PILOT_WEIGHTED:
        mean = float(np.mean([cells.mean() for cells in per_pilot]))
    else:
        mean = float(np.concatenate(per_pilot).mean())
    return from_log(mean) if scale == "log" else mean


def _rows(
    seed: int, impact: IndicatorImpact, world: World, adoption: dict[str, int], strength: str
) -> list[RecoveryRow]:
    if impact.years is None:
        return []
    effects = effect_matrix(world, impact.indicator.id, impact.scale)
    used = {u: adoption[u] for u in impact.pilots_used}
    out = []
    for e in impact.estimates:
        if not e.estimable or not math.isfinite(e.estimate):
            continue
        pilots = {e.unit: used[e.unit]} if e.unit else used
        truth = truth_of(e.method, effects, pilots, impact.years, impact.scale)
        values = (e.estimate, e.low, e.high, e.p_value, truth, strength)
        out.append(RecoveryRow(seed, impact.indicator.id, e.method, e.unit, *values))
    return out


@contextmanager
def seed_project(seed: int) -> Iterator[tuple[World, Project]]:
    """Simulate ``seed`` and load its core files as a project (in a temporary folder, removed
    on exit), with the impact strand's declarations, as ``csceval run`` would load it."""
    from csceval.strands.impact import STRAND  # the package imports this module's siblings

    world = simulate_world(seed)
    files, _, _ = core_files(world)
    with tempfile.TemporaryDirectory(prefix=f"csceval-recovery-{seed}-") as folder:
        for relative, text in files.items():
            path = Path(folder) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        yield world, read_project(Path(folder), (STRAND,))


def recover_seed(seed: int, estimators: tuple[str, ...] | None = None) -> list[RecoveryRow]:
    """Simulate ``seed``, run the impact strand on it as a project, pair estimates and truth.

    The project holds the core files only (the impact strand reads nothing else).
    ``estimators`` replaces the plan's (e.g. ``("synth",)`` for a quicker study of the headline
    alone).
    """
    with seed_project(seed) as (world, project):
        if estimators is not None:
            plan = project.settings.analysis.model_copy(update={"estimators": list(estimators)})
            settings = project.settings.model_copy(update={"analysis": plan})
            project = replace(project, settings=settings)
        result = analyse_impact(StrandInputs.of(project))
    rows: list[RecoveryRow] = []
    for impact in result.indicators:
        strength = result.assessment.verdicts[impact.indicator.id].strength
        rows += _rows(seed, impact, world, result.adoption, strength)
    return rows


def run_recovery(
    seeds: Sequence[int],
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
    scheduler: str | None = None,
    estimators: tuple[str, ...] | None = None,
) -> pd.DataFrame:
    """Every seed's rows (:data:`COLUMNS`) through :func:`csceval.executor.map_tasks` (``jobs``
    local processes, or a Dask ``scheduler``); ``progress(done)`` per seed."""
    task = recover_seed if estimators is None else partial(recover_seed, estimators=estimators)
    results = map_tasks(
        task, list(seeds), jobs=jobs, scheduler=scheduler, label="recovery",
        progress=progress or False,
    )  # fmt: skip
    rows = [asdict(r) for seed_rows in results for r in seed_rows]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _rate(hits: pd.Series) -> tuple[float, float, int]:
    n = int(hits.size)
    if n == 0:
        return math.nan, math.nan, 0
    p = float(hits.mean())
    return p, math.sqrt(p * (1 - p) / n), n


def summarise(rows: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per indicator and method: truth, bias, RMSE, coverage and rejection rate, with MC errors."""
    out = []
    for (indicator, method), g in rows.groupby(["indicator", "method"], sort=False):
        error = g["estimate"] - g["truth"]
        if analysis_scale(BY_ID[str(indicator)]) == "log":
            error = 100 * (np.log1p(g["estimate"] / 100) - np.log1p(g["truth"] / 100))
        with_interval = g[np.isfinite(g["low"]) & np.isfinite(g["high"])]
        covered = (with_interval["low"] <= with_interval["truth"]) & (
            with_interval["truth"] <= with_interval["high"]
        )
        tested = g[np.isfinite(g["p_value"])]
        coverage, coverage_mc, n_intervals = _rate(covered)
        rejection, rejection_mc, n_tests = _rate(tested["p_value"] <= alpha)
        out.append(
            {
                "indicator": indicator,
                "method": method,
                "effect": "injected" if injected(str(indicator)) else "null",
                "estimates": len(g),
                "seeds": g["seed"].nunique(),
                "mean_truth": float(g["truth"].mean()),
                "bias": float(error.mean()),
                "bias_mc_error": float(error.std(ddof=1) / math.sqrt(len(g)))
                if len(g) > 1
                else math.nan,
                "rmse": float(np.sqrt((error**2).mean())),
                "intervals": n_intervals,
                "coverage": coverage,
                "coverage_mc_error": coverage_mc,
                "tests": n_tests,
                "rejection": rejection,
                "rejection_mc_error": rejection_mc,
            }
        )
    return pd.DataFrame(out)


def verdict_rates(rows: pd.DataFrame) -> pd.DataFrame:
    """Per indicator: the share of seeds with each strength of evidence (none ... high)."""
    per_seed = rows.drop_duplicates(["seed", "indicator"])
    out = []
    for indicator, g in per_seed.groupby("indicator", sort=False):
        shares = g["verdict"].value_counts(normalize=True)
        entry: dict[str, object] = {
            "indicator": indicator,
            "effect": "injected" if injected(str(indicator)) else "null",
            "seeds": len(g),
        }
        entry |= {s: float(shares.get(s, 0.0)) for s in STRENGTHS}
        out.append(entry)
    return pd.DataFrame(out)


__all__ = [
    "COLUMNS",
    "STRENGTHS",
    "RecoveryRow",
    "effect_matrix",
    "injected",
    "recover_seed",
    "run_recovery",
    "summarise",
    "truth_of",
    "verdict_rates",
]
