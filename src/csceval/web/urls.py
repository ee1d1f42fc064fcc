"""URL routes: every page needs a login (LoginRequiredMiddleware) except login, accessibility,
a new person's one-time sign-in link and the pages of anonymous links (``r/``, csceval.web.links).

Strands' web apps are mounted from the registry at their declared prefix.
"""

from __future__ import annotations

from django.urls import include, path

from csceval.registry import registered_strands
from csceval.web.accounts import people_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.GovukLoginView.as_view(), name="login"),
    path("logout/", views.GovukLogoutView.as_view(), name="logout"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/two-factor/set-up/", views.mfa_setup, name="mfa_setup"),
    path("account/two-factor/verify/", views.mfa_verify, name="mfa_verify"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path(
        "account/sign-in-link/<str:uidb64>/<str:token>/",
        people_views.sign_in_link,
        name="sign_in_link",
    ),
    path("people/users/", people_views.person_list, name="person_list"),
    path("people/users/new/", people_views.person_new, name="person_new"),
    path("people/users/<int:user_id>/", people_views.person_detail, name="person_detail"),
    path("", include("csceval.web.evaluation.urls")),
    path("returns/", include("csceval.web.returns.urls")),
    path("exports/", include("csceval.web.exports.urls")),
    path("r/", include("csceval.web.links.urls")),
    *(
        path(s.web.url_prefix, include(s.web.urls))
        for s in registered_strands()
        if s.web is not None
    ),
]
