"""The real size of the impact tests on a project's own panel and design.

The report labels each method with its real size at nominal 5%. By default those figures come
from the real LA panel and a design scenario shipped with csceval
(``calibration/la_panel.json``). :func:`calibrate_project` measures them on the project itself:
for each indicator the impact strand analyses, pseudo-pilots are drawn from the project's own
comparators (as the report's donors are), given the pilots' adoption years, and every method
runs as the report runs it (rates on the log scale). ``csceval impact calibrate-project DIR
--write`` saves the result as ``impact_calibration.json`` in the project folder; the report then
quotes it instead of the shipped figures and says so.

Notes
-----
- Adoption years: the pilots' (:func:`~csceval.strands.impact.strand.adoption_years`); a year
  leaving
  fewer than two years before it in an indicator's span, or after the span, is left out for
  that indicator with a note, as the strand drops such pilots.
- The file is checked when the project loads (:mod:`csceval.strands.impact.calibration_file`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from csceval.impact.calibrate import LABELS, METHODS, CalibrationResult, calibrate
from csceval.impact.synth_data import SynthPanel, latest_span
from csceval.indicators.catalogue import BY_ID
from csceval.indicators.panel import wide_panel
from csceval.project import Project, ProjectData
from csceval.project.comparators import choose_comparators
from csceval.strands.impact.calibration_file import PROJECT_FILE
from csceval.strands.impact.scale import analysis_scale
from csceval.strands.impact.strand import IMPACT_ESTIMATORS, adoption_years, impact_indicators

ESTIMATOR_METHODS: dict[str, tuple[str, ...]] = {
    "synth": ("synth_pooled", "synth_rmspe"),
    "did": ("did",),
    "sdid": ("sdid",),
    "its": ("its",),
}


def project_methods(project: ProjectData) -> tuple[str, ...]:
    """The calibration methods of the plan's impact estimators, in :data:`METHODS` order."""
    chosen = {
        m
        for e in project.settings.analysis.estimators
        if e in IMPACT_ESTIMATORS
        for m in ESTIMATOR_METHODS[e]
    }
    return tuple(m for m in METHODS if m in chosen)


def _comparator_panel(project: ProjectData, indicator: str) -> SynthPanel:
    values = wide_panel(project, indicator)
    codes = [c for c in choose_comparators(project).la_codes if c in values.index]
    block = values.loc[codes]
    return SynthPanel(
        units=tuple(codes),
        times=tuple(int(y) for y in block.columns),
        values={indicator: block.to_numpy(dtype=np.float64).T},
    )


def calibrate_project(
    project: Project,
    *,
    n_draws: int = 100,
    sdid_draws: int | None = None,
    seed: int = 0,
    progress: Callable[[str, int], None] | None = None,
) -> list[CalibrationResult]:
    """Size and coverage of the plan's impact tests on the project's comparators, per indicator.

    ``sdid_draws`` (default ``n_draws``) draws for synthetic DiD, the slowest method.
    ``progress(indicator, draws_done)`` is called after each draw. Raises ``ValueError`` when
    the plan has no impact estimator or no pilot has an adoption date.
    """
    methods = project_methods(project)
    years = sorted(adoption_years(project).values())
    if not methods or not years:
        raise ValueError("the plan has no impact estimator, or no pilot has an adoption date")
    results = []
    for indicator in impact_indicators(project.settings.analysis.indicators):
        panel = _comparator_panel(project, indicator)
        y = panel.variable(indicator)
        span = latest_span([panel.times[i] for i in np.flatnonzero(np.isfinite(y).any(axis=1))])
        usable = [t for t in years if span and t - span[0] >= 2 and t <= span[-1]]
        if not usable:
            continue
        log = analysis_scale(BY_ID[indicator]) == "log"
        for group in _groups(methods, sdid_draws):
            draws = sdid_draws if group == ("sdid",) and sdid_draws else n_draws
            report = (lambda done, i=indicator: progress(i, done)) if progress else None
            results.append(
                calibrate(
                    panel,
                    indicator,
                    usable,
                    methods=group,
                    n_draws=draws,
                    seed=seed,
                    log=log,
                    progress=report,
                )
            )
    return results


def _groups(methods: tuple[str, ...], sdid_draws: int | None) -> list[tuple[str, ...]]:
    """SDID on its own when it gets its own number of draws."""
    if sdid_draws is None or "sdid" not in methods:
        return [methods]
    rest = tuple(m for m in methods if m != "sdid")
    return [g for g in (rest, ("sdid",)) if g]


def calibration_payload(
    results: Iterable[CalibrationResult], *, description: str, panel: str, **extra: object
) -> dict[str, object]:
    """The results in the format the report reads (``calibration/la_panel.json``)."""
    methods: dict[str, dict[str, Any]] = {}
    for result in results:
        for name, stat in result.methods.items():
            entry = methods.setdefault(
                name, {"label": LABELS[name], "draws": result.n_draws, "size": {}, "mc_error": {}}
            )
            entry["size"][result.outcome] = round(stat.size, 4)
            entry["mc_error"][result.outcome] = round(stat.size_mc_error, 4)
    return {
        "description": description,
        "panel": panel,
        "date": date.today().isoformat(),
        "nominal": 0.05,
        **extra,
        "methods": {m: methods[m] for m in METHODS if m in methods},
    }


def write_project_calibration(project: Project, results: list[CalibrationResult]) -> Path:
    """Save ``impact_calibration.json`` in the project folder; the report will quote it."""
    payload = calibration_payload(
        results,
        description="Real size of each impact test at nominal 5% on this project's comparators "
        "(pseudo-pilots with the pilots' adoption years; true effect zero), written by csceval "
        "impact calibrate-project.",
        panel="the project's data/indicators.csv, comparators: "
        + project.settings.analysis.comparators,
        source="this project's comparators (csceval impact calibrate-project)",
        adoption_years=sorted(adoption_years(project).values()),
        draws={r.outcome + ":" + "+".join(r.methods): r.n_draws for r in results},
    )
    path = project.root / PROJECT_FILE
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path
