"""Reads for the pages: families with their T-scores, one family's goals and ratings, and the
proposed goal matches. T-scores come from the strand's own formula
(:func:`csceval.strands.family_goals.t_score`, rho = 0.3), so the page shows what the analysis
computes from the exported rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from csceval.strands.family_goals import DEFAULT_RHO, t_score
from csceval.strands.family_goals.agreement import goal_pairs
from csceval.strands.family_goals.tables import LEVEL_COLUMNS, LEVELS
from csceval.web.family_goals.exports import goal_row
from csceval.web.family_goals.imported import ImportedFamily, imported_families
from csceval.web.family_goals.models import Family, Goal, GoalRating

RATERS = ("worker", "parent")


def t_text(value: float) -> str:
    """A T-score as shown: one decimal place, or 'Not yet rated'."""
    return "Not yet rated" if math.isnan(value) else f"{value:.1f}"


def scores(
    weights: dict[str, float], ratings: dict[tuple[str, str], float | None]
) -> dict[str, float]:
    """Each rater's T-score of one family from its goals' weights and the first entries."""
    goals = sorted(weights)
    out = {}
    for rater in RATERS:
        levels = [ratings.get((rater, g)) for g in goals]
        x = [math.nan if v is None else float(v) for v in levels]
        out[rater] = t_score(x, [weights[g] for g in goals], DEFAULT_RHO) if goals else math.nan
    return out


def first_entries(family: Family) -> dict[tuple[str, str], float | None]:
    return {
        (r.rater_role, r.goal.goal): None if r.rating is None else float(r.rating)
        for r in GoalRating.objects.filter(goal__family=family, entry=1).select_related("goal")
    }


def family_scores(family: Family) -> dict[str, float]:
    weights = {g.goal: float(g.weight) for g in family.goals.all()}
    return scores(weights, first_entries(family))


@dataclass(frozen=True)
class FamilyRow:
    """A family on the site's list."""

    family: Family | None
    imported: ImportedFamily | None
    pseudonym: str
    time_point: str
    n_goals: int
    worker_t: str
    parent_t: str


def family_rows(la_code: str) -> list[FamilyRow]:
    """The site's families: those of the platform, then those imported with the project."""
    rows = []
    families = Family.objects.filter(site__la_code=la_code).prefetch_related("goals")
    ratings: dict[int, dict[tuple[str, str], float | None]] = {}
    for r in GoalRating.objects.filter(goal__family__site__la_code=la_code, entry=1).select_related(
        "goal"
    ):
        ratings.setdefault(r.goal.family_id, {})[(r.rater_role, r.goal.goal)] = (
            None if r.rating is None else float(r.rating)
        )
    for family in families:
        weights = {g.goal: float(g.weight) for g in family.goals.all()}
        t = scores(weights, ratings.get(family.pk, {}))
        rows.append(FamilyRow(family, None, family.pseudonym, family.time_point, len(weights),
                              t_text(t["worker"]), t_text(t["parent"])))  # fmt: skip
    for imported in sorted(
        imported_families(la_code).values(), key=lambda f: (f.time_point, f.family)
    ):
        t = scores(imported.weights, imported.ratings)
        n = len(imported.weights)
        worker, parent = t_text(t["worker"]), t_text(t["parent"])
        rows.append(
            FamilyRow(None, imported, imported.family, imported.time_point, n, worker, parent)
        )
    return rows


def rating_values(family: Family, rater_role: str, entry: int) -> dict[str, int | None]:
    """The family's saved ratings of one rater and entry, by goal id."""
    return {
        r.goal.goal: r.rating
        for r in GoalRating.objects.filter(
            goal__family=family, rater_role=rater_role, entry=entry
        ).select_related("goal")
    }


def goal_table(family: Family) -> list[dict[str, Any]]:
    """Each goal with its scale, every rating (by rater and entry) and the raters whose two
    entries of the same form differ (to check against the paper form)."""
    ratings: dict[tuple[str, str, int], int | None] = {
        (r.goal.goal, r.rater_role, r.entry): r.rating
        for r in GoalRating.objects.filter(goal__family=family).select_related("goal")
    }
    rows = []
    for g in family.goals.all():
        mine = {
            (rater, entry): ratings[(g.goal, rater, entry)]
            for rater in RATERS
            for entry in (1, 2)
            if (g.goal, rater, entry) in ratings
        }
        differ = [
            rater
            for rater in RATERS
            if (rater, 2) in mine and mine.get((rater, 1)) != mine[(rater, 2)]
        ]
        rows.append({"goal": g, "ratings": mine, "entries_differ": differ})
    return rows


def proposals(family: Family) -> pd.DataFrame:
    """Each parent goal of the family with its most similar worker goal (the strand's rule)."""
    goals = list(family.goals.all())
    if not goals:
        return goal_pairs(pd.DataFrame(columns=["la_code", "time_point", "family", "goal",
                                                "source", "description"]))  # fmt: skip
    return goal_pairs(pd.DataFrame([goal_row(g) for g in goals]))


def goals_of(family: Family) -> list[Goal]:
    return list(family.goals.all())


def _links(family: Family) -> Any:
    from csceval.web.links.models import AnonymousLink

    return AnonymousLink.objects.filter(
        purpose="goal_rating", la_code=family.la_code, object_key=f"family:{family.pk}"
    )


def open_parent_links(family: Family) -> list[Any]:
    """The family's parent's links that can still be answered."""
    from csceval.web.links.services import LinkState, link_state

    return [link for link in _links(family) if link_state(link) is LinkState.OPEN]


def parent_links(family: Family) -> dict[str, int]:
    """How many parent's rating links were made for the family, answered, and still open."""
    links = _links(family)
    return {
        "made": links.count(),
        "answered": links.filter(uses__gt=0).count(),
        "open": len(open_parent_links(family)),
    }


def imported_goal_table(family: ImportedFamily) -> list[dict[str, Any]]:
    """An imported family's goals as its rows hold them, for the read-only page: each goal's
    source, description, scale (highest level first), weight, baseline, date set, and every
    rating by rater and entry."""
    rows = []
    for goal, row in sorted(family.goals.items()):
        scale = [(value, row.get(LEVEL_COLUMNS[value][0], "")) for value in reversed(LEVELS)]
        ratings = [
            (rater, entry, family.entries[(goal, rater, entry)])
            for rater in RATERS
            for entry in ("1", "2")
            if (goal, rater, entry) in family.entries
        ]
        rows.append({"goal": goal, "row": row, "scale": scale, "ratings": ratings})
    return rows
