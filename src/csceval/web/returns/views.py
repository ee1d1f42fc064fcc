"""Return pages. Every view authorises first (SEC-A1); another LA's return is a 404 (SEC-A2).

Pages work without JavaScript: plain forms that POST (with CSRF) and redirect, GOV.UK error
summaries linking to the field at fault, and the task-list pattern on a return's page.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csceval.errors import InputError, Problem
from csceval.web.evaluation.models import Site
from csceval.web.permissions import Verb, authorize, get_scoped_or_404, has_verb, scoped_la_codes
from csceval.web.returns import services
from csceval.web.returns.forms import CommentForm, ReviewForm, StartForm, UnlockForm, UploadForm
from csceval.web.returns.layout import CATEGORY_BY_ID, return_indicators
from csceval.web.returns.models import PilotReturn, Status
from csceval.web.returns.template import build_template

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _return(request: HttpRequest, verb: Verb, pk: int) -> PilotReturn:
    return get_scoped_or_404(
        request.user,
        verb,
        PilotReturn.objects.select_related("site"),
        la_of=lambda r: r.site.la_code,
        pk=pk,
    )


def _site(request: HttpRequest, verb: Verb, la_code: str) -> Site:
    authorize(request.user, verb, la_code)
    site = Site.objects.filter(la_code=la_code).first()
    if site is None:
        raise Http404("No such site")
    return site


def _can(request: HttpRequest, ret: PilotReturn) -> dict[str, bool]:
    la = ret.la_code
    return {
        "edit": has_verb(request.user, Verb.RETURN_EDIT, la),
        "review": has_verb(request.user, Verb.RETURN_REVIEW, la),
        "unlock": has_verb(request.user, Verb.EVALUATION_CONFIGURE, la),
    }


def _problem_list(problems: list[Problem], href: str) -> list[dict[str, str]]:
    out = []
    for p in problems:
        where = ", ".join(x for x in (p.sheet and f"sheet '{p.sheet}'", p.cell and p.cell) if x)
        text = f"{where}: {p.message}" if where else p.message
        out.append({"text": text, "href": href})
    return out


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.SITE_VIEW)
    codes = scoped_la_codes(
        request.user, Verb.SITE_VIEW, Site.objects.values_list("la_code", flat=True)
    )
    sites = Site.objects.filter(la_code__in=codes).prefetch_related("returns")
    return render(request, "returns/index.html", {"sites": sites})


@require_GET
def site(request: HttpRequest, la_code: str) -> HttpResponse:
    the_site = _site(request, Verb.SITE_VIEW, la_code)
    can_start = has_verb(request.user, Verb.RETURN_EDIT, la_code)
    return render(
        request,
        "returns/site.html",
        {
            "site": the_site,
            "returns": the_site.returns.all(),
            "form": StartForm() if can_start else None,
        },
    )


@require_POST
def start(request: HttpRequest, la_code: str) -> HttpResponse:
    the_site = _site(request, Verb.RETURN_EDIT, la_code)
    form = StartForm(request.POST)
    if form.is_valid():
        try:
            ret = services.start_return(
                actor=request.user, site=the_site, year=form.cleaned_data["year"]
            )
        except InputError as exc:
            form.add_error("year", exc.problems[0].message)
        else:
            return redirect("returns:detail", pk=ret.pk)
    return render(
        request,
        "returns/site.html",
        {"site": the_site, "returns": the_site.returns.all(), "form": form},
    )


def _tasks(ret: PilotReturn, can: dict[str, bool]) -> list[dict[str, Any]]:
    from django.urls import reverse

    n_values = ret.indicator_values.count()
    n_costs = ret.costs.count()
    done = {"tag": {"text": "Completed", "classes": "govuk-tag--green"}}
    todo = {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}}
    submitted = ret.status not in (Status.DRAFT, Status.HAS_ISSUES)
    check: dict[str, Any]
    if submitted:
        check = {"tag": {"text": ret.get_status_display(), "classes": "govuk-tag--green"}}
    elif n_values or n_costs:
        check = {"tag": {"text": "Not yet started", "classes": "govuk-tag--blue"}}
    else:
        check = {"text": "Cannot start yet", "classes": "govuk-task-list__status--cannot-start-yet"}
    return [
        {
            "title": {"text": "Key indicators"},
            "hint": {"text": f"{n_values} of {len(return_indicators())} indicators given"},
            "href": reverse("returns:indicators", args=[ret.pk]),
            "status": done if n_values else todo,
        },
        {
            "title": {"text": "Costs"},
            "hint": {"text": f"{n_costs} cost lines"},
            "href": reverse("returns:costs", args=[ret.pk]),
            "status": done if n_costs else todo,
        },
        {
            "title": {"text": "Check and submit"},
            "href": reverse("returns:submit", args=[ret.pk])
            if can["edit"] and not submitted and (n_values or n_costs)
            else None,
            "status": check,
        },
    ]


def _detail_page(
    request: HttpRequest, ret: PilotReturn, problems: list[Problem] | None = None
) -> HttpResponse:
    """The return's page (task list, comments), with the problems of a refused action if any."""
    can = _can(request, ret)
    context = {
        "ret": ret,
        "can": can,
        "tasks": _tasks(ret, can),
        "comments": ret.comments.all(),
        "comment_form": CommentForm() if can["edit"] or can["review"] else None,
        "comment_url": _comment_url(ret, can),
    }
    if problems:
        context["problem_list"] = _problem_list(problems, "#actions")
    return render(request, "returns/detail.html", context, status=400 if problems else 200)


@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, _return(request, Verb.SITE_VIEW, pk))


@require_GET
def template(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, Verb.RETURN_EDIT, pk)
    data = build_template(la_code=ret.la_code, la_name=ret.site.name, year=ret.year)
    services.record_template_download(
        actor=request.user, ret=ret, sha256=hashlib.sha256(data).hexdigest()
    )
    response = HttpResponse(data, content_type=XLSX_TYPE)
    name = f"csceval-return-{ret.la_code}-{ret.period}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, Verb.RETURN_EDIT, pk)
    problems: list[Problem] = []
    form = UploadForm()
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        sent = request.FILES.get("file")
        if not form.is_valid() and sent is not None:
            services.audit_refused_file(
                actor=request.user,
                ret=ret,
                filename=sent.name or "",
                size=sent.size or 0,
                why="; ".join(form.errors.get("file", [])),
            )
        elif form.is_valid():
            file = form.cleaned_data["file"]
            try:
                parsed = services.upload(
                    actor=request.user, ret=ret, data=file.read(), filename=file.name
                )
            except InputError as exc:
                problems = exc.problems
            else:
                if not parsed.problems:
                    return redirect(reverse("returns:detail", args=[ret.pk]) + "?uploaded=1")
                problems = parsed.problems
    status = 200 if request.method == "GET" or not (problems or form.errors) else 400
    return render(
        request,
        "returns/upload.html",
        {
            "ret": ret,
            "form": form,
            "problems": problems,
            "problem_list": _problem_list(problems, "#id_file"),
            "editable": ret.status in (Status.DRAFT, Status.HAS_ISSUES),
        },
        status=status,
    )


@require_GET
def indicators(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, Verb.SITE_VIEW, pk)
    given = {v.indicator: format(v.value.normalize(), "f") for v in ret.indicator_values.all()}
    rows = [(i, given.get(i.id)) for i in return_indicators()]
    return render(
        request, "returns/indicators.html", {"ret": ret, "rows": rows, "can": _can(request, ret)}
    )


@require_GET
def costs(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, Verb.SITE_VIEW, pk)
    lines = list(ret.costs.all())
    labels = {k: v.label for k, v in CATEGORY_BY_ID.items()}
    total = sum((line.total or 0) for line in lines)
    return render(
        request,
        "returns/costs.html",
        {"ret": ret, "lines": lines, "labels": labels, "total": total, "can": _can(request, ret)},
    )


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, Verb.RETURN_EDIT, pk)
    problems: list[Problem] = []
    if request.method == "POST":
        try:
            services.submit(actor=request.user, ret=ret)
        except InputError as exc:
            problems = exc.problems
        else:
            return redirect("returns:detail", pk=ret.pk)
    return render(
        request,
        "returns/submit.html",
        {
            "ret": ret,
            "n_values": ret.indicator_values.count(),
            "n_costs": ret.costs.count(),
            "problem_list": _problem_list(problems, "#submit"),
        },
        status=400 if problems else 200,
    )


@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, Verb.RETURN_REVIEW, pk)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.review(
                actor=request.user,
                ret=ret,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except InputError as exc:
            problems = exc.problems
        else:
            return redirect("returns:detail", pk=ret.pk)
    invalid = request.method == "POST"
    return render(
        request,
        "returns/review.html",
        {"ret": ret, "form": form, "problem_list": _problem_list(problems, "#decision")},
        status=400 if invalid else 200,
    )


@require_POST
def lock(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, Verb.RETURN_REVIEW, pk)
    try:
        services.lock(actor=request.user, ret=ret)
    except InputError as exc:
        return _refused(request, ret, exc)
    return redirect("returns:detail", pk=ret.pk)


@require_http_methods(["GET", "POST"])
def unlock(request: HttpRequest, pk: int) -> HttpResponse:
    ret = _return(request, Verb.EVALUATION_CONFIGURE, pk)
    form = UnlockForm(request.POST if request.method == "POST" else None)
    problems: list[Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.unlock(actor=request.user, ret=ret, reason=form.cleaned_data["reason"])
        except InputError as exc:
            problems = exc.problems
        else:
            return redirect("returns:detail", pk=ret.pk)
    return render(
        request,
        "returns/unlock.html",
        {"ret": ret, "form": form, "problem_list": _problem_list(problems, "#reason")},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment by the LA (``return.edit``)."""
    return _comment(request, _return(request, Verb.RETURN_EDIT, pk))


@require_POST
def review_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment by a reviewer (``return.review``)."""
    return _comment(request, _return(request, Verb.RETURN_REVIEW, pk))


def _comment(request: HttpRequest, ret: PilotReturn) -> HttpResponse:
    can = _can(request, ret)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.add_comment(actor=request.user, ret=ret, text=form.cleaned_data["text"])
        return redirect("returns:detail", pk=ret.pk)
    return render(
        request,
        "returns/detail.html",
        {
            "ret": ret,
            "can": can,
            "tasks": _tasks(ret, can),
            "comments": ret.comments.all(),
            "comment_form": form,
            "comment_url": _comment_url(ret, can),
        },
        status=400,
    )


def _comment_url(ret: PilotReturn, can: dict[str, bool]) -> str | None:
    """Where the comment form posts: the LA's route, or the reviewers' (None: no form)."""
    from django.urls import reverse

    if can["edit"]:
        return reverse("returns:comment", args=[ret.pk])
    if can["review"]:
        return reverse("returns:review_comment", args=[ret.pk])
    return None


def _refused(request: HttpRequest, ret: PilotReturn, exc: InputError) -> HttpResponse:
    return _detail_page(request, ret, exc.problems)
