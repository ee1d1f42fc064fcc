"""Routes of the evaluation app (mounted at the site root by csceval.web.urls)."""

from __future__ import annotations

from django.urls import path

from csceval.web.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("sites/", views.site_list, name="site_list"),
    path("sites/new/", views.site_edit, name="site_create"),
    path("sites/<str:la_code>/", views.site_detail, name="site_detail"),
    path("sites/<str:la_code>/edit/", views.site_edit, name="site_edit"),
    path("sites/<str:la_code>/benchmarks/", views.site_benchmarks, name="site_benchmarks"),
    path("setup/", views.setup, name="setup"),
    path("analysis/", views.run_list, name="run_list"),
    path("analysis/start/", views.run_start, name="run_start"),
    path("analysis/<int:run_id>/", views.run_detail, name="run_detail"),
    path("analysis/<int:run_id>/files/<path:path>", views.run_report, name="run_file"),
    path("audit/", views.audit_list, name="audit_list"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("people/", views.people, name="people"),
    path("people/<int:membership_id>/remove/", views.membership_remove, name="membership_remove"),
]
