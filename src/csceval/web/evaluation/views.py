"""Pages for the evaluation: sites, set-up, analysis runs and their reports, the audit trail and
people. Every view authorizes with :mod:`csceval.web.permissions` before it reads anything."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import mimetypes
import re
from datetime import datetime, time
from typing import Any

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from csceval.project.settings import AnalysisPlan
from csceval.web.accounts.models import ALL_LAS, Membership
from csceval.web.accounts.services import membership_grant, membership_revoke
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import audit_record
from csceval.web.evaluation.benchmarks import benchmark_page, latest_run
from csceval.web.evaluation.forms import MembershipForm, SetupForm, SiteForm
from csceval.web.evaluation.links import site_links
from csceval.web.evaluation.models import AnalysisRun, EvaluationSetup, Site
from csceval.web.evaluation.runs import public_summary, report_file, run_files, start_run
from csceval.web.exports.safe_cells import safe_cell
from csceval.web.permissions import (
    Verb,
    authorize,
    get_scoped_or_404,
    has_verb,
    may_read_run_file,
    readable_run_files,
    scoped_la_codes,
)


def _actor(request: HttpRequest) -> str:
    return str(request.user.get_username())


# --- sites -------------------------------------------------------------------------------------


@require_GET
def site_list(request: HttpRequest) -> HttpResponse:
    codes = scoped_la_codes(
        request.user, Verb.SITE_VIEW, Site.objects.values_list("la_code", flat=True)
    )
    return render(
        request,
        "evaluation/site_list.html",
        {
            "sites": Site.objects.filter(la_code__in=codes),
            "can_configure": has_verb(request.user, Verb.EVALUATION_CONFIGURE, ALL_LAS),
        },
    )


@require_GET
def site_detail(request: HttpRequest, la_code: str) -> HttpResponse:
    site = get_scoped_or_404(request.user, Verb.SITE_VIEW, Site.objects, la_code=la_code)
    return render(
        request,
        "evaluation/site_detail.html",
        {
            "site": site,
            "links": [
                {
                    "text": "How this LA compares with its neighbours, region and England",
                    "href": reverse("evaluation:site_benchmarks", args=[site.la_code]),
                },
                *site_links(request, site),
            ],
            "can_configure": has_verb(request.user, Verb.EVALUATION_CONFIGURE, ALL_LAS),
        },
    )


@require_GET
def site_benchmarks(request: HttpRequest, la_code: str) -> HttpResponse:
    site = get_scoped_or_404(request.user, Verb.SITE_VIEW, Site.objects, la_code=la_code)
    run = latest_run()
    html = benchmark_page(run, site.la_code) if run else None
    if run is None or html is None:
        return render(request, "evaluation/no_benchmarks.html", {"site": site, "run": run})
    with transaction.atomic():
        audit_record(
            actor=_actor(request),
            action="report.view",
            object_type="site_benchmarks",
            object_id=site.la_code,
            new_values={"analysis_run": run.pk},
        )
    return report_page(html)


@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, la_code: str | None = None) -> HttpResponse:
    authorize(request.user, Verb.EVALUATION_CONFIGURE, ALL_LAS)
    site = get_object_or_404(Site, la_code=la_code) if la_code else None
    old = site.audit_values() if site else None  # before validation changes the instance
    form = SiteForm(request.POST or None, instance=site)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            audit_record(
                actor=_actor(request),
                action="site.update" if site else "site.create",
                object_type="site",
                object_id=saved.la_code,
                old_values=old,
                new_values=saved.audit_values(),
            )
        return redirect("evaluation:site_detail", la_code=saved.la_code)
    return render(request, "evaluation/site_form.html", {"form": form, "site": site})


# --- set-up ------------------------------------------------------------------------------------


def _setup_initial(setup: EvaluationSetup | None) -> dict[str, Any]:
    if setup is None:
        return {}
    s = setup.settings_json
    return {
        "name": s["evaluation"]["name"],
        "frameworks": ", ".join(s["evaluation"]["frameworks"]),
        "price_year": s["evaluation"]["price_year"],
        "first_year": s["periods"]["first_year"],
        "last_year": s["periods"]["last_year"],
        "indicators": s["analysis"]["indicators"],
        "comparators_model": (s.get("comparators") or {}).get("model") or "",
        **_windows_initial(s["analysis"]),
    }


WINDOWS = ("baseline", "followup")


def _windows_initial(analysis: dict[str, Any]) -> dict[str, int]:
    """The windows of ``[analysis]``, or the settings' own defaults (the reference's)."""
    initial: dict[str, int] = {}
    for window in WINDOWS:
        field = AnalysisPlan.model_fields[f"{window}_years"]
        first, last = analysis.get(f"{window}_years") or field.get_default(
            call_default_factory=True
        )
        initial |= {f"{window}_first": first, f"{window}_last": last}
    return initial


@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.EVALUATION_CONFIGURE, ALL_LAS)
    current = EvaluationSetup.current()
    form = SetupForm(request.POST or None, initial=_setup_initial(current))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        old = current.settings_json if current else None
        new = dict(old or {"analysis": {}, "periods": {}, "evaluation": {}})
        new["evaluation"] = {
            **new.get("evaluation", {}),
            "name": data["name"],
            "frameworks": [f.strip() for f in data["frameworks"].split(",") if f.strip()],
            "price_year": data["price_year"],
        }
        new["periods"] = {
            **new.get("periods", {}),
            "first_year": data["first_year"],
            "last_year": data["last_year"],
        }
        new["analysis"] = {
            **new.get("analysis", {}),
            "indicators": data["indicators"],
            **{f"{w}_years": [data[f"{w}_first"], data[f"{w}_last"]] for w in WINDOWS},
        }
        new["comparators"] = {
            **(new.get("comparators") or {}),
            "model": data["comparators_model"] or None,
        }
        with transaction.atomic():
            if current is None:
                EvaluationSetup.objects.create(settings_json=new)
            else:
                current.settings_json = new
                current.save()
            audit_record(
                actor=_actor(request),
                action="evaluation.configure",
                object_type="evaluation",
                object_id="setup",
                old_values=old,
                new_values=new,
            )
        return redirect("evaluation:setup")
    return render(
        request, "evaluation/setup.html", {"form": form, "setup": current, "saved": current}
    )


# --- analysis runs and reports -----------------------------------------------------------------


def _can_see_reports(user: Any) -> bool:
    return has_verb(user, Verb.REPORT_VIEW) or has_verb(user, Verb.ANALYSIS_RUN)


@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    if not _can_see_reports(request.user):
        authorize(request.user, Verb.REPORT_VIEW)
    return render(
        request,
        "evaluation/run_list.html",
        {
            "runs": AnalysisRun.objects.all()[:50],
            "can_run": has_verb(request.user, Verb.ANALYSIS_RUN, ALL_LAS),
            "ready": EvaluationSetup.current() is not None,
        },
    )


@require_POST
def run_start(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.ANALYSIS_RUN, ALL_LAS)
    run = start_run(actor=request.user)
    return redirect("evaluation:run_detail", run_id=run.pk)


@require_GET
def run_detail(request: HttpRequest, run_id: int) -> HttpResponse:
    if not _can_see_reports(request.user):
        authorize(request.user, Verb.REPORT_VIEW)
    run = get_object_or_404(AnalysisRun, pk=run_id)
    run.summary = public_summary(list(run.summary or []))  # runs stored before paths were left out
    template = "evaluation/run_progress.html" if request.headers.get("HX-Request") else None
    return render(
        request,
        template or "evaluation/run_detail.html",
        {
            "run": run,
            "percent": round(run.progress * 100),
            "files": readable_run_files(request.user, run_files(run)),
        },
    )


@require_GET
def run_report(request: HttpRequest, run_id: int, path: str) -> HttpResponse:
    """A run's output file, served by the scope its manifest records: a file the user may not
    read is answered like a missing one (404), so neither its existence nor its LA leaks."""
    authorize(request.user, Verb.REPORT_VIEW)
    run = get_object_or_404(AnalysisRun, pk=run_id)
    found = report_file(run, path)
    if found is None or not may_read_run_file(request.user, found[1]):
        raise Http404("No such report file")
    target, scope = found
    with transaction.atomic():
        audit_record(
            actor=_actor(request),
            action="report.download",
            object_type="analysis_run",
            object_id=str(run.pk),
            new_values={"file": path, **scope.record()},
        )
    if target.suffix == ".html":
        return report_page(target.read_text(encoding="utf-8"))
    content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    response = FileResponse(target.open("rb"), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{target.name}"'
    return response


def report_page(html: str) -> HttpResponse:
    """A report page served under its own CSP (see :func:`report_csp`)."""
    page = HttpResponse(html, content_type="text/html; charset=utf-8")
    page["Content-Security-Policy"] = report_csp(html)
    return page


def report_csp(html: str) -> str:
    """A CSP for a published report: no scripts at all; its own inline styles by hash only."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(style.encode()).digest()).decode() + "'"
        for style in re.findall(r"<style>(.*?)</style>", html, flags=re.DOTALL)
    )
    style_src = hashes or "'none'"
    return (
        f"default-src 'none'; style-src {style_src}; "
        "img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


# --- audit trail -------------------------------------------------------------------------------


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.AUDIT_READ, ALL_LAS)
    page = Paginator(AuditEvent.objects.order_by("-sequence"), 50).get_page(request.GET.get("page"))
    with transaction.atomic():
        audit_record(
            actor=_actor(request),
            action="audit.read",
            object_type="audit_trail",
            new_values={"page": page.number},
        )
    return render(request, "evaluation/audit_list.html", {"page": page})


def _text(value: object) -> object:
    """An audit field as a CSV cell: JSON values as JSON text, other values as they are."""
    return json.dumps(value, sort_keys=True) if isinstance(value, dict | list) else value


class _Echo:
    def write(self, value: str) -> str:
        return value


@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    authorize(request.user, Verb.AUDIT_READ, ALL_LAS)
    with transaction.atomic():
        audit_record(
            actor=_actor(request),
            action="audit.export",
            object_type="audit_trail",
            new_values={"format": "csv", "events": AuditEvent.objects.count()},
        )
    writer = csv.writer(_Echo())
    fields = [
        "sequence",
        "occurred_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "old_values",
        "new_values",
        "previous_hash",
        "hash",
    ]

    def rows() -> Any:
        yield writer.writerow(fields)
        for event in AuditEvent.objects.order_by("sequence").iterator():
            yield writer.writerow([safe_cell(_text(getattr(event, f))) for f in fields])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit_trail.csv"'
    return response


# --- people ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def people(request: HttpRequest) -> HttpResponse:
    authorize(request.user, Verb.MEMBERSHIP_MANAGE, ALL_LAS)
    form = MembershipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = get_user_model().objects.filter(username=data["username"]).first()
        if user is None:
            form.add_error("username", "There is no user with this username")
        else:
            expires = timezone.make_aware(datetime.combine(data["expires_on"], time(23, 59)))
            membership_grant(
                actor=request.user,
                user=user,
                la_code=data["la_code"],
                role=data["role"],
                expires_at=expires,
            )
            return redirect("evaluation:people")
    memberships = Membership.objects.select_related("user").order_by("user__username", "la_code")
    return render(
        request,
        "evaluation/people.html",
        {"form": form, "memberships": memberships, "now": timezone.now()},
    )


@require_POST
def membership_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    authorize(request.user, Verb.MEMBERSHIP_MANAGE, ALL_LAS)
    membership = get_object_or_404(Membership, pk=membership_id)
    membership_revoke(actor=request.user, membership=membership)
    return redirect("evaluation:people")
