"""Family-goal pages: the site's families, one family's goals, setting a goal, rating at
review (the worker's own rating, a parent's paper form, and a second entry of either), the
goal-concordance review, and the parent's rating link.

Every view authorizes first; families of another LA are 404 (``get_scoped_or_404``). Viewing a
family's record is audited as ``case.view``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csceval.errors import InputError, Problem
from csceval.strands.family_goals.tables import LEVEL_COLUMNS, LEVELS
from csceval.web.evaluation.models import Site
from csceval.web.family_goals import selectors, services
from csceval.web.family_goals.forms import (
    LEVEL_LABELS,
    FamilyForm,
    GoalForm,
    RatingForm,
    goal_initial,
    rating_initial,
)
from csceval.web.family_goals.imported import imported_families
from csceval.web.family_goals.models import Family, Goal, GoalSource
from csceval.web.jinja2env import govuk_error_list
from csceval.web.links.views import when_text
from csceval.web.permissions import Verb, authorize, get_scoped_or_404, has_verb, scoped_la_codes

RATERS = {"worker": "Social worker's rating", "parent": "Parent's rating"}


def problem_list(problems: list[Problem], href: str = "#main-content") -> list[dict[str, str]]:
    return [{"text": f"{p.message} ({p.code})", "href": href} for p in problems]


def _site(request: HttpRequest, la_code: str, verb: Verb = Verb.CASE_VIEW) -> Site:
    return get_scoped_or_404(
        request.user,
        verb,
        Site.objects.filter(role__in=services.GOAL_SITE_ROLES),
        la_code=la_code,
    )


def _family(request: HttpRequest, verb: Verb, family_id: int) -> Family:
    return get_scoped_or_404(
        request.user,
        verb,
        Family.objects.select_related("site"),
        la_of=lambda f: f.site.la_code,
        pk=family_id,
    )


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.CASE_VIEW)
    sites = Site.objects.filter(role__in=services.GOAL_SITE_ROLES)
    codes = scoped_la_codes(request.user, Verb.CASE_VIEW, sites.values_list("la_code", flat=True))
    return render(request, "family_goals/index.html", {"sites": sites.filter(la_code__in=codes)})


def _families_page(
    request: HttpRequest, site: Site, form: FamilyForm, status: int = 200, **extra: Any
) -> HttpResponse:
    context = {
        "site": site,
        "rows": selectors.family_rows(site.la_code),
        "form": form,
        "can_record": has_verb(request.user, Verb.CASE_AUDIT, site.la_code),
        "problem_list": [],
        **extra,
    }
    return render(request, "family_goals/families.html", context, status=status)


@require_GET
def families(request: HttpRequest, la_code: str) -> HttpResponse:
    site = _site(request, la_code)
    form = FamilyForm(time_points=services.time_points())
    return _families_page(request, site, form)


@require_POST
def family_add(request: HttpRequest, la_code: str) -> HttpResponse:
    site = _site(request, la_code, Verb.CASE_AUDIT)
    form = FamilyForm(request.POST, time_points=services.time_points())
    if not form.is_valid():
        return _families_page(request, site, form, 400, problem_list=govuk_error_list(form))
    try:
        family = services.family_add(
            actor=request.user,
            site=site,
            time_point=form.cleaned_data["time_point"],
            pseudonym=form.cleaned_data["pseudonym"],
        )
    except InputError as exc:
        errors = problem_list(exc.problems, "#id_pseudonym")
        if any(p.code == "CSC-E3306" for p in exc.problems):  # maybe a name: never shown back
            initial = {"time_point": form.cleaned_data["time_point"]}
            form = FamilyForm(initial=initial, time_points=services.time_points())
        return _families_page(request, site, form, 400, problem_list=errors)
    return redirect(reverse("family_goals:family", args=[family.pk]) + "?added=1")


@require_GET
def family(request: HttpRequest, family_id: int) -> HttpResponse:
    return family_page(request, _family(request, Verb.CASE_VIEW, family_id))


def family_page(
    request: HttpRequest, found: Family, link: str = "", closes: datetime | None = None
) -> HttpResponse:
    """The family's goals, ratings and T-scores (with a new parent's link, shown once)."""
    services.record_view(actor=request.user, family=found, page="family")
    t = selectors.family_scores(found)
    context = {
        "family": found,
        "site": found.site,
        "rows": selectors.goal_table(found),
        "levels": [(v, LEVEL_COLUMNS[v][0], LEVEL_LABELS[v]) for v in LEVELS],
        "worker_t": selectors.t_text(t["worker"]),
        "parent_t": selectors.t_text(t["parent"]),
        "can_record": has_verb(request.user, Verb.CASE_AUDIT, found.la_code),
        "added": request.GET.get("added") == "1",
        "saved": request.GET.get("saved", ""),
        "sources": dict(GoalSource.choices),
        "raters": RATERS,
        "link": link,
        "closes": when_text(closes),
        "links": selectors.parent_links(found),
    }
    return render(request, "family_goals/family.html", context)


def _goal_page(
    request: HttpRequest, found: Family, form: GoalForm, goal: Goal | None, status: int = 200,
    refused: list[Problem] | None = None,
) -> HttpResponse:  # fmt: skip
    context = {
        "family": found,
        "site": found.site,
        "form": form,
        "goal": goal,
        "levels": [(LEVEL_COLUMNS[v][0], LEVEL_LABELS[v]) for v in reversed(LEVELS)],
        "refused": problem_list(refused or []),
    }
    return render(request, "family_goals/goal.html", context, status=status)


@require_http_methods(["GET", "POST"])
def goal_new(request: HttpRequest, family_id: int) -> HttpResponse:
    found = _family(request, Verb.CASE_AUDIT, family_id)
    return _goal(request, found, None)


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, family_id: int, goal: str) -> HttpResponse:
    found = _family(request, Verb.CASE_AUDIT, family_id)
    existing = found.goals.filter(goal=goal).first()
    if existing is None:
        raise Http404("No such goal")
    return _goal(request, found, existing)


def _goal(request: HttpRequest, found: Family, goal: Goal | None) -> HttpResponse:
    if request.method == "POST":
        form = GoalForm(request.POST)
        if form.is_valid():
            try:
                saved = services.goal_save(
                    actor=request.user, family=found, fields=form.goal_fields(), goal=goal
                )
            except InputError as exc:
                return _goal_page(request, found, form, goal, 409, exc.problems)
            return redirect(
                reverse("family_goals:family", args=[found.pk]) + f"?saved={saved.goal}"
            )
        return _goal_page(request, found, form, goal, 400)
    services.record_view(actor=request.user, family=found, page="goal")
    form = GoalForm(initial=goal_initial(goal)) if goal is not None else GoalForm()
    return _goal_page(request, found, form, goal)


@require_http_methods(["GET", "POST"])
def rate(request: HttpRequest, family_id: int, rater: str, entry: int) -> HttpResponse:
    """One rater's review of every goal of the family (entry 2: the same form entered again)."""
    found = _family(request, Verb.CASE_AUDIT, family_id)
    if rater not in RATERS or entry not in (1, 2):
        raise Http404("No such rating form")
    goals = selectors.goals_of(found)
    refused: list[Problem] = []
    if request.method == "POST":
        form = RatingForm(request.POST, goals=goals)
        if form.is_valid():
            try:
                services.ratings_save(
                    actor=request.user,
                    family=found,
                    rater_role=rater,
                    entry=entry,
                    ratings=form.ratings(),
                    rated_on=form.cleaned_data["rated_on"],
                    via="form" if rater == "worker" else "paper",
                )
            except InputError as exc:
                refused = exc.problems
            else:
                return redirect(
                    reverse("family_goals:family", args=[found.pk]) + f"?saved={rater}-{entry}"
                )
    else:
        services.record_view(actor=request.user, family=found, page="rating")
        form = RatingForm(
            initial=rating_initial(selectors.rating_values(found, rater, entry)), goals=goals
        )
    context = {
        "family": found,
        "site": found.site,
        "form": form,
        "goals": goals,
        "rater": rater,
        "rater_label": RATERS[rater],
        "entry": entry,
        "level_fields": {v: LEVEL_COLUMNS[v][0] for v in LEVELS},
        "labels": LEVEL_LABELS,
        "refused": problem_list(refused),
    }
    status = 409 if refused else 400 if form.errors else 200
    return render(request, "family_goals/rate.html", context, status=status)


@require_http_methods(["GET", "POST"])
def concordance(request: HttpRequest, family_id: int) -> HttpResponse:
    """The parent's goals beside the most similar worker goal: accept or reject each match."""
    found = _family(request, Verb.CASE_AUDIT, family_id)
    pairs = selectors.proposals(found)
    decided = {d.parent_goal: d for d in found.concordance.all()}
    errors: list[dict[str, str]] = []
    if request.method == "POST":
        decisions = {}
        for row in pairs.to_dict("records"):
            choice = request.POST.get(f"match_{row['parent_goal']}", "")
            if choice in ("accept", "reject") and row["worker_goal"]:
                decisions[str(row["parent_goal"])] = (
                    str(row["worker_goal"]), float(row["similarity"]), choice == "accept"
                )  # fmt: skip
            elif row["worker_goal"]:
                errors.append({"text": f"Select whether goal {row['parent_goal']} matches "
                               f"goal {row['worker_goal']}",
                               "href": f"#match_{row['parent_goal']}"})  # fmt: skip
        if not errors:
            services.concordance_decide(actor=request.user, family=found, decisions=decisions)
            return redirect(reverse("family_goals:family", args=[found.pk]) + "?saved=concordance")
    else:
        services.record_view(actor=request.user, family=found, page="concordance")
    context = {
        "family": found,
        "site": found.site,
        "pairs": pairs.to_dict("records"),
        "decided": decided,
        "problem_list": errors,
        "posted": request.POST if request.method == "POST" else {},
    }
    return render(request, "family_goals/concordance.html", context, status=400 if errors else 200)


@require_GET
def imported_family(
    request: HttpRequest, la_code: str, time_point: str, family: str
) -> HttpResponse:
    """A family that came with an imported project: its goals and ratings, read-only (they are
    analysed as imported and cannot be changed here). Audited as a view like any family."""
    site = _site(request, la_code)
    found = imported_families(site.la_code).get((site.la_code, time_point, family))
    if found is None:
        raise Http404("No such imported family")
    services.record_view(actor=request.user, family=found, page="imported")
    t = selectors.scores(found.weights, found.ratings)
    context = {
        "family": found,
        "site": site,
        "rows": selectors.imported_goal_table(found),
        "levels": LEVEL_LABELS,
        "worker_t": selectors.t_text(t["worker"]),
        "parent_t": selectors.t_text(t["parent"]),
        "sources": dict(GoalSource.choices),
        "raters": RATERS,
    }
    return render(request, "family_goals/imported_family.html", context)
