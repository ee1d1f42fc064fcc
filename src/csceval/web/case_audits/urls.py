"""Case-audit routes (every pattern named: the access-matrix test lists them)."""

from __future__ import annotations

from django.urls import path

from csceval.web.case_audits import views

app_name = "case_audits"

urlpatterns = [
    path("", views.index, name="index"),
    path("case/<int:case_id>/", views.case, name="case"),
    path("case/<int:case_id>/compare/", views.compare, name="compare"),
    path("case/<int:case_id>/reconcile/", views.reconcile, name="reconcile"),
    path("case/<int:case_id>/replace/", views.replace, name="replace"),
    path("<str:la_code>/draw/", views.draw, name="draw"),
    path("<str:la_code>/<str:time_point>/", views.tasks, name="tasks"),
    path("<str:la_code>/<str:time_point>/sample.csv", views.sample_csv, name="sample_csv"),
    path("<str:la_code>/<str:time_point>/drawn/", views.drawn, name="drawn"),
]
