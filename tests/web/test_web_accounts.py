"""Memberships: expiry, no membership means nothing, grant/revoke audited in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from csceval.web.accounts.models import Membership, Role
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
