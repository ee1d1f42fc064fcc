"""The calibration of the impact tests on the project's own design, drawn on every run and cached.

:func:`design_draws` draws ``[impact] calibration_draws`` sets of pseudo-pilots as the pilots
were chosen, runs every method of the plan on each as the report runs it, and keeps each
draw's estimate, interval half-width and nominal 5% rejections per indicator and method.
:mod:`csceval.strands.impact.design_stats` turns them into real sizes, MDEs and power, and
:mod:`csceval.strands.impact.verdicts` into design-calibrated p-values and verdicts.

Notes
-----
**Pseudo-pilots as the pilots were chosen.** They come from the project's comparator pool (the
report's donors), take the pilots' adoption years (so their pre-periods are the pilots'), and
are analysed on the analysis scale of the report (rates in logs). One draw is one random order
of the pool; each indicator takes the first units of that order with complete data, so the
indicators of a draw share their pseudo-pilots whenever their data allow. The draws are
therefore a joint null over the indicators, which the max-T adjustment needs.

**Why this is a derived input.** The draws need the whole panel and take minutes, so they are
neither a project file (parsed from bytes) nor part of ``analyse`` (which must be pure). The
strand declares :func:`derive_design` as its ``derive`` step: the pipeline calls it on the
loaded project before ``analyse`` and passes the result in ``inputs.derived["design"]``. It
reads and writes the cache, ``analyse`` only reads the value; ``analyse`` called without it
(a notebook, the recovery study) falls back to the nominal p-values and says so.

**Cache.** Keyed by a SHA-256 of the panel values used (per indicator: units, years, values on
the analysis scale), the design (adoption years, comparator pool, methods, draws, seed, test
options) and :data:`CALIBRATION_VERSION`; stored as JSON in ``$CSCEVAL_CACHE_DIR`` (default
``~/.cache/csceval``), never in the project or its output. A rerun on the same data costs a
file read; any change of data or design gives another key.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from csceval.atomic import write_file
from csceval.executor import map_tasks
from csceval.impact.calibrate import DRAW_OPTIONS, candidate_panel, run_methods_once
from csceval.impact.synth import SynthPanel
from csceval.impact.synth_data import positive_log
from csceval.indicators.catalogue import BY_ID
from csceval.indicators.panel import wide_panel
from csceval.project import Project, ProjectData
from csceval.project.comparators import choose_comparators
from csceval.strands.impact.draws import N_BOOT, SYNTH_DRAWS
from csceval.strands.impact.outcomes import adoption_years, analysed_indicators
from csceval.strands.impact.scale import analysis_scale

CALIBRATION_VERSION = 1
"""Bump when anything changes what a draw computes, so old cache entries are not reused."""
DRAWS_ENV = "CSCEVAL_CALIBRATION_DRAWS"
PARALLEL_FROM, MAX_JOBS = 20, 4
"""From this many draws a run spreads them over local processes (one per core, at most 4);
fewer are quicker in the run's own process than a process pool is to start."""
CACHE_ENV = "CSCEVAL_CACHE_DIR"
CALIBRATED_METHODS = ("synth_pooled", "synth_rmspe", "did", "sdid", "random_trend")
"""ITS is descriptive (no test in the report), so it is not drawn. The random-trend model is
drawn only for a plan with ``trend``, so a plan without it keeps its methods, key and draws."""
ESTIMATOR_METHODS: dict[str, tuple[str, ...]] = {
    "synth": ("synth_pooled", "synth_rmspe"),
    "did": ("did",),
    "sdid": ("sdid",),
    "trend": ("random_trend",),
}


@dataclass(frozen=True)
class MethodDraws:
    """One method on one indicator, draw by draw (NaN / 0 tests where the method failed)."""

    estimates: tuple[float, ...]
    """The estimate on the analysis scale (per-pilot methods: mean over pseudo-pilots)."""
    half_widths: tuple[float, ...]
    """Half the 95% interval (NaN for methods without one)."""
    rejections: tuple[int, ...]
    tests: tuple[int, ...]


@dataclass(frozen=True)
class IndicatorDesign:
    """One indicator's pseudo-pilot design: what was drawn from."""

    adoption_years: tuple[int, ...]
    n_candidates: int
    years: tuple[int, int]
    methods: dict[str, MethodDraws] = field(default_factory=dict)


@dataclass(frozen=True)
class DesignDraws:
    """Every draw of the design calibration, by indicator and method."""

    key: str
    draws: int
    seed: int
    indicators: dict[str, IndicatorDesign]
    notes: tuple[str, ...] = ()
    cached: bool = False
    """Read from the cache rather than computed in this run."""

    def to_json(self) -> str:
        data = {
            "version": CALIBRATION_VERSION,
            "key": self.key,
            "draws": self.draws,
            "seed": self.seed,
            "notes": list(self.notes),
            "indicators": {
                i: {
                    "adoption_years": list(d.adoption_years),
                    "n_candidates": d.n_candidates,
                    "years": list(d.years),
                    "methods": {
                        m: {
                            "estimates": [_num(float(x)) for x in md.estimates],
                            "half_widths": [_num(float(x)) for x in md.half_widths],
                            "rejections": [int(x) for x in md.rejections],
                            "tests": [int(x) for x in md.tests],
                        }
                        for m, md in d.methods.items()
                    },
                }
                for i, d in self.indicators.items()
            },
        }
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> DesignDraws:
        data = json.loads(text)
        indicators = {
            i: IndicatorDesign(
                tuple(d["adoption_years"]),
                int(d["n_candidates"]),
                (int(d["years"][0]), int(d["years"][1])),
                {
                    m: MethodDraws(
                        tuple(_float(x) for x in md["estimates"]),
                        tuple(_float(x) for x in md["half_widths"]),
                        tuple(int(x) for x in md["rejections"]),
                        tuple(int(x) for x in md["tests"]),
                    )
                    for m, md in d["methods"].items()
                },
            )
            for i, d in data["indicators"].items()
        }
        return cls(
            data["key"],
            int(data["draws"]),
            int(data["seed"]),
            indicators,
            tuple(data["notes"]),
            cached=True,
        )


def _num(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _float(x: float | None) -> float:
    return math.nan if x is None else float(x)


@dataclass(frozen=True)
class DesignPanel:
    """One indicator's candidates (complete data, analysis scale) and its usable adoption years."""

    indicator: str
    panel: SynthPanel
    adoption_years: tuple[int, ...]


@dataclass(frozen=True)
class DrawTask:
    """One draw: everything it needs, its own seed included (executor-independent)."""

    panels: tuple[DesignPanel, ...]
    pool: tuple[str, ...]
    methods: tuple[str, ...]
    seed: int
    draw: int
    options: dict[str, Any] = field(default_factory=dict)
    """How each test runs (:func:`draw_options`)."""


DrawResult = dict[str, dict[str, tuple[float, float, int, int]]]


def run_design_draw(task: DrawTask) -> DrawResult:
    """Every indicator and method on one draw's pseudo-pilots (module-level, for the executor)."""
    rng = np.random.default_rng([task.seed, task.draw])
    order = [task.pool[i] for i in rng.permutation(len(task.pool))]
    out: DrawResult = {}
    for design in task.panels:
        complete = set(design.panel.units)
        picked = [u for u in order if u in complete][: len(design.adoption_years)]
        treated = dict(zip(picked, design.adoption_years, strict=True))
        seed = task.seed * 100_003 + task.draw
        stats = run_methods_once(
            design.panel, design.indicator, treated, task.methods, seed, task.options
        )
        out[design.indicator] = {
            m: (
                float(np.mean(s.estimates)) if s.tests else math.nan,
                float(np.mean(s.half_widths)) if s.tests and s.half_widths else math.nan,
                s.rejections,
                s.tests,
            )
            for m, s in stats.items()
        }
    return out


def draw_options() -> dict[str, Any]:
    """The tests as the report runs them: the strand's randomization and bootstrap draws."""
    return {**DRAW_OPTIONS, "synth_draws": SYNTH_DRAWS, "n_boot": N_BOOT}


def calibration_draws(project: ProjectData) -> int:
    """The draws to make: ``$CSCEVAL_CALIBRATION_DRAWS`` if set, else ``[impact]``'s."""
    text = os.environ.get(DRAWS_ENV, "").strip()
    return int(text) if text.isdigit() else project.settings.impact.calibration_draws


def cache_dir() -> Path:
    """``$CSCEVAL_CACHE_DIR`` or ``~/.cache/csceval``."""
    text = os.environ.get(CACHE_ENV, "").strip()
    return Path(text) if text else Path.home() / ".cache" / "csceval"


def design_methods(project: ProjectData) -> tuple[str, ...]:
    """The calibrated methods of the plan's estimators, in :data:`CALIBRATED_METHODS` order."""
    chosen = {m for e in project.settings.analysis.estimators for m in ESTIMATOR_METHODS.get(e, ())}
    return tuple(m for m in CALIBRATED_METHODS if m in chosen)


def design_panels(
    project: ProjectData, adoption: list[int]
) -> tuple[tuple[DesignPanel, ...], tuple[str, ...], list[str]]:
    """Per analysed indicator its candidates and usable adoption years; the pool; notes."""
    pool = choose_comparators(project).la_codes
    min_pre = project.settings.impact.min_pre_years
    panels, notes = [], []
    for indicator in analysed_indicators(project.settings):
        values = wide_panel(project, indicator)
        codes = [c for c in pool if c in values.index]
        y = values.loc[codes].to_numpy(dtype=np.float64).T
        if analysis_scale(BY_ID[indicator]) == "log":
            y = positive_log(y)
        times = tuple(int(t) for t in values.columns)
        try:
            sub, _, _ = candidate_panel(
                SynthPanel(tuple(codes), times, {indicator: y}), indicator, ()
            )
        except ValueError:
            notes.append(f"{indicator}: no values to draw from")
            continue
        years = tuple(t for t in adoption if t - sub.times[0] >= min_pre and t <= sub.times[-1])
        if not years or len(sub.units) < len(years) + 3:
            notes.append(f"{indicator}: too few candidates or adoption years to draw from")
            continue
        panels.append(DesignPanel(indicator, sub, years))
    return tuple(panels), tuple(pool), notes


def design_key(
    panels: tuple[DesignPanel, ...],
    pool: tuple[str, ...],
    methods: tuple[str, ...],
    draws: int,
    seed: int,
) -> str:
    """SHA-256 of the panel values used and the design (see the module notes)."""
    digest = hashlib.sha256()
    head = {
        "version": CALIBRATION_VERSION,
        "pool": pool,
        "methods": methods,
        "draws": draws,
        "seed": seed,
        "options": draw_options(),
    }
    digest.update(json.dumps(head, sort_keys=True, default=str).encode())
    for p in panels:
        meta = [p.indicator, p.adoption_years, p.panel.units, p.panel.times]
        digest.update(json.dumps(meta).encode())
        values = np.nan_to_num(p.panel.variable(p.indicator), nan=-1e300)
        digest.update(np.ascontiguousarray(values, dtype="<f8").tobytes())
    return digest.hexdigest()


def design_draws(
    project: ProjectData,
    adoption: list[int],
    *,
    draws: int,
    seed: int,
    cache: Path | None = None,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = False,
) -> DesignDraws | None:
    """The design calibration of ``project`` (None without draws, methods or usable design).

    Read from ``cache`` when it holds this key; else computed through the executor and, when
    ``cache`` is given, stored there.
    """
    methods = design_methods(project)
    panels, pool, notes = design_panels(project, adoption)
    if draws < 1 or not methods or not panels:
        return None
    key = design_key(panels, pool, methods, draws, seed)
    path = cache / "impact-design" / f"{key}.json" if cache is not None else None
    if path is not None and path.is_file():
        try:
            return DesignDraws.from_json(path.read_text(encoding="utf-8"))
        except (ValueError, KeyError, TypeError, IndexError):
            pass  # a damaged entry is recomputed and replaced
    options = draw_options()
    tasks = [DrawTask(panels, pool, methods, seed, d, options) for d in range(draws)]
    results = map_tasks(
        run_design_draw,
        tasks,
        jobs=jobs,
        scheduler=scheduler,
        label="calibrating the impact tests on this design",
        progress=progress,
    )
    indicators = {
        p.indicator: IndicatorDesign(
            p.adoption_years,
            len(p.panel.units),
            (p.panel.times[0], p.panel.times[-1]),
            {m: _method_draws([r[p.indicator][m] for r in results]) for m in methods},
        )
        for p in panels
    }
    result = DesignDraws(key, draws, seed, indicators, tuple(notes))
    if path is not None:
        write_file(path, result.to_json().encode("utf-8"))
    return result


def _method_draws(rows: list[tuple[float, float, int, int]]) -> MethodDraws:
    est, half, rej, tests = zip(*rows, strict=True) if rows else ((), (), (), ())
    return MethodDraws(tuple(est), tuple(half), tuple(rej), tuple(tests))


def derive_design(project: Project) -> dict[str, Any]:
    """The impact strand's derived input: ``{"design": DesignDraws | None}`` (cached)."""
    adoption = sorted(adoption_years(project).values())
    draws = calibration_draws(project)
    seed = project.settings.impact.calibration_seed
    jobs = 1 if draws < PARALLEL_FROM else min(os.cpu_count() or 1, MAX_JOBS)
    design = design_draws(project, adoption, draws=draws, seed=seed, cache=cache_dir(), jobs=jobs)
    return {"design": design}
