"""The scoping survey through anonymous links: evaluators create a link per LA; the LA answers a
short form through it.

A link has purpose ``scoping`` and is scoped to one LA (``la_code``; the object key is the LA
code too). The respondent's pages find the answer through the link itself (its ``link_key``),
never through anything in the address or the form, so one LA's link can neither see nor change
another LA's answer. An answer can be corrected through the same link until an evaluator has
reviewed it.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from csceval.formula_injection import neutralise
from csceval.web.accounts.models import ALL_LAS
from csceval.web.evaluation.models import LocalAuthority
from csceval.web.links.models import AnonymousLink
from csceval.web.links.services import (
    LinkNotFound,
    link_create,
    link_record_use,
    link_revoke,
    link_state,
)
from csceval.web.links.views import link_view
from csceval.web.permissions import Verb, authorize
from csceval.web.scoping import selectors
from csceval.web.scoping.forms import KNOWN_FRAMEWORKS, NONE_CHOICE, SurveyForm
from csceval.web.scoping.imported import sync_imported
from csceval.web.scoping.models import RegisterEpisode, ScopingResponse
from csceval.web.scoping.responses import ReviewedError, link_response, response_give

PURPOSE = "scoping"
SERVICE = {"respondentServiceName": "Practice frameworks survey"}
ANSWERS = ("extent", "since", "training", "licensing", "respondent_role")


def start_url(token: str) -> str:
    """Where ``/r/<token>/`` of a scoping link leads."""
    return reverse("scoping:respond", args=[token])


@require_http_methods(["GET", "POST"])
def links(request: HttpRequest) -> HttpResponse:
    """Every LA's latest link (GET); a new link for one LA, shown once (POST)."""
    authorize(request.user, Verb.RETURN_REVIEW, ALL_LAS)
    if request.method == "POST" and request.POST.get("action") == "all":
        return _links_for_all(request)
    if request.method == "POST" and request.POST.get("action") == "close":
        number = str(request.POST.get("link", ""))
        found = None
        if number.isdigit():
            found = AnonymousLink.objects.filter(purpose=PURPOSE, pk=int(number)).first()
        if found is None:
            raise Http404("No such link")
        link_revoke(actor=request.user, link=found)
        return redirect("scoping:links")
    if request.method == "POST":
        return _link_new(request)
    sync_imported()
    view = selectors.survey_view()
    found = AnonymousLink.objects.filter(purpose=PURPOSE).order_by("la_code", "-created_at")
    latest: dict[str, AnonymousLink] = {}
    for link in found:
        latest.setdefault(str(link.la_code), link)
    answered = set(ScopingResponse.objects.values_list("la_code", flat=True))
    las = LocalAuthority.objects.filter(la_code__in=selectors.alive_codes(view.year))
    rows = [
        {
            "la": la,
            "link": latest.get(la.la_code),
            "state": link_state(latest[la.la_code]).value if la.la_code in latest else "",
            "answered": la.la_code in answered,
        }
        for la in las.order_by("region_name", "la_name")
    ]
    return render(request, "scoping/links.html", {"rows": rows, "year": view.year})


def _link_new(request: HttpRequest) -> HttpResponse:
    la = get_object_or_404(LocalAuthority, la_code=str(request.POST.get("la_code", "")))
    _link, token = link_create(
        actor=request.user,
        purpose=PURPOSE,
        la_code=la.la_code,
        object_key=la.la_code,
        label=f"Scoping survey: {la.la_name}"[:120],
    )
    address = request.build_absolute_uri(reverse("links:open", args=[token]))
    response = render(request, "scoping/link_created.html", {"la": la, "address": address})
    response["Cache-Control"] = "no-store"
    return response


@transaction.atomic
def _links_for_all(request: HttpRequest) -> HttpResponse:
    """A link for every LA of the year without an open one, as a CSV to send from (shown once)."""
    year = selectors.survey_view().year
    held = {
        str(link.la_code)
        for link in AnonymousLink.objects.filter(purpose=PURPOSE)
        if link_state(link).value == "open"
    }
    las = LocalAuthority.objects.filter(la_code__in=selectors.alive_codes(year) - held)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["la_code", "la_name", "region_name", "survey_link"])
    for la in las.order_by("region_name", "la_name"):
        _link, token = link_create(
            actor=request.user,
            purpose=PURPOSE,
            la_code=la.la_code,
            object_key=la.la_code,
            label=f"Scoping survey: {la.la_name}"[:120],
        )
        address = request.build_absolute_uri(reverse("links:open", args=[token]))
        writer.writerow([neutralise(v) for v in (la.la_code, la.la_name, la.region_name, address)])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="scoping-survey-links.csv"'
    response["Cache-Control"] = "no-store"
    return response


def offered_frameworks() -> list[str]:
    """The survey's choices: the evaluation's frameworks, common ones, those in the register."""
    names = [
        *selectors.evaluation_frameworks(),
        *KNOWN_FRAMEWORKS,
        *sorted(set(RegisterEpisode.objects.values_list("framework", flat=True))),
    ]
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def _initial(found: ScopingResponse | None, offered: list[str]) -> dict[str, Any]:
    if found is None:
        return {}
    named = [n.strip() for n in found.frameworks.split(";") if n.strip()]
    chosen = [o for o in offered if o.casefold() in {n.casefold() for n in named}]
    other = [n for n in named if n.casefold() not in {c.casefold() for c in chosen}]
    if found.frameworks.strip() == NONE_CHOICE:
        chosen, other = [NONE_CHOICE], []
    return {
        "frameworks": chosen,
        "other": "; ".join(o for o in other if o != NONE_CHOICE),
        **{k: getattr(found, k) for k in ANSWERS},
    }


def _la_of(link: AnonymousLink) -> LocalAuthority:
    if link.la_code is None:
        raise LinkNotFound(link)
    found = LocalAuthority.objects.filter(la_code=link.la_code).first()
    if found is None:
        raise LinkNotFound(link)
    return found


@link_view(PURPOSE)
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, link: AnonymousLink, token: str, /, **_: Any) -> HttpResponse:
    la = _la_of(link)
    found = link_response(str(link.pk))
    if request.method == "GET" and "sent" in request.GET and found is not None:
        context = {"la": la, "response": found, "token": token, **SERVICE}
        return render(request, "scoping/respond_done.html", context)
    offered = offered_frameworks()
    reviewed = found is not None and found.review_status not in ("pending", "query")
    form = SurveyForm(offered=offered, initial=_initial(found, offered))
    if request.method == "POST" and not reviewed:
        form = SurveyForm(request.POST, offered=offered)
        if form.is_valid():
            answers = {k: str(form.cleaned_data[k]) for k in ANSWERS}
            try:
                with transaction.atomic():
                    link_record_use(link)
                    response_give(
                        link_key=str(link.pk),
                        la_code=la.la_code,
                        answers={**answers, "frameworks": form.named()},
                    )
            except ReviewedError:
                reviewed = True
            else:
                return redirect(reverse("scoping:respond", args=[token]) + "?sent=1")
    context = {
        "la": la,
        "form": form,
        "found": found,
        "reviewed": reviewed,
        "token": token,
        **SERVICE,
    }
    status = 409 if reviewed and request.method == "POST" else 400 if form.errors else 200
    return render(request, "scoping/respond.html", context, status=status)
