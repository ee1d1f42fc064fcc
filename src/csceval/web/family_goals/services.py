"""Adding families, setting goals, entering review ratings and concordance decisions.

Every change is audited in its transaction (old and new values); every view of a family's
record is audited too (``case.view``). Families are known by pseudonym only: one typed by the
LA (made with its own keyed HMAC, as for the case-file audit sample) or, when none is typed, a
random one the platform makes (``P-`` and 16 random capitals and digits, 80 bits) that the
worker notes in the family's case file. Business rules refused here are coded (CSC-E332x).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.urls import reverse

from csceval.errors import InputError, Problem
from csceval.strands.family_goals.checks import PSEUDONYM
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import Site
from csceval.web.family_goals.exports import goal_row, rating_row
from csceval.web.family_goals.imported import ImportedFamily, imported_families
from csceval.web.family_goals.models import ConcordanceDecision, Family, Goal, GoalRating
from csceval.web.implementation.services import time_points
from csceval.web.permissions import Verb, has_verb

__all__ = ["family_add", "goal_save", "ratings_save", "record_view", "time_points"]

SYMBOLS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
GOAL_SITE_ROLES = ("pilot", "exited", "contrast")


def _actor(user: Any) -> str:
    return str(user.get_username()) if user is not None else "parent-link"


def _refuse(
    code: str, message: str, column: str = "", value: str = "", fix: str = ""
) -> InputError:
    return InputError([Problem(code, message, column=column, value=value, fix=fix)])


def new_pseudonym() -> str:
    """A random family pseudonym: ``P-`` and 16 symbols of base32 (80 bits)."""
    return "P-" + "".join(secrets.choice(SYMBOLS) for _ in range(16))


def family_object_id(family: Family) -> str:
    return f"{family.la_code}/{family.time_point}/{family.pseudonym}"


@transaction.atomic
def family_add(*, actor: Any, site: Site, time_point: str, pseudonym: str = "") -> Family:
    """Add a family to the site's goals sample at the time point (its review)."""
    if site.role not in GOAL_SITE_ROLES:
        raise _refuse("CSC-E3301", "the LA is not a pilot or contrast site", "la_code",
                      site.la_code)  # fmt: skip
    if time_point not in {tp["id"] for tp in time_points()}:
        raise _refuse("CSC-E3302", "unknown time point", "time_point", time_point)
    pseudonym = pseudonym.strip().upper() or new_pseudonym()
    if not PSEUDONYM.match(pseudonym):
        raise _refuse("CSC-E3306", "not a family pseudonym", "pseudonym", pseudonym[:3] + "...",
                      "type the pseudonym (P- and 4-64 capital letters or digits), or leave it "
                      "blank for a new one; never a name or case number")  # fmt: skip
    key = (site.la_code, time_point, pseudonym)
    if Family.objects.filter(site=site, time_point=time_point, pseudonym=pseudonym).exists() or (
        key in imported_families(site.la_code)
    ):
        raise _refuse("CSC-E3321", "this family is already in the sample at this time point",
                      "pseudonym", pseudonym)  # fmt: skip
    family = Family.objects.create(
        site=site, time_point=time_point, pseudonym=pseudonym, added_by=actor
    )
    audit_record(
        actor=_actor(actor),
        action="goal_family.add",
        object_type="goal_family",
        object_id=family_object_id(family),
        new_values={"la_code": site.la_code, "time_point": time_point},
    )
    return family


def next_goal_id(family: Family) -> str:
    taken = set(family.goals.values_list("goal", flat=True))
    n = 1
    while f"G{n}" in taken:
        n += 1
    return f"G{n}"


@transaction.atomic
def goal_save(
    *, actor: Any, family: Family, fields: Mapping[str, Any], goal: Goal | None = None
) -> Goal:
    """Record a new goal of the family, or change one nobody has rated yet (CSC-E3322)."""
    family = Family.objects.select_for_update().get(pk=family.pk)
    old = None
    if goal is None:
        goal = Goal(family=family, goal=next_goal_id(family))
    else:
        if goal.ratings.exists():
            raise _refuse("CSC-E3322", "a goal rated at review cannot be changed", "goal",
                          goal.goal, "add a new goal instead")  # fmt: skip
        old = goal_row(goal)
    for name, value in fields.items():
        setattr(goal, name, value)
    goal.save()
    goal.refresh_from_db()
    new = goal_row(goal)
    audit_record(
        actor=_actor(actor),
        action="family_goal.set",
        object_type="family_goal",
        object_id=f"{family_object_id(family)}/{goal.goal}",
        old_values={k: v for k, v in old.items() if new[k] != v} if old else None,
        new_values={k: v for k, v in new.items() if old is None or old[k] != v},
    )
    return goal


@transaction.atomic
def ratings_save(
    *,
    actor: Any,
    family: Family,
    rater_role: str,
    entry: int,
    ratings: Mapping[str, int | None],
    rated_on: date | None,
    via: str,
) -> list[GoalRating]:
    """Save one rater's review ratings of the family's goals (entry 1, or 2 for double entry).

    ``ratings`` maps goal ids to a level (-2 ... 2) or None (could not be rated). A second
    entry needs a first entry of the same form (CSC-E3305).
    """
    family = Family.objects.select_for_update().get(pk=family.pk)
    goals = {g.goal: g for g in family.goals.all()}
    unknown = [g for g in ratings if g not in goals]
    if unknown or rater_role not in ("worker", "parent") or entry not in (1, 2):
        raise _refuse("CSC-E3304", "unknown goal of this family", "goal", ", ".join(unknown))
    if entry == 2:
        firsts = set(
            GoalRating.objects.filter(
                goal__family=family, rater_role=rater_role, entry=1
            ).values_list("goal__goal", flat=True)
        )
        missing = sorted(set(ratings) - firsts)
        if missing:
            raise _refuse("CSC-E3305", "a second entry without a first entry", "goal",
                          ", ".join(missing), "enter the form once (entry 1) first")  # fmt: skip
    old: dict[str, str] = {}
    new: dict[str, str] = {}
    saved = []
    for goal_id, level in ratings.items():
        current = GoalRating.objects.filter(
            goal=goals[goal_id], rater_role=rater_role, entry=entry
        ).first()
        if current is not None:
            old[goal_id] = rating_row(current)["rating"]
        rating, _ = GoalRating.objects.update_or_create(
            goal=goals[goal_id],
            rater_role=rater_role,
            entry=entry,
            defaults={
                "rating": level,
                "rated_on": rated_on,
                "via": via,
                "entered_by": actor,
            },
        )
        new[goal_id] = "" if level is None else str(level)
        saved.append(rating)
    audit_record(
        actor=_actor(actor),
        action="goal_rating.save",
        object_type="goal_family",
        object_id=f"{family_object_id(family)}/{rater_role}/{entry}",
        old_values=old or None,
        new_values={**new, "via": via, "rated_on": rated_on.isoformat() if rated_on else ""},
    )
    return saved


@transaction.atomic
def concordance_decide(
    *, actor: Any, family: Family, decisions: Mapping[str, tuple[str, float, bool]]
) -> list[str]:
    """Record whether each parent goal matches the proposed worker goal; the goals changed.

    ``decisions`` maps a parent goal id to (worker goal id, similarity, accepted).
    """
    family = Family.objects.select_for_update().get(pk=family.pk)
    current = {d.parent_goal: d for d in family.concordance.all()}
    changed, old, new = [], {}, {}
    for parent_goal, (worker_goal, similarity, accepted) in decisions.items():
        before = current.get(parent_goal)
        verdict = f"{worker_goal}:{'accepted' if accepted else 'rejected'}"
        if before is not None:
            was = f"{before.worker_goal}:{'accepted' if before.accepted else 'rejected'}"
            if was == verdict:
                continue
            old[parent_goal] = was
        ConcordanceDecision.objects.update_or_create(
            family=family,
            parent_goal=parent_goal,
            defaults={
                "worker_goal": worker_goal,
                "similarity": similarity,
                "accepted": accepted,
                "decided_by": actor,
            },
        )
        new[parent_goal] = verdict
        changed.append(parent_goal)
    if changed:
        audit_record(
            actor=_actor(actor),
            action="goal_concordance.decide",
            object_type="goal_family",
            object_id=family_object_id(family),
            old_values=old or None,
            new_values=new,
        )
    return changed


@transaction.atomic
def record_view(*, actor: Any, family: Family | ImportedFamily, page: str) -> None:
    """Audit one view of a family's goal record (SEC-D1), recorded or imported alike (the same
    object id: LA code, time point and pseudonym)."""
    object_id = (
        family_object_id(family)
        if isinstance(family, Family)
        else f"{family.la_code}/{family.time_point}/{family.family}"
    )
    audit_record(
        actor=_actor(actor),
        action="case.view",
        object_type="goal_family",
        object_id=object_id,
        new_values={"page": page},
    )


def site_links(request: Any, site: Site) -> list[dict[str, str]]:
    """A link on a site's page to its families' goals, for who may see them."""
    if site.role in GOAL_SITE_ROLES and has_verb(request.user, Verb.CASE_VIEW, site.la_code):
        return [{"text": "Family goals", "href": reverse("family_goals:families",
                                                          args=[site.la_code])}]  # fmt: skip
    return []
