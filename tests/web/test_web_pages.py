"""Pages: login (audited), home, logout, layout, accessibility statement, error pages, summaries."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.test import Client
from django.urls import path
from django.utils import timezone

from csceval.web.accounts.models import Role
from csceval.web.accounts.services import membership_grant
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def user():
    return get_user_model().objects.create_user("carol", password=PASSWORD)


def test_login_page_is_public_and_govuk_styled(client: Client) -> None:
    response = client.get("/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "govuk-template" in html
    assert re.search(r"/assets/govuk/govuk-frontend\.min\.[0-9a-f]{12}\.css", html)  # hashed
    assert 'name="csrfmiddlewaretoken"' in html
    assert "Sign in" in html


@pytest.mark.parametrize("path", ["/", "/logout/"])
def test_every_other_page_requires_login(client: Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_login_success_is_audited_and_home_lists_memberships(client: Client, user) -> None:
    membership_grant(
        actor=None,
        user=user,
        la_code="919",
        role=Role.VIEWER,
        expires_at=timezone.now() + timedelta(days=5),
    )
    response = client.post("/login/", {"username": "carol", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == "carol"
    home = client.get("/").content.decode()
    assert "919" in home
    assert "Viewer" in home
    assert "no current access" not in home


def test_home_with_no_membership_shows_nothing(client: Client, user) -> None:
    client.force_login(user)
    home = client.get("/").content.decode()
    assert "no current access" in home
    assert "govuk-table" not in home


def test_login_failure_is_audited_without_the_password(client: Client, user) -> None:
    response = client.post("/login/", {"username": "carol", "password": "wrong-password-xyz"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.new_values["username"] == "carol"
    assert "wrong-password-xyz" not in event.canonical_json()
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    assert verify_chain() == []


def test_empty_login_form_shows_govuk_errors(client: Client) -> None:
    html = client.post("/login/", {"username": "", "password": ""}).content.decode()
    assert "Enter your username" in html
    assert "Enter your password" in html
    assert "govuk-error-summary" in html


def test_logout_is_post_only_and_audited(client: Client, user) -> None:
    client.force_login(user)
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor="carol").exists()
    assert client.get("/").status_code == 302


def test_accessibility_statement_is_public_and_linked_from_every_footer(client: Client) -> None:
    page = client.get("/accessibility/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "WCAG" in html
    assert "2.2" in html
    assert "Enforcement procedure" in html
    login = client.get("/login/").content.decode()
    footer = login[login.index("<footer") :]
    assert 'href="/accessibility/"' in footer


def test_layout_has_skip_link_phase_banner_and_language(client: Client) -> None:
    html = client.get("/login/").content.decode()
    assert 'href="#main-content"' in html
    assert 'id="main-content"' in html
    assert "govuk-phase-banner" in html
    assert '<html lang="en-GB"' in html


def test_navigation_follows_permissions_and_is_safe_when_empty(client: Client, user) -> None:
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "govuk-service-navigation" in html
    assert "Your access" in html
    assert ">Audit trail<" not in html  # no membership: no links beyond the user's own page


def test_unknown_page_gets_the_govuk_404_page(client: Client, user) -> None:
    client.force_login(user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "govuk-template" in html


def _boom(request):
    raise RuntimeError("secret internals: /srv/app/settings.py line 12")


urlpatterns = [path("boom/", login_not_required(_boom))]


@pytest.mark.urls(__name__)
def test_server_error_page_shows_no_stack_trace(settings) -> None:
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Sorry, there is a problem with the service" in html
    assert "secret internals" not in html
    assert "Traceback" not in html


def test_csrf_failure_is_a_govuk_page() -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()


@pytest.mark.parametrize(
    ("path", "data", "fields"),
    [
        ("/login/", {"username": "", "password": ""}, ["id_username", "id_password"]),
        (
            "/account/password/",
            {"current_password": "", "new_password": "", "confirm_password": ""},
            ["id_current_password", "id_new_password", "id_confirm_password"],
        ),
    ],
)
def test_error_summaries_link_to_the_fields(client: Client, user, path, data, fields) -> None:
    if path != "/login/":
        client.force_login(user)
    html = client.post(path, data).content.decode()
    summary = html[
        html.index("govuk-error-summary") : html.index("</ul>", html.index("govuk-error-summary"))
    ]
    for field in fields:
        assert f'href="#{field}"' in summary
        assert f'id="{field}"' in html


def test_wrong_password_gives_one_summary_entry_linked_to_the_first_field(
    client: Client, user
) -> None:
    html = client.post("/login/", {"username": "carol", "password": "nope nope"}).content.decode()
    summary = html[html.index("govuk-error-summary__list") :]
    summary = summary[: summary.index("</ul>")]
    assert summary.count("<li") == 1
    assert 'href="#id_username"' in summary


def test_navigation_links_are_the_ones_the_role_can_open(client: Client) -> None:
    from web_helpers import make_user, sign_in

    sign_in(client, make_user("eva", ("*", Role.EVALUATOR)))
    html = client.get("/").content.decode()
    nav = html[html.index("govuk-service-navigation") : html.index("</nav>")]
    for text in ("Sites", "Audit trail", "Exports"):
        assert text in nav, text
    assert "People" not in nav  # membership.manage is the evaluation admin's
    for href in re.findall(r'href="(/[^"]*)"', nav):
        assert client.get(href).status_code == 200, href  # no link leads to a 403
    coordinator = Client()
    sign_in(coordinator, make_user("cora", ("201", Role.LA_COORDINATOR)))
    html = coordinator.get("/").content.decode()
    nav = html[html.index("govuk-service-navigation") : html.index("</nav>")]
    assert "Data returns" in nav
    assert "Audit trail" not in nav
    assert "Exports" not in nav
