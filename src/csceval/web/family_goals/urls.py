"""Family-goal routes (every pattern named: the access-matrix test lists them)."""

from __future__ import annotations

from django.urls import path

from csceval.web.family_goals import parent, views

app_name = "family_goals"

urlpatterns = [
    path("", views.index, name="index"),
    path("family/<int:family_id>/", views.family, name="family"),
    path("family/<int:family_id>/goal/", views.goal_new, name="goal_new"),
    path("family/<int:family_id>/goal/<str:goal>/", views.goal_edit, name="goal_edit"),
    path("family/<int:family_id>/rate/<str:rater>/<int:entry>/", views.rate, name="rate"),
    path("family/<int:family_id>/concordance/", views.concordance, name="concordance"),
    path("family/<int:family_id>/parent-link/", parent.parent_link, name="parent_link"),
    path(
        "family/<int:family_id>/parent-link/withdraw/",
        parent.withdraw_links,
        name="parent_link_withdraw",
    ),
    path("parent/<str:token>/", parent.parent_rate, name="parent_rate"),
    path("parent/<str:token>/done/", parent.parent_done, name="parent_done"),
    path("<str:la_code>/", views.families, name="families"),
    path("<str:la_code>/add/", views.family_add, name="family_add"),
    path(
        "<str:la_code>/imported/<str:time_point>/<str:family>/",
        views.imported_family,
        name="imported_family",
    ),
]
