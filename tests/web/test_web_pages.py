"""Pages: login (audited success and failure), home lists memberships, logout, login required."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
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
    assert "/assets/govuk/govuk-frontend.min.css" in html
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
        role=Role.EVALUATOR,
        expires_at=timezone.now() + timedelta(days=5),
    )
    response = client.post("/login/", {"username": "carol", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == "carol"
    home = client.get("/").content.decode()
    assert "919" in home
    assert "Evaluator" in home
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
