"""Writes about accounts: each runs in one transaction with its audit event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from csceval.web.accounts.models import Membership
from csceval.web.audit_trail.services import audit_record


def _actor_name(actor: Any) -> str:
    return str(actor.get_username()) if actor is not None else "system"


@transaction.atomic
def membership_grant(
    *, actor: Any, user: Any, la_code: str, role: str, expires_at: datetime
) -> Membership:
    """Give ``user`` ``role`` in LA ``la_code`` until ``expires_at`` (or move the expiry)."""
    membership = (
        Membership.objects.select_for_update().filter(user=user, la_code=la_code, role=role).first()
    )
    old_values = membership.audit_values() if membership else None
    if membership is None:
        membership = Membership(user=user, la_code=la_code, role=role, expires_at=expires_at)
    else:
        membership.expires_at = expires_at
    membership.full_clean()
    membership.save()
    audit_record(
        actor=_actor_name(actor),
        action="membership.grant",
        object_type="membership",
        object_id=str(membership.pk),
        old_values=old_values,
        new_values=membership.audit_values(),
    )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    """Remove a membership; it takes effect on the user's next request."""
    old_values = membership.audit_values()
    object_id = str(membership.pk)
    membership.delete()
    audit_record(
        actor=_actor_name(actor),
        action="membership.revoke",
        object_type="membership",
        object_id=object_id,
        old_values=old_values,
        new_values=None,
    )


def password_change(*, request: Any, user: Any, new_password: str) -> None:
    """Set a new password, clear any one-time password, audit it, keep this session only.

    ``update_session_auth_hash`` rotates the session key; other sessions of the user stop
    working because their stored password hash no longer matches.
    """
    from django.contrib.auth import update_session_auth_hash

    from csceval.web.accounts.models import AccountState
    from csceval.web.security import clock

    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        state, _ = AccountState.objects.select_for_update().get_or_create(user=user)
        was_one_time = state.must_change_password
        state.must_change_password = False
        state.one_time_password_expires_at = None
        state.password_changed_at = clock.now()
        state.save()
        audit_record(
            actor=_actor_name(user),
            action="auth.password_changed",
            object_type="user",
            object_id=str(user.pk),
            new_values={"replaced_one_time_password": was_one_time},
        )
    update_session_auth_hash(request, user)


def issue_one_time_password(*, user: Any, expires_at: datetime) -> None:
    """Mark ``user``'s password as one-time: it must be changed and stops working at expiry."""
    from csceval.web.accounts.models import AccountState

    AccountState.objects.update_or_create(
        user=user,
        defaults={"must_change_password": True, "one_time_password_expires_at": expires_at},
    )
