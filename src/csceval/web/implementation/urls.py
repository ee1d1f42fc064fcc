"""Self-profile routes (every pattern named: the access-matrix test lists them)."""

from __future__ import annotations

from django.urls import path

from csceval.web.implementation import views

app_name = "implementation"

urlpatterns = [
    path("", views.index, name="index"),
    path("<str:la_code>/<str:time_point>/", views.profile, name="profile"),
    path("<str:la_code>/<str:time_point>/review/", views.review, name="review"),
]
