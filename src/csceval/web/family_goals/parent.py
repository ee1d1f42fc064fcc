"""The parent's rating link: a no-account page where a parent rates their family's goals.

A worker with ``case.audit`` on the LA makes the link from the family's page; it is an
anonymous link of the platform (:mod:`csceval.web.links`, purpose ``goal_rating``, scoped to
the LA and to the family by ``object_key``), open for :data:`LINK_DAYS` days, for one response.
The token is shown once, on the page that made it, and never stored or put in an address of
the signed-in service. The parent sees the goals and what each level looks like, never the
family's pseudonym or anyone's earlier answers, and their answer is saved as the parent's first
entry (``via`` ``link``; it replaces a paper form's entry 1, the audit trail keeps the old
values) in the same transaction that counts the link's one use.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csceval.strands.family_goals.tables import LEVEL_COLUMNS, LEVELS
from csceval.web.family_goals import selectors, services
from csceval.web.family_goals.forms import RatingForm
from csceval.web.family_goals.models import Family
from csceval.web.family_goals.views import family_page
from csceval.web.links.models import AnonymousLink
from csceval.web.links.services import (
    LinkNotFoundError,
    link_create,
    link_record_use,
    link_revoke,
)
from csceval.web.links.views import link_view
from csceval.web.permissions import Verb, get_scoped_or_404
from csceval.web.security import clock

PURPOSE = "goal_rating"
LINK_DAYS = 28
PARENT_LEVELS = {
    "-2": "Much less than expected",
    "-1": "Somewhat less than expected",
    "0": "What we expected",
    "1": "Somewhat more than expected",
    "2": "Much more than expected",
}
"""The five levels in the parent's words (the same scale as the worker's, -2 to +2)."""


def object_key(family: Family) -> str:
    return f"family:{family.pk}"


def start_url(token: str) -> str:
    return reverse("family_goals:parent_rate", args=[token])


def family_of(link: AnonymousLink) -> Family:
    """The family a goal-rating link is for, in the link's LA (else: as if no such link)."""
    kind, _, pk = link.object_key.partition(":")
    family = (
        Family.objects.select_related("site").filter(pk=int(pk)).first()
        if kind == "family" and pk.isdigit()
        else None
    )
    if family is None or family.site.la_code != link.la_code:
        raise LinkNotFoundError(link)
    return family


@require_POST
def parent_link(request: HttpRequest, family_id: int) -> HttpResponse:
    """Make a parent's rating link for the family and show it once on the family's page."""
    family = get_scoped_or_404(
        request.user,
        Verb.CASE_AUDIT,
        Family.objects.select_related("site"),
        la_of=lambda f: f.site.la_code,
        pk=family_id,
    )
    if not family.goals.exists():
        return redirect("family_goals:family", family_id=family.pk)
    closes = clock.now() + timedelta(days=LINK_DAYS)
    _, token = link_create(
        actor=request.user,
        purpose=PURPOSE,
        la_code=family.la_code,
        object_key=object_key(family),
        label=f"Goal rating, family {family.pseudonym}, {family.time_point}",
        closes_at=closes,
        one_response=True,
    )
    address = request.build_absolute_uri(reverse("links:open", args=[token]))
    response = family_page(request, family, link=address, closes=closes)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def withdraw_links(request: HttpRequest, family_id: int) -> HttpResponse:
    """Withdraw (revoke) every parent's link of the family that has not been answered."""
    family = get_scoped_or_404(
        request.user,
        Verb.CASE_AUDIT,
        Family.objects.select_related("site"),
        la_of=lambda f: f.site.la_code,
        pk=family_id,
    )
    for link in selectors.open_parent_links(family):
        link_revoke(actor=request.user, link=link)
    return redirect(reverse("family_goals:family", args=[family.pk]) + "?saved=withdrawn")


def _goals_context(family: Family, form: RatingForm) -> dict[str, Any]:
    return {
        "form": form,
        "goals": selectors.goals_of(family),
        "level_fields": {v: LEVEL_COLUMNS[v][0] for v in LEVELS},
        "labels": PARENT_LEVELS,
    }


@link_view(PURPOSE)
@require_http_methods(["GET", "POST"])
def parent_rate(request: HttpRequest, link: AnonymousLink, token: str) -> HttpResponse:
    family = family_of(link)
    goals = selectors.goals_of(family)
    if request.method == "POST":
        form = RatingForm(request.POST, goals=goals, labels=PARENT_LEVELS)
        if form.is_valid():
            with transaction.atomic():
                link_record_use(link)
                services.ratings_save(
                    actor=None,
                    family=family,
                    rater_role="parent",
                    entry=1,
                    ratings=form.ratings(),
                    rated_on=clock.now().date(),
                    via="link",
                )
            return redirect("family_goals:parent_done", token=token)
    else:  # never prefilled: the parent gives their own answer, not a paper form's copy
        form = RatingForm(goals=goals, labels=PARENT_LEVELS)
    return render(
        request,
        "family_goals/parent_rate.html",
        _goals_context(family, form),
        status=400 if form.errors else 200,
    )


@link_view(PURPOSE, allow_used=True)
@require_GET
def parent_done(request: HttpRequest, link: AnonymousLink, token: str) -> HttpResponse:
    family_of(link)
    return render(request, "family_goals/parent_done.html", {})
