"""Return pages (every pattern named: the access-matrix test lists them)."""

from __future__ import annotations

from django.urls import path

from csceval.web.returns import views

app_name = "returns"

urlpatterns = [
    path("", views.index, name="index"),
    path("site/<str:la_code>/", views.site, name="site"),
    path("site/<str:la_code>/start/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/template.xlsx", views.template, name="template"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/indicators/", views.indicators, name="indicators"),
    path("<int:pk>/costs/", views.costs, name="costs"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/lock/", views.lock, name="lock"),
    path("<int:pk>/unlock/", views.unlock, name="unlock"),
    path("<int:pk>/comment/", views.comment, name="comment"),
    path("<int:pk>/review-comment/", views.review_comment, name="review_comment"),
]
