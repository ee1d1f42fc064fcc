"""Export pages (every pattern named: the access-matrix test lists them)."""

from __future__ import annotations

from django.urls import path

from csceval.web.exports import views

app_name = "exports"

urlpatterns = [
    path("", views.index, name="index"),
    path("jobs/<int:job_id>/", views.job_detail, name="job"),
    path("jobs/<int:job_id>/download/", views.download, name="download"),
    path("<slug:dataset_id>/", views.export, name="export"),
]
