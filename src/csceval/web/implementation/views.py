"""Self-profile pages: the list, one profile (save and come back later, submit), review."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csceval.strands.implementation.elements import anchor_for, bands, elements
from csceval.web.evaluation.models import Site
from csceval.web.implementation.forms import SelfProfileForm
from csceval.web.implementation.imported import ImportedProfile, imported_profiles
from csceval.web.implementation.models import ProfileStatus, SelfProfile
from csceval.web.implementation.services import (
    StatusError,
    profile_for,
    review_profile,
    save_profile,
    time_points,
)
from csceval.web.permissions import Verb, authorize, get_scoped_or_404, has_verb, scoped_la_codes

PILOT_ROLES = ("pilot", "exited")


def _pilot(request: HttpRequest, la_code: str) -> Site:
    return get_scoped_or_404(
        request.user, Verb.SITE_VIEW, Site.objects.filter(role__in=PILOT_ROLES), la_code=la_code
    )


def _time_point(time_point: str) -> dict[str, str]:
    found = next((tp for tp in time_points() if tp["id"] == time_point), None)
    if found is None:
        raise Http404("No such time point")
    return found


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.SITE_VIEW)
    pilots = Site.objects.filter(role__in=PILOT_ROLES)
    codes = scoped_la_codes(request.user, Verb.SITE_VIEW, pilots.values_list("la_code", flat=True))
    profiles = {
        (p.site.la_code, p.time_point): p
        for p in SelfProfile.objects.select_related("site").filter(site__la_code__in=codes)
    }
    points = time_points()  # once: it reads the evaluation's settings
    rows = [
        (site, [(tp, profiles.get((site.la_code, tp["id"]))) for tp in points])
        for site in pilots.filter(la_code__in=codes)
    ]
    context = {"rows": rows, "time_points": points, "imported": imported_profiles()}
    return render(request, "implementation/index.html", context)


@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest, la_code: str, time_point: str) -> HttpResponse:
    site = _pilot(request, la_code)
    point = _time_point(time_point)
    current = profile_for(site, time_point)
    imported = imported_profiles().get((la_code, time_point))
    editable = current.status == ProfileStatus.DRAFT and has_verb(
        request.user, Verb.RETURN_EDIT, la_code
    )
    if request.method == "POST":
        authorize(request.user, Verb.RETURN_EDIT, la_code)
        if not editable:
            return render(request, "implementation/locked.html", {"profile": current}, status=409)
        submit = request.POST.get("action") == "submit"
        form = SelfProfileForm(request.POST, submitting=submit)
        if form.is_valid():
            save_profile(actor=request.user, profile=current, ratings=form.ratings(), submit=submit)
            if submit:
                return redirect("implementation:index")
            return redirect("implementation:profile", la_code=la_code, time_point=time_point)
    else:
        form = SelfProfileForm(initial=_initial(current))
    return render(
        request,
        "implementation/profile.html",
        {
            "site": site,
            "point": point,
            "profile": current,
            "imported": imported if current.pk is None else None,
            "imported_rows": _imported_rows(imported if current.pk is None else None),
            "form": form,
            "editable": editable,
            "can_review": current.status == ProfileStatus.SUBMITTED
            and has_verb(request.user, Verb.RETURN_REVIEW, la_code),
            "bands": bands(),
            "anchor_for": anchor_for,
        },
        status=400 if form.errors else 200,
    )


def _initial(current: SelfProfile) -> dict[str, Any]:
    """The form's values: the platform's profile (an imported one is shown beside, not copied)."""
    initial: dict[str, Any] = {}
    if current.pk is not None:
        for r in current.ratings.all():
            initial[f"rating_{r.element}"] = r.rating
            initial[f"evidence_{r.element}"] = r.evidence
    return initial


def _imported_rows(imported: ImportedProfile | None) -> list[tuple[str, str, str]]:
    """(element title, rating, evidence) of an imported profile, in the elements' order."""
    if imported is None:
        return []
    return [(e.title, *imported.ratings.get(e.id, ("", ""))) for e in elements()]


@require_POST
def review(request: HttpRequest, la_code: str, time_point: str) -> HttpResponse:
    site = _pilot(request, la_code)
    _time_point(time_point)
    authorize(request.user, Verb.RETURN_REVIEW, la_code)
    current = profile_for(site, time_point)
    if current.pk is None:
        raise Http404("No such self-profile")
    try:
        review_profile(
            actor=request.user, profile=current, accept=request.POST.get("decision") == "accept"
        )
    except StatusError:
        return render(request, "implementation/locked.html", {"profile": current}, status=409)
    return redirect("implementation:profile", la_code=la_code, time_point=time_point)
