"""Memberships (expiry, audit), password rules, createadmin's one-time password, password change."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone

from csceval.cli import main
from csceval.web.accounts.models import AccountState, Membership, Role
from csceval.web.accounts.selectors import memberships_for
from csceval.web.accounts.services import membership_grant, membership_revoke
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain

pytestmark = pytest.mark.django_db


class LaterStepError(Exception):
    """A failure after the service call, inside the same transaction."""


@pytest.fixture
def admin():
    return get_user_model().objects.create_user("admin1", password="a-long-passphrase-1")


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", password="a-long-passphrase-2")


def test_user_without_membership_sees_nothing(alice) -> None:
    get_user_model().objects.create_user("bob")
    Membership.objects.create(
        user=get_user_model().objects.get(username="bob"),
        la_code="201",
        role=Role.VIEWER,
        expires_at=timezone.now() + timedelta(days=30),
    )
    assert list(memberships_for(alice)) == []
    assert list(memberships_for(AnonymousUser())) == []


def test_expired_membership_is_not_returned(admin, alice) -> None:
    now = timezone.now()
    live = membership_grant(
        actor=admin, user=alice, la_code="201", role=Role.EVALUATOR, expires_at=now + timedelta(1)
    )
    membership_grant(
        actor=admin, user=alice, la_code="202", role=Role.VIEWER, expires_at=now - timedelta(1)
    )
    assert list(memberships_for(alice)) == [live]
    assert list(memberships_for(alice, now=now + timedelta(days=2))) == []


def test_inactive_user_sees_nothing(admin, alice) -> None:
    membership_grant(
        actor=admin,
        user=alice,
        la_code="201",
        role=Role.AUDITOR,
        expires_at=timezone.now() + timedelta(days=1),
    )
    alice.is_active = False
    alice.save()
    assert list(memberships_for(alice)) == []


def test_grant_and_revoke_write_audit_events_with_old_and_new_values(admin, alice) -> None:
    expires = timezone.now() + timedelta(days=10)
    membership = membership_grant(
        actor=admin, user=alice, la_code="330", role=Role.LA_COORDINATOR, expires_at=expires
    )
    later = expires + timedelta(days=10)
    membership_grant(
        actor=admin, user=alice, la_code="330", role=Role.LA_COORDINATOR, expires_at=later
    )
    membership_revoke(actor=admin, membership=Membership.objects.get(pk=membership.pk))
    grant, extend, revoke = AuditEvent.objects.order_by("sequence")
    assert (grant.action, grant.actor, grant.old_values) == ("membership.grant", "admin1", None)
    assert grant.new_values["la_code"] == "330"
    assert grant.new_values["role"] == "la_coordinator"
    assert extend.old_values["expires_at"] == expires.isoformat()
    assert extend.new_values["expires_at"] == later.isoformat()
    assert revoke.action == "membership.revoke"
    assert revoke.old_values["user"] == "alice"
    assert revoke.new_values is None
    assert not Membership.objects.exists()
    assert verify_chain() == []


def test_grant_rolled_back_leaves_neither_membership_nor_audit(admin, alice) -> None:
    def grant_then_fail() -> None:
        with transaction.atomic():
            membership_grant(
                actor=admin,
                user=alice,
                la_code="201",
                role=Role.VIEWER,
                expires_at=timezone.now() + timedelta(days=1),
            )
            assert AuditEvent.objects.count() == 1
            raise LaterStepError

    with pytest.raises(LaterStepError):
        grant_then_fail()
    assert not Membership.objects.exists()
    assert not AuditEvent.objects.exists()


def test_revoke_rolled_back_leaves_membership_and_no_audit(admin, alice) -> None:
    membership = membership_grant(
        actor=admin,
        user=alice,
        la_code="201",
        role=Role.VIEWER,
        expires_at=timezone.now() + timedelta(days=1),
    )

    pk = membership.pk

    def revoke_then_fail() -> None:
        with transaction.atomic():
            membership_revoke(actor=admin, membership=membership)
            raise LaterStepError

    with pytest.raises(LaterStepError):
        revoke_then_fail()
    assert Membership.objects.filter(pk=pk).exists()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["membership.grant"]


def test_a_failing_audit_write_rolls_back_the_change(admin, alice, monkeypatch) -> None:
    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("csceval.web.accounts.services.audit_record", broken)
    with pytest.raises(RuntimeError):
        membership_grant(
            actor=admin,
            user=alice,
            la_code="201",
            role=Role.VIEWER,
            expires_at=timezone.now() + timedelta(days=1),
        )
    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    ("la_code", "role"), [("20", "viewer"), ("2011", "viewer"), ("201", "boss")]
)
def test_grant_rejects_bad_la_code_or_role(admin, alice, la_code, role) -> None:
    with pytest.raises(ValidationError):
        membership_grant(
            actor=admin,
            user=alice,
            la_code=la_code,
            role=role,
            expires_at=timezone.now() + timedelta(days=1),
        )
    assert not AuditEvent.objects.exists()


# --- Passwords (SEC-B2, B3) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short pass 14c", "Password must be 15 characters or more"),
        ("x" * 129, "Password must be 128 characters or fewer"),
        ("1q2w3e4r5t6y7u8i", "on a list of common passwords"),
        ("evaluator.alice.jones!", "not like your username"),
    ],
)
def test_password_rules_refuse_with_govuk_messages(password: str, message: str) -> None:
    user = get_user_model()(username="evaluator.alice.jones", email="aj@example.org")
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    assert any(message in text for text in caught.value.messages), caught.value.messages


@pytest.mark.parametrize(
    "password",
    ["fifteen chars!!", "no rules: ALL lower or UPPER or 1234 allowed", "é" * 128, "a1" * 40],
)
def test_password_rules_accept_without_composition_rules(alice, password: str) -> None:
    validate_password(password, alice)


def test_only_argon2id_is_used(alice) -> None:
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert alice.password.startswith("argon2$argon2id$")


# --- createadmin: one-time password that expires and must be changed (SEC-B5) --------------


def _createadmin(username: str = "root1", *extra: str) -> str:
    result = CliRunner().invoke(main, ["createadmin", "--username", username, *extra])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def test_createadmin_password_is_one_time_and_expires_in_24_hours(frozen_clock) -> None:
    password = _createadmin()
    user = get_user_model().objects.get(username="root1")
    state = AccountState.objects.get(user=user)
    assert state.must_change_password
    assert state.one_time_password_expires_at == frozen_clock.at + timedelta(hours=24)
    assert user.check_password(password)
    event = AuditEvent.objects.get(action="user.create_admin")
    assert event.new_values["one_time_password_expires_at"] == (
        state.one_time_password_expires_at.isoformat()
    )


def test_no_account_exists_until_createadmin_runs() -> None:
    assert not get_user_model().objects.exists()


def test_expired_one_time_password_cannot_sign_in(client: Client, frozen_clock) -> None:
    password = _createadmin()
    frozen_clock.advance(hours=24, seconds=1)
    response = client.post("/login/", {"username": "root1", "password": password})
    assert response.status_code == 200
    assert "Enter a correct username and password" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed").exists()
    assert not AuditEvent.objects.filter(action="auth.login").exists()


def test_one_time_password_expiring_mid_session_ends_the_session(
    client: Client, frozen_clock
) -> None:
    password = _createadmin()
    assert client.post("/login/", {"username": "root1", "password": password}).status_code == 302
    assert client.get("/account/password/").status_code == 200
    frozen_clock.advance(hours=25)
    response = client.get("/account/password/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_first_sign_in_must_change_the_password_before_anything_else(
    client: Client, frozen_clock
) -> None:
    password = _createadmin()
    response = client.post("/login/", {"username": "root1", "password": password})
    assert response["Location"] == "/account/password/"  # straight to the gate (issue 15)
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == "/account/password/"
    page = client.get("/account/password/").content.decode()
    assert "one-time password" in page
    assert client.get("/accessibility/").status_code == 200  # always reachable
    new = "my own long passphrase 42"
    changed = client.post(
        "/account/password/",
        {"current_password": password, "new_password": new, "confirm_password": new},
    )
    assert changed.status_code == 302
    user = get_user_model().objects.get(username="root1")
    assert user.check_password(new)
    state = AccountState.objects.get(user=user)
    assert not state.must_change_password
    assert state.one_time_password_expires_at is None
    assert AuditEvent.objects.filter(action="auth.password_changed", actor="root1").exists()
    # Next stop for a superuser: setting up two-factor authentication.
    assert client.get("/")["Location"] == "/account/two-factor/set-up/"
    assert verify_chain() == []


def test_password_change_needs_the_current_password(client: Client, alice) -> None:
    client.force_login(alice)
    new = "another long passphrase 7"
    response = client.post(
        "/account/password/",
        {"current_password": "wrong one", "new_password": new, "confirm_password": new},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your current password is incorrect" in html
    assert 'href="#id_current_password"' in html
    alice.refresh_from_db()
    assert alice.check_password("a-long-passphrase-2")
    assert not AuditEvent.objects.filter(action="auth.password_changed").exists()


def test_password_change_checks_confirmation_and_rules(client: Client, alice) -> None:
    client.force_login(alice)
    html = client.post(
        "/account/password/",
        {
            "current_password": "a-long-passphrase-2",
            "new_password": "too short",
            "confirm_password": "different",
        },
    ).content.decode()
    assert "Password must be 15 characters or more" in html
    html = client.post(
        "/account/password/",
        {
            "current_password": "a-long-passphrase-2",
            "new_password": "long enough passphrase 1",
            "confirm_password": "long enough passphrase 2",
        },
    ).content.decode()
    assert "Enter the same password as you did in new password" in html


def test_password_change_rolled_back_with_its_audit(client: Client, alice, monkeypatch) -> None:
    def broken(**kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("csceval.web.accounts.services.audit_record", broken)
    client.force_login(alice)
    client.raise_request_exception = True
    new = "another long passphrase 7"
    with pytest.raises(RuntimeError):
        client.post(
            "/account/password/",
            {
                "current_password": "a-long-passphrase-2",
                "new_password": new,
                "confirm_password": new,
            },
        )
    alice.refresh_from_db()
    assert alice.check_password("a-long-passphrase-2")


def test_failed_sign_ins_are_rate_limited_per_client_before_the_audit_table(client: Client) -> None:
    from django.core.cache import cache

    for n in range(20):  # one client spraying usernames
        client.post("/login/", {"username": f"nobody{n}", "password": "wrong password here"})
    other = Client(REMOTE_ADDR="10.9.8.7")
    other.post("/login/", {"username": "someone", "password": "wrong password here"})
    rows = list(AuditEvent.objects.filter(action="auth.login_failed").order_by("sequence"))
    assert [r.new_values["ip"] for r in rows] == ["127.0.0.1", "10.9.8.7"]
    cache.delete("csceval:login-failed:127.0.0.1")  # the window has passed
    client.post("/login/", {"username": "nobody", "password": "wrong password here"})
    last = AuditEvent.objects.filter(action="auth.login_failed").order_by("-sequence").first()
    assert last is not None
    assert last.new_values["not_audited_before"] == 19
