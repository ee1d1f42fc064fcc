"""The scoping table: which practice framework each fictional LA uses.

Modelling choices
-----------------
- The pilots use the framework from their adoption year (the year ending 31 March that
  contains their implementation start); the contrast sites use their own frameworks.
- :data:`OTHER_ADOPTERS` further LAs (never tiny, never pilots or contrast sites) adopted the
  framework on their own, between 2013 and 2024, without any injected effect, as many English
  LAs did outside the funded pilots: the analysis must keep them out of every comparator set
  (they are framework users, not controls), not because their data differ.
- :data:`OTHER_FRAMEWORK_USERS` LAs use one of the contrast frameworks; they stay eligible.
"""

from __future__ import annotations

from csceval.indicators.panel import year_ending_march
from csceval.simulate.pilots import CONTRAST_FRAMEWORKS, FRAMEWORK
from csceval.simulate.rng import stream
from csceval.simulate.world import World

OTHER_ADOPTERS = 8
OTHER_FRAMEWORK_USERS = 12
ADOPTION_YEARS = (2013, 2024)
SOURCE = "synthetic scoping survey"


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
