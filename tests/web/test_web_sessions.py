"""Sessions (SEC-C1..C3): rotation, idle and absolute limits, logout, revocation; throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from web_helpers import PASSWORD, make_user

from csceval.web.accounts.models import Membership, Role
from csceval.web.accounts.services import membership_revoke
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer():
    return make_user("vic", ("201", Role.VIEWER), password=PASSWORD)


def _sign_in(client: Client, username: str = "vic", **extra) -> None:
    response = client.post("/login/", {"username": username, "password": PASSWORD}, **extra)
    assert response.status_code == 302


def test_limits_are_30_minutes_idle_and_12_hours_absolute() -> None:
    assert timedelta(minutes=30) == settings.CSCEVAL_SESSION_IDLE
    assert timedelta(hours=12) == settings.CSCEVAL_SESSION_ABSOLUTE
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_session_key_rotates_on_login(client: Client, viewer) -> None:
    session = client.session
    session["before_login"] = True
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=before).exists()
    _sign_in(client)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_idle_timeout(client: Client, viewer, frozen_clock) -> None:
    _sign_in(client)
    frozen_clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # activity resets the idle clock
    frozen_clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    frozen_clock.advance(minutes=30, seconds=1)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    assert not Session.objects.filter(session_key=key).exists()
    ended = AuditEvent.objects.get(action="auth.session_ended")
    assert (ended.actor, ended.new_values) == ("vic", {"reason": "idle_timeout"})


def test_absolute_timeout_despite_activity(client: Client, viewer, frozen_clock) -> None:
    _sign_in(client)
    for _ in range(24):  # a request every 29 minutes for 11 h 36 min
        frozen_clock.advance(minutes=29)
        assert client.get("/").status_code == 200
    frozen_clock.advance(minutes=25)  # 12 h 01 min after sign-in
    assert client.get("/").status_code == 302
    ended = AuditEvent.objects.get(action="auth.session_ended")
    assert ended.new_values == {"reason": "absolute_timeout"}


def test_logout_deletes_the_server_session(client: Client, viewer) -> None:
    _sign_in(client)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert client.post("/logout/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = key
    assert replay.get("/").status_code == 302


def test_deactivating_a_user_takes_effect_on_the_next_request(client: Client, viewer) -> None:
    _sign_in(client)
    assert client.get("/").status_code == 200
    viewer.is_active = False
    viewer.save()
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_removing_a_membership_takes_effect_on_the_next_request(client: Client, viewer) -> None:
    _sign_in(client)
    assert "201" in client.get("/").content.decode()
    membership_revoke(actor=None, membership=Membership.objects.get(user=viewer))
    html = client.get("/").content.decode()
    assert "no current access" in html


def test_a_new_mfa_role_takes_effect_on_the_next_request(client: Client, viewer) -> None:
    _sign_in(client)
    assert client.get("/").status_code == 200
    from csceval.web.accounts.services import membership_grant
    from csceval.web.security import clock

    membership_grant(
        actor=None,
        user=viewer,
        la_code="201",
        role=Role.AUDITOR,
        expires_at=clock.now() + timedelta(days=1),
    )
    assert client.get("/")["Location"] == "/account/two-factor/set-up/"


# --- Throttling (SEC-B4) --------------------------------------------------------------------


def _fail(client: Client, ip: str, username: str = "vic"):
    return client.post("/login/", {"username": username, "password": "wrong"}, REMOTE_ADDR=ip)


def test_five_failures_lock_out_that_username_from_that_address(client: Client, viewer) -> None:
    for _ in range(4):
        assert _fail(client, "10.0.0.1").status_code == 200
    locked = _fail(client, "10.0.0.1")
    assert locked.status_code == 429
    html = locked.content.decode()
    assert "You cannot sign in for now" in html
    assert "15 minutes" in html
    assert "govuk-template" in html
    # Even the right password is refused while locked out ...
    right = client.post(
        "/login/", {"username": "vic", "password": PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert right.status_code == 429
    # ... but the owner, elsewhere, is not locked out by someone else's failures.
    elsewhere = Client()
    _sign_in(elsewhere, REMOTE_ADDR="10.0.0.2")
    events = AuditEvent.objects.filter(action="auth.locked_out")
    assert events.exists()
    assert events.first().new_values == {"username": "vic", "ip": "10.0.0.1"}
    assert verify_chain() == []


def test_lockout_ends_after_the_cool_off(client: Client, viewer) -> None:
    for _ in range(5):
        _fail(client, "10.0.0.3")
    locked_at = AccessAttempt.objects.get(username="vic").attempt_time
    assert _fail(client, "10.0.0.3").status_code == 429
    attempt = AccessAttempt.objects.get(username="vic")
    # Attempts while locked out do not extend the cool-off (nobody can be locked out for good).
    assert attempt.attempt_time == locked_at
    attempt.attempt_time -= settings.AXES_COOLOFF_TIME + timedelta(seconds=1)
    attempt.save()
    _sign_in(client, REMOTE_ADDR="10.0.0.3")
