"""The core of ``truth.json``: what the simulator injected in the panel, for recovery tests.

Strands add their own truth under their ``SimulatorPart.truth_key``.
"""

from __future__ import annotations

from typing import Any

from csceval.indicators import CATALOGUE
from csceval.simulate import calibration as cal
from csceval.simulate.pilots import EFFECTS, FADE_MONTHS, SELECTION_TILT
from csceval.simulate.world import World

GENERATOR_VERSION = "1.2"
"""Bump when a change makes the same seed give different data."""


def _r(x: float) -> float:
    return round(float(x), 6)


def truth(world: World) -> dict[str, Any]:
    """The truth as a JSON-ready dict with a stable key order."""
    geo, design = world.geography, world.design
    region = {la.la_code: la.region for la in geo.las}
    group = {la.la_code: world.groups[la.index] for la in geo.las}
    by_series = {e.series: e for e in EFFECTS}
    pilots = [
        {
            "la_code": p.la_code,
            "name": p.name,
            "role": p.role,
            "region_code": region[p.la_code].code,
            "region_name": region[p.la_code].name,
            "neighbour_group": group[p.la_code],
            "implementation_start": p.implementation_start.isoformat(),
            "fully_embedded": p.fully_embedded.isoformat(),
            "exit_date": p.exit_date.isoformat() if p.exit_date else None,
            "effects": {by_series[s].indicator: v for s, v in p.effects.items()},
        }
        for p in design.pilots
    ]
    effects = []
    for e in EFFECTS:
        sizes = {p.la_code: p.effects[e.series] for p in design.pilots}
        series = cal.SERIES_BY_ID[e.series]
        effects.append(
            {
                "indicator": e.indicator,
                "applies_to": list(e.applies_to),
                "form": e.form,
                "description": e.description,
                "nominal": e.nominal,
                "pilot_sd": e.pilot_sd,
                "mean_over_pilots": _r(sum(sizes.values()) / len(sizes)),
                "timing": series.timing,
                "ramp": "linear from implementation_start (0) to fully_embedded (1)",
                "fade_after_exit_months": FADE_MONTHS,
                "per_pilot": sizes,
            }
        )
    affected = {i for e in EFFECTS for i in e.applies_to}
    exposure = {
        p.la_code: {
            e.indicator: {
                str(y): _r(x)
                for y, x in zip(
                    cal.YEARS, p.exposure(cal.SERIES_BY_ID[e.series].timing), strict=True
                )
            }
            for e in EFFECTS
        }
        for p in design.pilots
    }
    return {
        "synthetic": True,
        "generator": "csceval.simulate",
        "generator_version": GENERATOR_VERSION,
        "seed": world.seed,
        "years": [cal.FIRST_YEAR, cal.LAST_YEAR],
        "pilots": pilots,
        "contrast_sites": [
            {"la_code": c.la_code, "name": c.name, "framework": c.framework}
            for c in design.contrasts
        ],
        "pilot_selection": (
            "mid-sized LAs (30,000-220,000 children), not tiny or reorganised, at most 2 per "
            f"region, sampled with probability proportional to exp(-{SELECTION_TILT} x the LA's "
            "threshold factor): pilots tend to have lower CIN/CPP/CLA levels, not other trends"
        ),
        "effects": effects,
        "null_indicators": sorted(i.id for i in CATALOGUE if i.id not in affected),
        "exposure": exposure,
        "exposure_note": (
            "share of each pilot's full effect in the year ending 31 March: for a stock at "
            "31 March the ramp on that day, for a flow the mean over April-March"
        ),
        "reorganisations": [
            {
                "kind": r.kind,
                "year": r.year,
                "old_la_codes": list(r.old),
                "new_la_codes": list(r.new),
            }
            for r in geo.reorganisations
        ],
        "reorganised_la_codes": sorted({c for r in geo.reorganisations for c in (*r.old, *r.new)}),
        "tiny_las": sorted(la.la_code for la in geo.las if la.tiny),
        "shocks": [
            {
                "la_code": s.la_code,
                "start_year": s.start_year,
                "duration_years": s.duration,
                "log_magnitude": s.magnitude,
                "profile": {str(y): v for y, v in s.profile().items()},
                "series_weights": dict(cal.SHOCK_SERIES),
            }
            for s in world.shocks
        ],
        "not_available": [
            {
                "la_code": g.la_code,
                "year": g.year,
                "return": g.block,
                "indicators": list(g.indicators),
            }
            for g in world.gaps
        ],
    }
