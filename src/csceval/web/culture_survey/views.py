"""Evaluator pages of the culture survey: sites, their teams, team links, live counts.

Reading needs ``site.view`` on the site's LA; adding teams and making or closing links needs
``return.review`` there (evaluators and admins). Counts are protected by k (selectors).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from csceval.web.culture_survey import selectors, services
from csceval.web.culture_survey.models import SurveyTeam
from csceval.web.evaluation.models import Site
from csceval.web.evaluation.project_io import current_settings
from csceval.web.permissions import Verb, authorize, get_scoped_or_404, has_verb, scoped_la_codes
from csceval.web.security import clock


def _time_points() -> dict[str, Any]:
    settings = current_settings()
    return {t.id: t for t in settings.periods.time_points} if settings else {}


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.SITE_VIEW)
    codes = scoped_la_codes(
        request.user, Verb.SITE_VIEW, Site.objects.values_list("la_code", flat=True)
    )
    context = {
        "sites": Site.objects.filter(la_code__in=codes),
        "surveys": selectors.site_surveys(codes),
    }
    return render(request, "culture_survey/index.html", context)


def _site_page(request: HttpRequest, site: Site, error: str = "", status: int = 200) -> Any:
    context = {
        "site": site,
        "surveys": selectors.site_surveys([site.la_code]),
        "time_points": list(_time_points()),
        "can_manage": has_verb(request.user, Verb.RETURN_REVIEW, site.la_code),
        "error": error,
        "posted": request.POST if error else {},
        "now": clock.now(),
    }
    return render(request, "culture_survey/site.html", context, status=status)


@require_GET
def site(request: HttpRequest, la_code: str) -> HttpResponse:
    found = get_scoped_or_404(request.user, Verb.SITE_VIEW, Site.objects.all(), la_code=la_code)
    return _site_page(request, found)


@require_POST
def team_add(request: HttpRequest, la_code: str) -> HttpResponse:
    found = get_scoped_or_404(request.user, Verb.RETURN_REVIEW, Site.objects.all(), la_code=la_code)
    invited = request.POST.get("invited", "").strip()
    try:
        services.team_add(
            actor=request.user,
            site=found,
            team=request.POST.get("team", ""),
            time_point=request.POST.get("time_point", ""),
            invited=int(invited) if invited.isdigit() else 0,
            time_points=list(_time_points()),
        )
    except services.SurveyInputError as problem:
        return _site_page(request, found, f"{problem.message} ({problem.code})", status=400)
    return redirect(reverse("culture_survey:site", args=[found.la_code]))


def _team(request: HttpRequest, team_id: int) -> SurveyTeam:
    team: SurveyTeam = get_scoped_or_404(
        request.user,
        Verb.RETURN_REVIEW,
        SurveyTeam.objects.select_related("site"),
        la_of=lambda t: t.site.la_code,
        pk=team_id,
    )
    return team


@require_POST
def link_new(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    point = _time_points().get(team.time_point)
    closes = services.closing_time(getattr(point, "end", None))
    with transaction.atomic():
        link, token = services.team_link_create(actor=request.user, team=team, closes_on=closes)
    address = request.build_absolute_uri(reverse("links:open", args=[token]))
    context = {"team": team, "link": link, "address": address}
    return render(request, "culture_survey/link_created.html", context)


@require_POST
def link_close(request: HttpRequest, team_id: int) -> HttpResponse:
    team = _team(request, team_id)
    services.team_links_close(actor=request.user, team=team)
    return redirect(reverse("culture_survey:site", args=[team.site.la_code]))


def site_links(request: Any, site: Site) -> list[dict[str, str]]:
    """A link on a site's page to its survey teams, for those who may see them."""
    if not has_verb(request.user, Verb.SITE_VIEW, site.la_code):
        return []
    href = reverse("culture_survey:site", args=[site.la_code])
    return [{"text": "Team culture survey: teams, links and responses", "href": href}]
