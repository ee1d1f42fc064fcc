"""Interview pages: the site's fieldwork plan, uploads with the de-identification review.

Every view authorizes first; objects of another LA are 404 (``get_scoped_or_404``). Reading and
coding transcripts needs ``case.view`` on the LA (pseudonymised records, scoped roles with
two-factor sign-in); assigning blind double coding needs ``analysis.run`` on the LA.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csceval.errors import InputError, Problem
from csceval.web.accounts.models import ALL_LAS
from csceval.web.evaluation.models import Site
from csceval.web.interviews import coding, services
from csceval.web.interviews.forms import (
    InterviewForm,
    MissedForm,
    ParticipantForm,
    ShareForm,
    UploadForm,
)
from csceval.web.interviews.models import Interview, Participant, Transcript
from csceval.web.interviews.review import KINDS
from csceval.web.jinja2env import govuk_error_list
from csceval.web.permissions import (
    ROLE_VERBS,
    Verb,
    authorize,
    get_scoped_or_404,
    has_verb,
    scoped_la_codes,
)


def problem_list(problems: list[Problem], href: str = "#main-content") -> list[dict[str, str]]:
    return [{"text": f"{p.message} ({p.code})", "href": href} for p in problems]


def scoped_site(request: HttpRequest, la_code: str, verb: Verb = Verb.CASE_VIEW) -> Site:
    sites = Site.objects.filter(role__in=services.SITE_ROLES)
    return get_scoped_or_404(request.user, verb, sites, la_code=la_code)


def scoped_interview(request: HttpRequest, pk: int) -> Interview:
    return get_scoped_or_404(
        request.user,
        Verb.CASE_VIEW,
        Interview.objects.select_related("site"),
        la_of=lambda i: i.site.la_code,
        pk=pk,
    )


def coders(la_code: str) -> list[tuple[str, str]]:
    """People who may code the site's transcripts (``case.view`` on it, unexpired)."""
    roles = [r for r, verbs in ROLE_VERBS.items() if Verb.CASE_VIEW in verbs]
    users = (
        get_user_model()
        .objects.filter(
            Q(is_superuser=True)
            | Q(
                memberships__role__in=roles,
                memberships__la_code__in=[la_code, ALL_LAS],
                memberships__expires_at__gt=timezone.now(),
            ),
            is_active=True,
        )
        .distinct()
        .order_by("username")
    )
    return [(str(u.pk), u.get_username()) for u in users]


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.CASE_VIEW)
    sites = Site.objects.filter(role__in=services.SITE_ROLES)
    codes = scoped_la_codes(request.user, Verb.CASE_VIEW, sites.values_list("la_code", flat=True))
    return render(request, "interviews/index.html", {"sites": sites.filter(la_code__in=codes)})


def _site_page(request: HttpRequest, site: Site, status: int = 200, **forms: Any) -> HttpResponse:
    points = services.time_points()
    people = coders(site.la_code)
    context = {
        "site": site,
        "interviews": Interview.objects.filter(site=site).select_related("transcript"),
        "participants": Participant.objects.filter(site=site),
        "interview_form": forms.get("interview_form") or InterviewForm(time_points=points),
        "participant_form": forms.get("participant_form") or ParticipantForm(),
        "share_form": forms.get("share_form") or ShareForm(coders=people),
        "can_assign": has_verb(request.user, Verb.ANALYSIS_RUN, site.la_code),
        "problem_list": forms.get("problem_list", []),
        "assigned": request.GET.get("assigned", ""),
    }
    return render(request, "interviews/site.html", context, status=status)


@require_GET
def site(request: HttpRequest, la_code: str) -> HttpResponse:
    return _site_page(request, scoped_site(request, la_code))


@require_POST
def interview_add(request: HttpRequest, la_code: str) -> HttpResponse:
    found = scoped_site(request, la_code)
    form = InterviewForm(request.POST, time_points=services.time_points())
    if form.is_valid():
        try:
            services.interview_add(actor=request.user, site=found, **form.cleaned_data)
        except InputError as exc:
            return _site_page(
                request,
                found,
                400,
                interview_form=form,
                problem_list=problem_list(exc.problems, "#id_interview_id"),
            )
        return redirect("interviews:site", la_code=found.la_code)
    return _site_page(request, found, 400, interview_form=form, problem_list=govuk_error_list(form))


@require_POST
def participant_add(request: HttpRequest, la_code: str) -> HttpResponse:
    found = scoped_site(request, la_code)
    form = ParticipantForm(request.POST)
    if form.is_valid():
        try:
            services.participant_add(
                actor=request.user, site=found, fields=form.participant_fields()
            )
        except InputError as exc:
            return _site_page(
                request,
                found,
                400,
                participant_form=form,
                problem_list=problem_list(exc.problems, "#id_pseudonym"),
            )
        return redirect("interviews:site", la_code=found.la_code)
    return _site_page(
        request, found, 400, participant_form=form, problem_list=govuk_error_list(form)
    )


@require_POST
def assign(request: HttpRequest, la_code: str) -> HttpResponse:
    found = scoped_site(request, la_code, Verb.ANALYSIS_RUN)
    people = coders(found.la_code)
    form = ShareForm(request.POST, coders=people)
    if form.is_valid():
        users = get_user_model().objects.in_bulk(
            [int(form.cleaned_data["first"]), int(form.cleaned_data["second"])]
        )
        transcripts = Transcript.objects.filter(interview__site=found).select_related("interview")
        try:
            chosen = coding.assign_share(
                actor=request.user,
                transcripts=transcripts,
                share=form.cleaned_data["share"],
                first=users[int(form.cleaned_data["first"])],
                second=users[int(form.cleaned_data["second"])],
            )
        except InputError as exc:
            return _site_page(
                request,
                found,
                400,
                share_form=form,
                problem_list=problem_list(exc.problems, "#id_second"),
            )
        return redirect(
            reverse("interviews:site", args=[found.la_code]) + f"?assigned={len(chosen)}"
        )
    return _site_page(request, found, 400, share_form=form, problem_list=govuk_error_list(form))


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, interview_id: int) -> HttpResponse:
    found = scoped_interview(request, interview_id)
    form, problems = UploadForm(), []
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            sent = form.cleaned_data["file"]
            if not request.session.session_key:
                request.session.save()
            try:
                services.upload_start(
                    actor=request.user,
                    session_key=str(request.session.session_key),
                    interview=found,
                    data=sent.read(),
                    filename=sent.name or "",
                )
            except InputError as exc:
                problems = exc.problems
            else:
                return redirect("interviews:review", interview_id=found.pk)
    context = {
        "interview": found,
        "form": form,
        "problems": problems,
        "problem_list": problem_list(problems, "#id_file") or govuk_error_list(form),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "interviews/upload.html", context, status=status)


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, interview_id: int) -> HttpResponse:
    """The proposed redactions: accept or reject each, add missed ones, map speakers, confirm."""
    found = scoped_interview(request, interview_id)
    key = request.session.session_key or ""
    draft = services.draft_of(actor=request.user, session_key=key, interview=found)
    if draft is None:
        return redirect("interviews:upload", interview_id=found.pk)
    problems: list[Problem] = []
    missed = MissedForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "cancel":
            services.upload_cancel(actor=request.user, draft=draft)
            return redirect(reverse("interviews:site", args=[found.la_code]) + "?cancelled=1")
        accepted = {int(v) for v in request.POST.getlist("accept") if v.isdigit()}
        missed = MissedForm(request.POST)
        words = kind = ""
        if missed.is_valid() and missed.cleaned_data["words"]:
            words, kind = missed.cleaned_data["words"], missed.cleaned_data["kind"] or "person"
        services.draft_update(draft=draft, accepted=accepted, words=words, kind=kind)
        if action == "confirm":
            speakers = {
                label: request.POST.get(f"speaker_{n}", "")
                for n, label in enumerate(draft.payload["labels"])
            }
            try:
                transcript = services.upload_confirm(
                    actor=request.user, draft=draft, speakers=speakers
                )
            except InputError as exc:
                problems = exc.problems
            else:
                return redirect("interviews:transcript", transcript_id=transcript.pk)
        else:
            missed = MissedForm()
    texts = services.draft_texts(draft)
    items = [
        {**p, "text": texts[p["turn"] - 1][p["start"] : p["end"]]}
        for p in draft.payload["proposals"]
    ]
    labels = list(enumerate(draft.payload["labels"]))
    choices = [p.pseudonym for p in Participant.objects.filter(site=found.site)]
    context = {
        "interview": found,
        "items": items,
        "turns": draft.payload["turns"],
        "speakers": labels,
        "choices": choices,
        "missed": missed,
        "kinds": KINDS,
        "problem_list": problem_list(problems, "#speakers"),
        "posted": request.POST if problems else {},
    }
    return render(request, "interviews/review.html", context, status=400 if problems else 200)
