"""URL routes: every page needs a login (LoginRequiredMiddleware) except login and accessibility."""

from __future__ import annotations

from django.urls import include, path

from csceval.web.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.GovukLoginView.as_view(), name="login"),
    path("logout/", views.GovukLogoutView.as_view(), name="logout"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/two-factor/set-up/", views.mfa_setup, name="mfa_setup"),
    path("account/two-factor/verify/", views.mfa_verify, name="mfa_verify"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("", include("csceval.web.evaluation.urls")),
    path("self-profiles/", include("csceval.web.implementation.urls")),
    path("returns/", include("csceval.web.returns.urls")),
    path("exports/", include("csceval.web.exports.urls")),
    path("case-audits/", include("csceval.web.case_audits.urls")),
]
