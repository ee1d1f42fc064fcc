"""URL routes: every page needs a login (LoginRequiredMiddleware) except the login page."""

from __future__ import annotations

from django.urls import path

from csceval.web.accounts import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.GovukLoginView.as_view(), name="login"),
    path("logout/", views.GovukLogoutView.as_view(), name="logout"),
]
