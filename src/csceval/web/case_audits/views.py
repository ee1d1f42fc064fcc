"""Case-audit pages: sample drawing, task list, one case at a time, comparison, reconciliation.

Every view authorizes first; objects of another LA are 404 (``get_scoped_or_404``). Viewing a
case page or its comparison is audited as ``case.view``.
"""

from __future__ import annotations

import csv
import io
import secrets
from typing import Any

from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csceval.errors import InputError, Problem
from csceval.strands.quality_of_recording.instrument import NA
from csceval.strands.quality_of_recording.sampling import REASONS
from csceval.web.audit_trail.services import audit_record
from csceval.web.case_audits import services
from csceval.web.case_audits.forms import RatingForm, SampleForm, choices
from csceval.web.case_audits.imported import imported_samples
from csceval.web.case_audits.models import CaseSample, SampledCase
from csceval.web.evaluation.models import Site
from csceval.web.permissions import Verb, authorize, get_scoped_or_404, has_verb, scoped_la_codes


def _problem_list(problems: list[Problem], href: str) -> list[dict[str, str]]:
    out = []
    for p in problems:
        where = ", ".join(
            x
            for x in (
                p.sheet and f"sheet '{p.sheet}'",
                p.cell or (p.row and f"row {p.row}"),
                p.column and f"column '{p.column}'",
            )
            if x
        )
        text = f"{where}: {p.message}" if where else p.message
        out.append({"text": f"{text} ({p.code})", "href": href})
    return out


def _case(request: HttpRequest, verb: Verb, case_id: int) -> SampledCase:
    return get_scoped_or_404(
        request.user,
        verb,
        SampledCase.objects.select_related("sample__site"),
        la_of=lambda c: c.sample.site.la_code,
        pk=case_id,
    )


def _sample(
    request: HttpRequest, la_code: str, time_point: str, verb: Verb = Verb.CASE_VIEW
) -> CaseSample:
    return get_scoped_or_404(
        request.user,
        verb,
        CaseSample.objects.select_related("site"),
        la_of=lambda s: s.site.la_code,
        site__la_code=la_code,
        time_point=time_point,
    )


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.SITE_VIEW)
    all_codes = list(Site.objects.values_list("la_code", flat=True))
    viewable = scoped_la_codes(request.user, Verb.CASE_VIEW, all_codes)
    drawable = scoped_la_codes(request.user, Verb.RETURN_EDIT, all_codes)
    samples = CaseSample.objects.select_related("site").filter(site__la_code__in=viewable)
    sites = Site.objects.filter(la_code__in=drawable)
    drawn = CaseSample.objects.select_related("site").filter(site__la_code__in=drawable)
    names = dict(Site.objects.values_list("la_code", "name"))
    context = {
        "samples": samples,
        "sites": sites,
        "drawn": drawn,
        "just_drawn": request.GET.get("drawn") == "1",
        "imported": imported_samples(sorted(set(viewable) | set(drawable))),
        "site_names": names,
    }
    return render(request, "case_audits/index.html", context)


@require_GET
def drawn(request: HttpRequest, la_code: str, time_point: str) -> HttpResponse:
    """How a sample was drawn, for the LA coordinator who drew it (no pseudonyms, no ratings)."""
    sample = _sample(request, la_code, time_point, Verb.RETURN_EDIT)
    cases = list(sample.cases.all())
    context = {
        "sample": sample,
        "in_play": sum(1 for c in cases if c.in_play),
        "reserves": sum(1 for c in cases if c.status == "reserve"),
        "strata": sorted({c.stratum for c in cases}),
        "can_view_cases": has_verb(request.user, Verb.CASE_VIEW, la_code),
    }
    return render(request, "case_audits/drawn.html", context)


@csrf_exempt  # only so the upload handlers can be set; _draw checks the token (csrf_protect)
@require_http_methods(["GET", "POST"])
def draw(request: HttpRequest, la_code: str) -> HttpResponse:
    """Keep the uploaded case list in memory only: it holds the LA's case ids.

    Django writes uploads above ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file; with the
    memory handler alone, a larger upload is dropped instead (and the form asks for a file).
    """
    request.upload_handlers = [MemoryFileUploadHandler(request)]
    return _draw(request, la_code)


@csrf_protect
def _draw(request: HttpRequest, la_code: str) -> HttpResponse:
    site = get_scoped_or_404(request.user, Verb.RETURN_EDIT, Site.objects.all(), la_code=la_code)
    points = services.time_points()
    problems: list[Problem] = []
    if request.method == "POST":
        form = SampleForm(request.POST, request.FILES, time_points=points)
        if form.is_valid():
            data = form.cleaned_data
            seed = data["seed"] if data["seed"] is not None else secrets.randbelow(2**31)
            try:
                sample = services.draw(
                    actor=request.user,
                    site=site,
                    time_point=data["time_point"],
                    file_name=data["file"].name,
                    content=data["file"].read(),
                    key=data["key"],
                    n=data["n"],
                    allocation=data["allocation"],
                    second_share=data["second_share"],
                    seed=seed,
                )
            except InputError as exc:
                problems = [p for p in exc.problems if p.severity != "warning"]
            else:
                if has_verb(request.user, Verb.CASE_VIEW, la_code):
                    return redirect(
                        "case_audits:tasks", la_code=la_code, time_point=sample.time_point
                    )
                return redirect(reverse("case_audits:index") + "?drawn=1")
    else:
        form = SampleForm(time_points=points)
    key_problem = any(p.code == "CSC-E3201" for p in problems)
    return render(
        request,
        "case_audits/draw.html",
        {
            "site": site,
            "form": form,
            "problems": problems,
            "problem_list": _problem_list(problems, "#id_key" if key_problem else "#id_file"),
        },
        status=400 if problems or form.errors else 200,
    )


@require_GET
def tasks(request: HttpRequest, la_code: str, time_point: str) -> HttpResponse:
    sample = _sample(request, la_code, time_point)
    can_audit = has_verb(request.user, Verb.CASE_AUDIT, la_code)
    rows = []
    cases = sample.cases.select_related("sample__site").prefetch_related(
        "ratings__answers", "reconciled"
    )
    for case in cases:
        if not case.in_play:
            continue
        rows.append(_task(request, case, can_audit))
    strata = sorted({c.stratum for c in sample.cases.all()})
    return render(
        request,
        "case_audits/tasks.html",
        {"sample": sample, "rows": rows, "can_audit": can_audit, "strata": strata},
    )


TAGS = {
    services.NOT_STARTED: "govuk-tag--grey",
    services.IN_PROGRESS: "govuk-tag--light-blue",
    services.RECONCILE: "govuk-tag--yellow",
    services.COMPLETED: "govuk-tag--green",
}


def _task(request: HttpRequest, case: SampledCase, can_audit: bool) -> dict[str, Any]:
    """One task-list row: what the user can do with the case, and its status.

    Second raters see a case flagged for a second rating once its first rating exists; nobody
    sees the other rater's answers before both ratings are completed.
    """
    st = services.state(case)
    mine, kind = services.slot(case, request.user) if can_audit else (None, None)
    href, hint = "", ""
    if st.status in (services.RECONCILE, services.COMPLETED) and st.second is not None:
        href = reverse("case_audits:compare", args=[case.pk])
        hint = f"{st.open_items} item(s) to agree" if st.open_items else "Ratings compared"
    elif mine is not None:
        href = reverse("case_audits:case", args=[case.pk])
        hint = "Your blind second rating" if kind == "second" else "Your rating"
        if mine.completed:
            hint += " is completed"
    elif kind == "first":
        href = reverse("case_audits:case", args=[case.pk])
    elif kind == "second":
        href = reverse("case_audits:case", args=[case.pk])
        hint = "Needs a blind second rating by another auditor"
    status = st.status
    if mine is None and kind == "second":
        status = services.NOT_STARTED
    return {
        "title": {"text": f"Case {case.pseudonym} ({case.stratum})"},
        "href": href or None,
        "hint": {"text": hint} if hint else None,
        "status": {"tag": {"text": status, "classes": TAGS[status]}},
    }


@require_GET
def sample_csv(request: HttpRequest, la_code: str, time_point: str) -> HttpResponse:
    """The sample's pseudonyms, strata and statuses (the LA re-identifies them with its key)."""
    sample = _sample(request, la_code, time_point)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["pseudonym", "stratum", "drawn_rank", "status", "seed", "case_list_sha256"])
    for c in sample.cases.all():
        writer.writerow(
            [c.pseudonym, c.stratum, c.drawn_rank, c.status, sample.seed, sample.case_list_sha256]
        )
    with transaction.atomic():
        audit_record(
            actor=request.user.get_username(),
            action="case_sample.download",
            object_type="case_sample",
            object_id=f"{la_code}/{time_point}",
            new_values={"rows": sample.cases.count(), "level": "pseudonymised"},
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"case-sample-{la_code}-{time_point}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _rating_page(
    request: HttpRequest, case: SampledCase, form: RatingForm, **extra: Any
) -> dict[str, Any]:
    rating, kind = services.slot(case, request.user)
    return {
        "case": case,
        "sample": case.sample,
        "form": form,
        "instrument": form.instrument,
        "rating": rating,
        "kind": kind,
        "choices": choices,
        "NA": NA,
        "reasons": REASONS,
        "replaceable": not case.ratings.exists(),
        **extra,
    }


@require_http_methods(["GET", "POST"])
def case(request: HttpRequest, case_id: int) -> HttpResponse:
    found = _case(request, Verb.CASE_AUDIT, case_id)
    if not found.in_play:
        raise Http404("This case is not in the sample")
    instrument = services.instrument_of(found.sample)
    rating, _ = services.slot(found, request.user)
    if request.method == "POST":
        complete = request.POST.get("action") == "complete"
        form = RatingForm(request.POST, instrument=instrument, completing=complete)
        if form.is_valid():
            try:
                services.save_rating(
                    actor=request.user, case=found, answers=form.answers(), complete=complete
                )
            except InputError as exc:
                services.record_view(actor=request.user, case=found, page="rating")
                context = _rating_page(request, found, form, refused=exc.problems)
                return render(request, "case_audits/case.html", context, status=409)
            if complete:
                return redirect(
                    "case_audits:tasks", la_code=found.la_code, time_point=found.sample.time_point
                )
            return redirect(reverse("case_audits:case", args=[found.pk]) + "?saved=1")
    else:
        form = RatingForm(initial=_initial(rating), instrument=instrument)
    services.record_view(actor=request.user, case=found, page="rating")
    context = _rating_page(request, found, form, saved=request.GET.get("saved") == "1")
    return render(request, "case_audits/case.html", context, status=400 if form.errors else 200)


def _initial(rating: Any) -> dict[str, str]:
    return {f"item_{k}": v for k, v in rating.values().items()} if rating is not None else {}


def _compare_context(request: HttpRequest, found: SampledCase, **extra: Any) -> dict[str, Any]:
    instrument = services.instrument_of(found.sample)
    st = services.state(found)
    rows = [
        {
            "item": instrument.item(item)[1],
            "scale": instrument.item(item)[2],
            "first": first,
            "second": second,
            "agreed": agreed,
        }
        for item, first, second, agreed in services.disagreements(found)
    ]
    return {
        "case": found,
        "sample": found.sample,
        "state": st,
        "rows": rows,
        "choices": choices,
        "can_reconcile": has_verb(request.user, Verb.CASE_AUDIT, found.la_code),
        "problem_list": [],
        **extra,
    }


@require_POST
def replace(request: HttpRequest, case_id: int) -> HttpResponse:
    """Replace a case file that cannot be audited by the next reserve case of its stratum."""
    found = _case(request, Verb.CASE_AUDIT, case_id)
    if not found.in_play:
        raise Http404("This case is not in the sample")
    reason = request.POST.get("reason", "")
    try:
        new_case = services.replace(actor=request.user, case=found, reason=reason)
    except InputError as exc:
        instrument = services.instrument_of(found.sample)
        services.record_view(actor=request.user, case=found, page="rating")
        form = RatingForm(
            initial=_initial(services.slot(found, request.user)[0]), instrument=instrument
        )
        context = _rating_page(request, found, form, refused=exc.problems)
        return render(request, "case_audits/case.html", context, status=400)
    return redirect("case_audits:case", case_id=new_case.pk)


@require_GET
def compare(request: HttpRequest, case_id: int) -> HttpResponse:
    found = _case(request, Verb.CASE_VIEW, case_id)
    services.record_view(actor=request.user, case=found, page="comparison")
    return render(request, "case_audits/compare.html", _compare_context(request, found))


@require_POST
def reconcile(request: HttpRequest, case_id: int) -> HttpResponse:
    found = _case(request, Verb.CASE_AUDIT, case_id)
    open_items = [item for item, *_ in services.disagreements(found)]
    agreed = {i: request.POST[f"agreed_{i}"] for i in open_items if request.POST.get(f"agreed_{i}")}
    problems: list[Problem] = []
    missing = [i for i in open_items if i not in agreed]
    if open_items and missing:
        problems = [Problem("CSC-E6204", "select the agreed answer", column=i) for i in missing]
    else:
        try:
            services.reconcile(actor=request.user, case=found, agreed=agreed)
        except InputError as exc:
            problems = exc.problems
    if problems:
        services.record_view(actor=request.user, case=found, page="comparison")
        errors = [
            {"text": f"{p.message} ({p.code})", "href": f"#agreed_{p.column}" if p.column else "#"}
            for p in problems
        ]
        context = _compare_context(request, found, problem_list=errors)
        return render(request, "case_audits/compare.html", context, status=400)
    return redirect("case_audits:compare", case_id=found.pk)
