"""The scoping strand's part of synthetic England: a hex layout and scoping-survey responses.

Modelling choices
-----------------
- ``data/la_hexes.csv``: a compact layout by region (:func:`~.hexes.synthetic_hexes`) for the
  fictional LAs, reorganised ones included. No randomness.
- ``data/scoping_responses.csv``: :data:`RESPONSE_RATE` of the LAs existing in the last year
  answer (drawn from the strand's own stream), between 6 January and 14 March of that year, with
  what the register says of them on 31 March; most responses are accepted, some await review
  and a few are sent back with a query. Respondents are recorded by role only.
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from csceval.project.register import period_end, register_as_at
from csceval.project.tables import FRAMEWORK_REGISTER, REORGANISATIONS
from csceval.simulate.calibration import LAST_YEAR
from csceval.simulate.rng import stream
from csceval.simulate.scoping import register_rows
from csceval.simulate.world import World
from csceval.strands.scoping.hexes import alive, synthetic_hexes
from csceval.strands.scoping.responses_io import table_text
from csceval.strands.scoping.tables import LA_HEXES, ROLES, SCOPING_RESPONSES

RESPONSE_RATE = 0.85
STATUSES = (("accepted", 0.8), ("pending", 0.15), ("query", 0.05))


def _las(world: World) -> pd.DataFrame:
    rows = [
        (la.la_code, la.name, la.region.name, la.first_year, la.last_year)
        for la in world.geography.las
    ]
    frame = pd.DataFrame(
        rows, columns=["la_code", "la_name", "region_name", "first_year", "last_year"]
    )
    frame["last_year"] = frame["last_year"].astype("Int64")
    return frame


def _reorganisations(world: World) -> pd.DataFrame:
    rows = [
        (r.year, o, n, r.kind)
        for r in world.geography.reorganisations
        for o in r.old
        for n in r.new
    ]
    return pd.DataFrame(rows, columns=list(REORGANISATIONS.column_names))


def _register(world: World) -> pd.DataFrame:
    frame = pd.DataFrame(register_rows(world), columns=list(FRAMEWORK_REGISTER.column_names))
    return frame.replace("", None)


def responses(world: World) -> pd.DataFrame:
    """The simulated scoping-survey responses."""
    rng = stream(world.seed, "scoping", "responses")
    las = _las(world)
    current = sorted(alive(las, LAST_YEAR))
    now = register_as_at(_register(world), period_end(LAST_YEAR))
    answered = [c for c in current if rng.random() < RESPONSE_RATE]
    first = date(LAST_YEAR, 1, 6)
    rows = []
    for k, code in enumerate(answered):
        mine = now[now["la_code"] == code]
        received = first + timedelta(days=int(rng.integers(0, 68)))
        status = str(rng.choice([s for s, _ in STATUSES], p=[p for _, p in STATUSES]))
        started = mine["started"].dropna()
        rows.append(
            {
                "response_id": f"R-{k + 1:04d}",
                "la_code": code,
                "respondent_role": str(rng.choice(ROLES[:-1])),
                "frameworks": "; ".join(mine["framework"]) or "none",
                "extent": str(mine["extent"].iat[0]) if len(mine) else "unknown",
                "since": str(int(str(started.iat[0])[:4]) + 1) if len(started) else "",
                "training": str(mine["training"].iat[0]) if len(mine) else "none",
                "licensing": str(mine["licensing"].iat[0]) if len(mine) else "not_applicable",
                "received": received.isoformat(),
                "review_status": status,
                "reviewed": (received + timedelta(days=7)).isoformat()
                if status != "pending"
                else "",
            }
        )
    return pd.DataFrame(rows, columns=list(SCOPING_RESPONSES.column_names))


def scoping_files(world: World) -> dict[str, str]:
    """``data/la_hexes.csv`` and ``data/scoping_responses.csv``."""
    hexes = synthetic_hexes(_las(world), _reorganisations(world))
    return {
        LA_HEXES.file: table_text(LA_HEXES, hexes),
        SCOPING_RESPONSES.file: table_text(SCOPING_RESPONSES, responses(world)),
    }


def scoping_truth(world: World) -> dict[str, object]:
    """What the analysis should recover: framework users as at the period end, non-respondents."""
    las = _las(world)
    current = alive(las, LAST_YEAR)
    now = register_as_at(_register(world), period_end(LAST_YEAR))
    users: dict[str, list[str]] = {}
    for code, framework in zip(now["la_code"], now["framework"], strict=True):
        users.setdefault(str(framework), []).append(str(code))
    answered = set(responses(world)["la_code"])
    return {
        "as_at": period_end(LAST_YEAR).isoformat(),
        "las": len(current),
        "framework_users": {k: sorted(v) for k, v in sorted(users.items())},
        "non_respondents": sorted(current - answered),
    }
