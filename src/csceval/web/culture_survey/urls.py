"""Culture-survey routes: evaluator pages, and the respondent pages behind a team's link
(``respond/<token>/...``, reachable without signing in through ``link_view``)."""

from __future__ import annotations

from django.urls import path

from csceval.web.culture_survey import respond, views

app_name = "culture_survey"

urlpatterns = [
    path("", views.index, name="index"),
    path("team/<int:team_id>/link/", views.link_new, name="link_new"),
    path("team/<int:team_id>/close/", views.link_close, name="link_close"),
    path("respond/<str:token>/", respond.start, name="start"),
    path("respond/<str:token>/begin/", respond.begin, name="begin"),
    path("respond/<str:token>/resume/", respond.resume, name="resume"),
    path("respond/<str:token>/check/", respond.check, name="check"),
    path("respond/<str:token>/done/", respond.done, name="done"),
    path("respond/<str:token>/q/<str:name>/", respond.question, name="question"),
    path("<str:la_code>/", views.site, name="site"),
    path("<str:la_code>/teams/", views.team_add, name="team_add"),
]
