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
