"""The framework register: which practice framework each fictional LA uses, and since when.

Modelling choices
-----------------
- The pilots use the framework from their adoption year (the year ending 31 March that
  contains their implementation start); the contrast sites use their own frameworks.
- :data:`OTHER_ADOPTERS` further LAs (never tiny, never pilots or contrast sites) adopted the
  framework on their own, between 2013 and 2024, without any injected effect, as many English
  LAs did outside the funded pilots: the analysis must keep them out of every comparator set
  (they are framework users, not controls), not because their data differ.
- :data:`OTHER_FRAMEWORK_USERS` LAs use one of the contrast frameworks; they stay eligible.
- The register (:func:`register_rows`) holds the same episodes as the older scoping table
  (:func:`scoping_rows`, same draws), so comparator sets do not change, plus
  :data:`PAST_EPISODES` episodes of contrast frameworks that ended before 2019 (history), and
  extent, training, licensing and confidence drawn from their own sub-stream.
"""

from __future__ import annotations

from datetime import date

from csceval.indicators.panel import year_ending_march
from csceval.simulate.calibration import LAST_YEAR
from csceval.simulate.pilots import CONTRAST_FRAMEWORKS, FRAMEWORK
from csceval.simulate.rng import stream
from csceval.simulate.world import World

OTHER_ADOPTERS = 8
OTHER_FRAMEWORK_USERS = 12
ADOPTION_YEARS = (2013, 2024)
SOURCE = "synthetic scoping survey"
PAST_EPISODES = 4


def scoping_rows(world: World) -> list[list[object]]:
    """``la_code, framework, since_year, source`` rows, sorted by LA code and framework."""
    design, geo = world.design, world.geography
    rows: list[list[object]] = [
        [p.la_code, FRAMEWORK, year_ending_march(p.implementation_start), SOURCE]
        for p in design.pilots
    ]
    rows += [[c.la_code, c.framework, "", SOURCE] for c in design.contrasts]
    taken = {p.index for p in design.pilots} | {c.index for c in design.contrasts}
    free = [la.index for la in geo.las if not (la.tiny or la.index in taken or la.last_year)]
    rng = stream(world.seed, "scoping")
    picked = rng.choice(free, OTHER_ADOPTERS + OTHER_FRAMEWORK_USERS, replace=False)
    for k, index in enumerate(int(i) for i in picked):
        la = geo.las[index]
        if k < OTHER_ADOPTERS:
            year = int(rng.integers(ADOPTION_YEARS[0], ADOPTION_YEARS[1] + 1))
            rows.append([la.la_code, FRAMEWORK, year, SOURCE])
        else:
            rows.append([la.la_code, CONTRAST_FRAMEWORKS[k % len(CONTRAST_FRAMEWORKS)], "", SOURCE])
    return sorted(rows, key=lambda r: (str(r[0]), str(r[1])))


def register_rows(world: World) -> list[list[object]]:
    """``data/framework_register.csv`` rows, sorted by LA code, framework and start."""
    rng = stream(world.seed, "scoping", "register")
    starts = {p.la_code: p.implementation_start for p in world.design.pilots}
    recorded = date(LAST_YEAR, 3, 31).isoformat()
    rows: list[list[object]] = []
    for code, framework, since, _ in scoping_rows(world):
        if code in starts:
            started, precision, extent = starts[str(code)].isoformat(), "day", "whole_service"
        elif since != "":
            started, precision = date(int(str(since)) - 1, 4, 1).isoformat(), "year"
            extent = "whole_service" if rng.random() < 0.7 else "some_teams"
        else:
            started, precision, extent = "", "", "whole_service"
        training = ("external", "in_house", "mixed")[int(rng.integers(3))]
        licensing = "licensed" if framework == FRAMEWORK else "not_applicable"
        confidence = "high" if code in starts else ("medium", "low")[int(rng.random() < 0.3)]
        rows.append(
            [
                code,
                framework,
                extent,
                started,
                "",
                precision,
                training,
                licensing,
                "survey",
                confidence,
                recorded,
            ]
        )
    listed = {str(r[0]) for r in rows}
    geo = world.geography
    free = [la.index for la in geo.las if not (la.tiny or la.last_year or la.la_code in listed)]
    for k, index in enumerate(int(i) for i in rng.choice(free, PAST_EPISODES, replace=False)):
        first = int(rng.integers(2008, 2013))
        last = first + int(rng.integers(2, 6))
        rows.append(
            [
                geo.las[index].la_code,
                CONTRAST_FRAMEWORKS[k % len(CONTRAST_FRAMEWORKS)],
                "some_teams",
                f"{first}-04-01",
                f"{last}-03-31",
                "year",
                "in_house",
                "not_applicable",
                "desk_review",
                "low",
                recorded,
            ]
        )
    return sorted(rows, key=lambda r: (str(r[0]), str(r[1]), str(r[3])))
