"""Error pages in the service's design (issue 15 item 4): 403, 404, 405 and 500 each a full page
with the service's name and no GOV.UK crown or logotype; 405 is no longer a blank page."""

from __future__ import annotations

import pytest
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import include, path
from web_helpers import make_user, sign_in

from csceval.web.accounts.models import Role

pytestmark = pytest.mark.django_db
PAGE_405 = "csceval.web.access.MethodNotAllowedPageMiddleware"


def _boom(request):
    raise RuntimeError("internals")


urlpatterns = [path("boom/", login_not_required(_boom)), path("", include("csceval.web.urls"))]


@pytest.fixture
def with_405_page(settings) -> None:
    """The 405 page's middleware where settings.py lists it: after the CSP middleware."""
    if PAGE_405 not in settings.MIDDLEWARE:
        at = settings.MIDDLEWARE.index("csp.middleware.CSPMiddleware") + 1
        settings.MIDDLEWARE = [*settings.MIDDLEWARE[:at], PAGE_405, *settings.MIDDLEWARE[at:]]


def _is_service_page(html: str) -> None:
    assert "govuk-template" in html
    assert "govuk-service-navigation__service-name" in html
    assert "govuk-header__logotype" not in html
    assert "govuk-footer__crown" not in html
    assert "Crown copyright" not in html
    assert "govuk-logo" not in html


@pytest.mark.usefixtures("with_405_page")
def test_a_refused_method_gets_the_405_page_with_its_allow_header(client: Client) -> None:
    sign_in(client, make_user("cora", ("201", Role.LA_COORDINATOR)))
    response = client.get("/logout/")
    assert response.status_code == 405
    assert "POST" in response["Allow"]
    html = response.content.decode()
    assert "This page cannot be used that way" in html
    assert "Sign out" in html
    _is_service_page(html)
    assert "Content-Security-Policy" in response


def test_403_and_404_pages_are_service_pages_with_sign_out(client: Client) -> None:
    sign_in(client, make_user("cora", ("201", Role.LA_COORDINATOR)))
    forbidden = client.get("/audit/")
    assert forbidden.status_code == 403
    missing = client.get("/sites/999/")
    assert missing.status_code == 404
    for response in (forbidden, missing):
        html = response.content.decode()
        _is_service_page(html)
        assert 'id="sign-out"' in html


@pytest.mark.urls(__name__)
def test_the_500_page_is_a_service_page(settings) -> None:
    settings.DEBUG = False
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    _is_service_page(response.content.decode())
