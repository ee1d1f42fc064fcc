"""Export pages: the dataset list and one dataset's export form (POST returns the file).

Every response is ``Cache-Control: no-store`` (SEC-C6); every export is audited (SEC-D1).
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from csceval.errors import InputError
from csceval.web.exports import registry, services
from csceval.web.exports.forms import ExportForm
from csceval.web.exports.registry import Level
from csceval.web.permissions import Verb, authorize, has_verb


@never_cache
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not has_verb(request.user, Verb.EXPORT_ROWLEVEL):
        authorize(request.user, Verb.EXPORT_AGGREGATE)
    allowed = [ds for ds in registry.datasets() if has_verb(request.user, services.verb_for(ds))]
    return render(request, "exports/index.html", {"datasets": allowed})


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
            result = services.export_dataset(
                actor=request.user,
                ds=ds,
                fmt=form.cleaned_data["file_format"],
                deidentified=rowlevel and form.cleaned_data["deidentified"],
                purpose=form.cleaned_data["purpose"],
            )
        except InputError as exc:
            form.add_error(None, exc.problems[0].message)
        else:
            response = HttpResponse(result.data, content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
            return response
    return render(
        request,
        "exports/export.html",
        {"ds": ds, "form": form, "rowlevel": rowlevel},
        status=400 if request.method == "POST" else 200,
    )
