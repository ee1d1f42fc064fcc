"""The evaluators' scoping pages: the register as at a day, an LA's history, episode edits,
the map, survey progress and reminders, review of a response, and upload of responses.

Every page needs ``cross_la.view`` on every site (it compares LAs side by side); every change
needs ``return.review`` on every site (the evaluators' review duty). The register and the
survey are about public bodies, not people: LA counts are shown unsuppressed, as in the
strand's report section.
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from csceval.errors import InputError, Problem
from csceval.formula_injection import neutralise
from csceval.web.accounts.models import ALL_LAS
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.models import LocalAuthority
from csceval.web.permissions import Verb, authorize, has_verb
from csceval.web.scoping import selectors
from csceval.web.scoping.forms import AsAtForm, EpisodeForm, ImportForm, ReviewForm, WithdrawForm
from csceval.web.scoping.imported import sync_imported
from csceval.web.scoping.models import RegisterEpisode, ScopingResponse
from csceval.web.scoping.register import (
    current_episodes,
    episode_add,
    episode_change,
    register_frame,
    register_problems,
)
from csceval.web.scoping.responses import ReviewedError, response_review, responses_upload


def _viewer(request: HttpRequest) -> None:
    authorize(request.user, Verb.CROSS_LA_VIEW, ALL_LAS)
    sync_imported()


def _editor(request: HttpRequest) -> None:
    authorize(request.user, Verb.RETURN_REVIEW, ALL_LAS)
    sync_imported()


def _can_edit(request: HttpRequest) -> bool:
    return has_verb(request.user, Verb.RETURN_REVIEW, ALL_LAS)


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    form = AsAtForm(request.GET if "as_at" in request.GET else None)
    day, history = selectors.default_day(), False
    if form.is_bound and form.is_valid():
        day, history = form.cleaned_data["as_at"], form.cleaned_data["history"]
    view = selectors.register_view(day, history=history)
    if request.GET.get("format") == "csv" and not form.errors:
        return _register_csv(request, view)
    context = {"view": view, "form": form, "can_edit": _can_edit(request)}
    return render(request, "scoping/index.html", context, status=400 if form.errors else 200)


CSV_COLUMNS = (
    "la_code", "la_name", "region_name", "framework", "started", "ended", "precision", "extent",
    "training", "licensing", "source", "confidence", "recorded",
)  # fmt: skip


@transaction.atomic
def _register_csv(request: HttpRequest, view: selectors.RegisterView) -> HttpResponse:
    """The as-at view as CSV: one row per episode shown (an LA with none: one empty row)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in view.rows:
        episodes: list[dict[str, object]] = row["episodes"] or [{}]  # type: ignore[assignment]
        for episode in episodes:
            values = {**episode, **{k: row[k] for k in ("la_code", "la_name", "region_name")}}
            writer.writerow([neutralise(_cell(values.get(c))) for c in CSV_COLUMNS])
    audit_record(
        actor=str(request.user.get_username()),
        action="scoping.register_export",
        object_type="scoping",
        object_id="register",
        new_values={"as_at": view.day.isoformat(), "history": view.history},
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"framework-register-{view.day.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _cell(value: object) -> str:
    return "" if value is None or value != value else str(value)


def _la(la_code: str) -> LocalAuthority:
    return get_object_or_404(LocalAuthority, la_code=la_code)


@require_GET
def la_history(request: HttpRequest, la_code: str) -> HttpResponse:
    _viewer(request)
    la = _la(la_code)
    versions = RegisterEpisode.objects.filter(la_code=la_code).order_by("changed_at", "version")
    context = {
        "la": la,
        "current": current_episodes(la_code).order_by("framework", "started"),
        "versions": versions,
        "responses": ScopingResponse.objects.filter(la_code=la_code).order_by("-received"),
        "can_edit": _can_edit(request),
    }
    return render(request, "scoping/la.html", context)


def _problems(form: EpisodeForm, la_code: str, episode: str | None) -> bool:
    """Check the register with the form's episode in place; add coded errors to the form."""
    frame = register_frame()
    values = {**form.cleaned_data, "la_code": la_code, "episode": episode or "new"}
    if episode is not None:
        frame = frame[frame["episode"] != episode]
    frame.loc[len(frame)] = [values.get(c) for c in frame.columns]
    known = set(LocalAuthority.objects.values_list("la_code", flat=True))
    for message in register_problems(frame, known, episode or "new"):
        form.add_error("started", message)
    return bool(form.errors)


def _values(form: EpisodeForm, la_code: str) -> dict[str, Any]:
    data = {k: v for k, v in form.cleaned_data.items() if k != "reason"}
    return {**data, "la_code": la_code, "framework": data["framework"].strip()}


@require_http_methods(["GET", "POST"])
def episode_new(request: HttpRequest, la_code: str) -> HttpResponse:
    _editor(request)
    la = _la(la_code)
    initial = {"recorded": date.today(), "extent": "unknown", "confidence": "medium"}
    form = EpisodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and not _problems(form, la_code, None):
        episode_add(
            actor=request.user,
            values=_values(form, la_code),
            reason=form.cleaned_data["reason"],
        )
        return redirect("scoping:la", la_code=la_code)
    context = {"la": la, "form": form, "episode": None}
    return render(request, "scoping/episode.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def episode_edit(request: HttpRequest, la_code: str, episode: uuid.UUID) -> HttpResponse:
    _editor(request)
    la = _la(la_code)
    current = get_object_or_404(current_episodes(la_code), episode=episode)
    withdraw = WithdrawForm(prefix="withdraw")
    form = EpisodeForm(initial={**current.register_values(), "reason": ""})
    if request.method == "POST" and request.POST.get("action") == "withdraw":
        withdraw = WithdrawForm(request.POST, prefix="withdraw")
        if withdraw.is_valid():
            episode_change(
                actor=request.user,
                episode=current,
                values=None,
                reason=withdraw.cleaned_data["reason"],
            )
            return redirect("scoping:la", la_code=la_code)
    elif request.method == "POST":
        form = EpisodeForm(request.POST)
        if form.is_valid() and not _problems(form, la_code, str(current.episode)):
            episode_change(
                actor=request.user,
                episode=current,
                values=_values(form, la_code),
                reason=form.cleaned_data["reason"],
            )
            return redirect("scoping:la", la_code=la_code)
    context = {"la": la, "form": form, "episode": current, "withdraw": withdraw}
    bad = form.errors or withdraw.errors
    return render(request, "scoping/episode.html", context, status=400 if bad else 200)


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    default = selectors.last_year() or selectors.year_of(date.today())
    try:
        year = int(request.GET.get("year", default))
    except ValueError:
        year = default
    firsts = LocalAuthority.objects.values_list("first_year", flat=True)
    first = min([*firsts, default])
    year = min(max(year, first), default)
    view = selectors.map_view(year)
    context = {"view": view, "years": list(range(first, default + 1))}
    return render(request, "scoping/map.html", context)


@require_GET
def survey(request: HttpRequest) -> HttpResponse:
    _viewer(request)
    names = dict(LocalAuthority.objects.values_list("la_code", "la_name"))
    waiting = ScopingResponse.objects.filter(review_status__in=["pending", "query"])
    context = {
        "view": selectors.survey_view(),
        "waiting": waiting.order_by("received", "response_id"),
        "names": names,
        "can_edit": _can_edit(request),
        "links_url": reverse("scoping:links"),
    }
    return render(request, "scoping/survey.html", context)


@require_http_methods(["GET", "POST"])
def response(request: HttpRequest, response_id: str) -> HttpResponse:
    _viewer(request)
    found = get_object_or_404(ScopingResponse, response_id=response_id)
    form = ReviewForm()
    changes: list[str] | None = None
    closed = found.review_status not in ("pending", "query")
    if request.method == "POST":
        authorize(request.user, Verb.RETURN_REVIEW, ALL_LAS)
        form = ReviewForm(request.POST)
        if closed:
            form.add_error(None, f"This response has been {found.review_status} already")
        elif form.is_valid():
            try:
                done = response_review(
                    actor=request.user, response=found, decision=form.cleaned_data["decision"]
                )
            except ReviewedError:
                found.refresh_from_db()
                closed = True
                form.add_error(None, f"This response has been {found.review_status} already")
            else:
                found, changes = done.response, done.changes
                form = ReviewForm()
    context = {
        "response": found,
        "la": LocalAuthority.objects.filter(la_code=found.la_code).first(),
        "form": form,
        "changes": changes,
        "can_edit": _can_edit(request),
    }
    status = 409 if closed and request.method == "POST" else 400 if form.errors else 200
    return render(request, "scoping/response.html", context, status=status)


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _editor(request)
    form = ImportForm()
    problems: list[Problem] = []
    added: int | None = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            sent = form.cleaned_data["file"]
            try:
                added = responses_upload(
                    actor=request.user,
                    name=sent.name,
                    content=sent.read(),
                    sheet=form.cleaned_data["sheet"],
                )
            except InputError as exc:
                problems = list(exc.problems)
    context = {
        "form": form,
        "problems": problems,
        "problem_list": [{"text": _problem_text(p), "href": "#id_file"} for p in problems[:20]],
        "added": added,
        "survey_url": reverse("scoping:survey"),
    }
    bad = bool(problems or form.errors)
    return render(request, "scoping/upload.html", context, status=400 if bad else 200)


def _problem_text(problem: Problem) -> str:
    where = ", ".join(
        x for x in (problem.row and f"row {problem.row}", problem.column, problem.cell) if x
    )
    return f"{problem.code}: {where + ': ' if where else ''}{problem.message}"
