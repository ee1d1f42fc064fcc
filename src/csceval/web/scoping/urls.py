"""National scoping routes (every pattern named: the access-matrix test lists them)."""

from __future__ import annotations

from django.urls import path

from csceval.web.scoping import survey_views, views

app_name = "scoping"

urlpatterns = [
    path("", views.index, name="index"),
    path("map/", views.map_page, name="map"),
    path("survey/", views.survey, name="survey"),
    path("survey/upload/", views.upload, name="upload"),
    path("survey/responses/<str:response_id>/", views.response, name="response"),
    path("survey/links/", survey_views.links, name="links"),
    path("answer/<str:token>/", survey_views.respond, name="respond"),
    path("las/<str:la_code>/", views.la_history, name="la"),
    path("las/<str:la_code>/episodes/new/", views.episode_new, name="episode_new"),
    path("las/<str:la_code>/episodes/<uuid:episode>/", views.episode_edit, name="episode_edit"),
]
