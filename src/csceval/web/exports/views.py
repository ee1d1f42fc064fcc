"""Export pages: the dataset list, one dataset's export form (POST queues the export), the
export's progress page and its download.

Every response is ``Cache-Control: no-store`` (SEC-C6); every export is audited when asked for,
made and downloaded (SEC-D1). Who may see a job and download its file:
:mod:`csceval.web.exports.jobs`.
"""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from csceval.errors import InputError
from csceval.web.exports import jobs, registry, services
from csceval.web.exports.forms import ExportForm
from csceval.web.exports.models import ExportJob
from csceval.web.exports.registry import Level
from csceval.web.permissions import Verb, authorize, has_verb

RECENT = 10
"""How many of the user's own recent exports the index lists."""


@never_cache
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not has_verb(request.user, Verb.EXPORT_ROWLEVEL):
        authorize(request.user, Verb.EXPORT_AGGREGATE)
    allowed = [ds for ds in registry.datasets() if has_verb(request.user, services.verb_for(ds))]
    mine = ExportJob.objects.filter(user=request.user)[:RECENT]
    return render(request, "exports/index.html", {"datasets": allowed, "jobs": mine})


@never_cache
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest, dataset_id: str) -> HttpResponse:
    ds = registry.dataset(dataset_id)
    if ds is None:
        raise Http404("No such dataset")
    authorize(request.user, services.verb_for(ds))
    rowlevel = ds.level is Level.ROWLEVEL
    form = ExportForm(request.POST if request.method == "POST" else None, rowlevel=rowlevel)
    if request.method == "POST" and form.is_valid():
        try:
            job = jobs.request_export(
                actor=request.user,
                ds=ds,
                fmt=form.cleaned_data["file_format"],
                deidentified=rowlevel and form.cleaned_data["deidentified"],
                purpose=form.cleaned_data["purpose"],
            )
        except InputError as exc:
            form.add_error(None, exc.problems[0].message)
        else:
            return redirect("exports:job", job_id=job.pk)
    return render(
        request,
        "exports/export.html",
        {"ds": ds, "form": form, "rowlevel": rowlevel},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_GET
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    """The export's progress (the HTMX fragment alone when polled) and, once made, its link."""
    job = jobs.visible_job(request.user, job_id)
    template = "exports/job_progress.html" if request.headers.get("HX-Request") else None
    return render(
        request,
        template or "exports/job.html",
        {"job": job, "ds": registry.dataset(job.dataset), "percent": round(job.progress * 100)},
    )


@never_cache
@require_GET
def download(request: HttpRequest, job_id: int) -> FileResponse:
    """The export's zip, checked and audited now (:func:`jobs.download_file`)."""
    path = jobs.download_file(request.user, jobs.visible_job(request.user, job_id))
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=path.name, content_type="application/zip"
    )
