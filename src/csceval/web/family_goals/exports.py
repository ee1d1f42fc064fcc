"""The goal rows the platform adds to a project's ``data/`` tables on export.

``data/family_goals.csv`` gets every goal recorded in the platform, ``data/goal_ratings.csv``
every rating entered (worker, parent's paper form, parent's link; entries 1 and 2) and
``data/goal_concordance.csv`` every reviewed goal match, each merged with the imported
project's rows (a platform row replaces an imported row with the same key). The
strand's analysis reads these files and nothing else, so web-entered goals take the one
analysis path.
"""

from __future__ import annotations

from decimal import Decimal

from csceval.strands.family_goals.tables import (
    FAMILY_GOALS,
    GOAL_CONCORDANCE,
    GOAL_RATINGS,
    LEVEL_COLUMNS,
)
from csceval.web.evaluation.project_io import merge_csv_rows
from csceval.web.family_goals.models import ConcordanceDecision, Goal, GoalRating

LEVEL_FIELDS = tuple(name for name, _ in LEVEL_COLUMNS.values())


def weight_text(weight: Decimal) -> str:
    """A weight as the CSV holds it: ``2`` rather than ``2.00``, ``1.5`` rather than ``1.50``."""
    return f"{weight.normalize():f}"


def goal_row(goal: Goal) -> dict[str, str]:
    family = goal.family
    return {
        "la_code": family.site.la_code,
        "time_point": family.time_point,
        "family": family.pseudonym,
        "goal": goal.goal,
        "source": goal.source,
        "description": goal.description,
        **{name: getattr(goal, name) for name in LEVEL_FIELDS},
        "weight": weight_text(goal.weight),
        "baseline": "" if goal.baseline is None else str(goal.baseline),
        "set_on": goal.set_on.isoformat(),
    }


def rating_row(rating: GoalRating) -> dict[str, str]:
    goal = rating.goal
    return {
        "la_code": goal.family.site.la_code,
        "time_point": goal.family.time_point,
        "family": goal.family.pseudonym,
        "goal": goal.goal,
        "rater_role": rating.rater_role,
        "entry": str(rating.entry),
        "rating": "" if rating.rating is None else str(rating.rating),
        "rated_on": rating.rated_on.isoformat() if rating.rated_on else "",
    }


def exported_goals(imported: bytes | None) -> bytes | None:
    """data/family_goals.csv: imported rows plus every goal recorded in the platform."""
    rows = [goal_row(g) for g in Goal.objects.select_related("family__site")]
    rows.sort(key=lambda r: tuple(r[k] for k in FAMILY_GOALS.key))
    return merge_csv_rows(imported, FAMILY_GOALS.column_names, FAMILY_GOALS.key, rows)


def exported_ratings(imported: bytes | None) -> bytes | None:
    """data/goal_ratings.csv: imported rows plus every rating entered in the platform."""
    rows = [rating_row(r) for r in GoalRating.objects.select_related("goal__family__site")]
    rows.sort(key=lambda r: tuple(r[k] for k in GOAL_RATINGS.key))
    return merge_csv_rows(imported, GOAL_RATINGS.column_names, GOAL_RATINGS.key, rows)


def exported_concordance(imported: bytes | None) -> bytes | None:
    """data/goal_concordance.csv: imported rows plus every goal match reviewed in the platform."""
    rows = [
        {
            "la_code": d.family.site.la_code,
            "time_point": d.family.time_point,
            "family": d.family.pseudonym,
            "parent_goal": d.parent_goal,
            "worker_goal": d.worker_goal,
            "matched": "yes" if d.accepted else "no",
        }
        for d in ConcordanceDecision.objects.select_related("family__site")
    ]
    rows.sort(key=lambda r: tuple(r[k] for k in GOAL_CONCORDANCE.key))
    return merge_csv_rows(imported, GOAL_CONCORDANCE.column_names, GOAL_CONCORDANCE.key, rows)
