"""``csceval impact calibrate-project``: the design calibration a project's report quotes.

Every run of the report draws the design calibration (:mod:`csceval.strands.impact.design`,
cached); this module gives the same numbers on the command line. :func:`project_design` draws
(or reads from the cache) exactly what the run draws, and :func:`design_summary` runs the impact
strand with it and reads the sizes, MDEs, power and verdict rates off the result's assessment,
the very object the report's section renders. So the command and the report agree to the
digit when they share draws and seed, and within Monte Carlo error otherwise.

``--write`` saves the sizes as ``impact_calibration.json`` in the project folder: an explicit
override that the report then quotes (and names) instead of the sizes it measures. The file is
checked when the project loads (:mod:`csceval.strands.impact.calibration_file`).
"""

from __future__ import annotations

import json
import math
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from csceval.atomic import write_file
from csceval.project import Project
from csceval.strands.impact.calibration_file import PROJECT_FILE
from csceval.strands.impact.design import (
    DesignDraws,
    cache_dir,
    calibration_draws,
    design_draws,
)
from csceval.strands.impact.design_stats import shown_effect
from csceval.strands.impact.results import ImpactResult, design_payload
from csceval.strands.impact.strand import adoption_years, analyse_impact
from csceval.strands.strand import StrandInputs


def project_design(
    project: Project,
    *,
    draws: int | None = None,
    seed: int | None = None,
    cache: bool = True,
    jobs: int = 1,
    scheduler: str | None = None,
    progress: bool = False,
) -> DesignDraws:
    """The design calibration of ``project`` as its run draws it (``draws`` and ``seed`` default
    to the project's ``[impact]`` settings); read from and saved to the cache unless
    ``cache=False``. Raises ``ValueError`` when there is nothing to draw."""
    adoption = sorted(adoption_years(project).values())
    design = design_draws(
        project,
        adoption,
        draws=calibration_draws(project) if draws is None else draws,
        seed=project.settings.impact.calibration_seed if seed is None else seed,
        cache=cache_dir() if cache else None,
        jobs=jobs,
        scheduler=scheduler,
        progress=progress,
    )
    if design is None:
        raise ValueError(
            "nothing to calibrate: the plan has no impact test (synth, did, sdid, trend), no "
            "pilot has an adoption date, no indicator leaves enough candidates, or the draws are 0"
        )
    return design


def analysed_with(project: Project, design: DesignDraws) -> ImpactResult:
    """The impact strand's result on ``project`` with ``design`` as its derived input."""
    return analyse_impact(replace(StrandInputs.of(project), derived={"design": design}))


def _num(x: float, digits: int = 4) -> float | None:
    return round(x, digits) if math.isfinite(x) else None


def design_summary(result: ImpactResult) -> dict[str, Any]:
    """Sizes, MDEs, power and verdict rates per indicator, as the report quotes them."""
    design, a = result.design, result.assessment
    indicators: dict[str, Any] = {}
    for impact in result.indicators:
        i = impact.indicator.id
        v = a.verdicts[i]
        indicators[i] = {
            "scale": impact.scale,
            "headline": v.headline,
            "strength": v.strength,
            "p_value": _num(v.p_value),
            "p_family": _num(v.p_family),
            "p_adjusted": _num(v.p_adjusted),
            "verdict_rates_null": dict(v.null_rates) if v.null_rates is not None else None,
            "verdict_rates_mde": dict(v.mde_rates) if v.mde_rates is not None else None,
            "methods": {
                m: {
                    "size": _num(s.size),
                    "size_mc_error": _num(s.size_mc_error),
                    "over_rejects": s.over_rejects,
                    "tests": s.tests,
                    "mde": _num(shown_effect(s.mde, impact.scale)),
                    "power_at_mde": _num(s.power_at_mde),
                }
                for m, s in a.stats.get(i, {}).items()
            },
        }
    return {
        "draws": a.draws,
        "seed": design.seed if design else None,
        "key": design.key if design else None,
        "mode": a.mode,
        "adjustment": a.adjustment,
        "primary": result.plan.primary,
        "family_null_rate": _num(a.family_null_rate),
        "indicators": indicators,
    }


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The summary in plain lines (what the command prints)."""
    lines = [
        f"{summary['draws']} pseudo-pilot draws (seed {summary['seed']}); p-values: "
        f"{summary['mode']}, {summary['adjustment']}-adjusted; primary outcome: "
        f"{summary['primary'] or 'none pre-specified'}"
    ]
    for indicator, entry in summary["indicators"].items():
        unit = "%" if entry["scale"] == "log" else ""
        for method, s in entry["methods"].items():
            flag = " (over-rejects)" if s["over_rejects"] else ""
            mde = f"{s['mde']:.2f}{unit}" if s["mde"] is not None else "not measured"
            power = f" (power {s['power_at_mde']:.0%})" if s["power_at_mde"] is not None else ""
            lines.append(
                f"{indicator}: {method}: size {s['size']:.3f} (MC error {s['size_mc_error']:.3f})"
                f"{flag}; MDE {mde}{power}"
            )
        for kind in ("null", "mde"):
            rates = entry[f"verdict_rates_{kind}"]
            if rates is not None:
                shares = ", ".join(f"{k} {v:.3f}" for k, v in rates.items())
                lines.append(f"{indicator}: verdicts with {kind} effect: {shares}")
        lines.append(f"{indicator}: verdict here {entry['strength']} (p {entry['p_value']})")
    if summary["family_null_rate"] is not None:
        lines.append(
            f"family-wise moderate or stronger with no effect: {summary['family_null_rate']:.3f}"
        )
    return lines


def write_project_calibration(project: Project, result: ImpactResult) -> Path:
    """Save the design's sizes as ``impact_calibration.json`` (an override the report names)."""
    if result.design is None:
        raise ValueError("no design calibration to write")
    stats = {i: dict(by_method) for i, by_method in result.assessment.stats.items()}
    payload = design_payload(result.design, stats)
    del payload["design_key"]  # a file is an override, not this run's design
    payload |= {
        "description": "Real size of each impact test at nominal 5% on this project's design "
        "(pseudo-pilots from its comparators with the pilots' adoption years; true effect "
        "zero), written by csceval impact calibrate-project.",
        "source": "this project's comparators (csceval impact calibrate-project, "
        f"{result.design.draws} draws, seed {result.design.seed})",
        "date": date.today().isoformat(),
        "adoption_years": sorted(result.adoption.values()),
    }
    return write_file(project.root / PROJECT_FILE, (json.dumps(payload, indent=2) + "\n").encode())
