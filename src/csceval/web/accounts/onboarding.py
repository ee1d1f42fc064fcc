"""Onboarding without a shell: an admin creates people, gives them a first credential, deactivates.

Methodological choices (security checklist SEC-B2, B5; issue 15 item 1):

- A new person gets one first credential, shown to the admin once and never stored in clear: a
  random **one-time password** (24 URL-safe characters) that must be changed at first sign-in,
  or a **one-time sign-in link** where the person chooses their own password. Both stop working
  after :data:`VALID_HOURS` (``AccountState.one_time_password_expires_at``). The admin passes
  the credential on by a channel of their choice: the platform sends no e-mail, and the e-mail
  address is a label for the admin only.
- A sign-in link is a Django token (HMAC of the user's id, password hash, last sign-in and
  timestamp, salted for this purpose): issuing a link gives the account a new unusable password,
  so an older link or one-time password stops working; choosing a password through the link
  changes the hash, so the link works once.
- The full name is stored in ``first_name`` (one field, as GOV.UK asks for names); the username
  is what people sign in with.
- Deactivating keeps the account and its audit history; the person's session ends on their next
  request (an inactive user is not authenticated) and their memberships stop applying. People
  cannot deactivate themselves, and only a superuser can deactivate a superuser or give them a
  new credential.
- Every change is audited in its transaction; the audit records never hold a credential.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from csceval.web.accounts.models import AccountState
from csceval.web.accounts.services import issue_one_time_password, membership_grant
from csceval.web.audit_trail.services import audit_record
from csceval.web.security import clock

VALID_HOURS = 72
"""Hours a first credential (one-time password or sign-in link) works."""

ONE_TIME_PASSWORD = "one_time_password"
SIGN_IN_LINK = "sign_in_link"
CREDENTIAL_KINDS = {
    ONE_TIME_PASSWORD: "A one-time password",
    SIGN_IN_LINK: "A one-time sign-in link",
}


class OnboardingError(Exception):
    """An account change the rules do not allow (the message says why, for the admin)."""


class _LinkTokens(PasswordResetTokenGenerator):
    key_salt = "csceval.web.accounts.onboarding.sign-in-link"


LINK_TOKENS = _LinkTokens()


@dataclass(frozen=True)
class Credential:
    """A first credential to show once: the password, or the sign-in link's path."""

    kind: str
    secret: str
    expires_at: datetime


@dataclass(frozen=True)
class Access:
    """One membership to grant with the account."""

    la_code: str
    role: str
    expires_at: datetime


def _actor(actor: Any) -> str:
    return str(actor.get_username()) if actor is not None else "cli"


def person_values(user: Any) -> dict[str, Any]:
    """What the audit trail records about an account."""
    return {
        "username": user.get_username(),
        "full_name": user.first_name,
        "email": user.email,
        "is_active": user.is_active,
    }


def _new_credential(user: Any, kind: str, hours: int) -> Credential:
    """Give ``user`` a first credential of ``kind`` (the caller audits it)."""
    expires_at = clock.now() + timedelta(hours=hours)
    if kind == ONE_TIME_PASSWORD:
        secret = secrets.token_urlsafe(18)
        user.set_password(secret)
    elif kind == SIGN_IN_LINK:
        user.set_unusable_password()
    else:
        raise ValueError(f"unknown credential kind {kind!r}")
    user.save(update_fields=["password"])
    issue_one_time_password(user=user, expires_at=expires_at)
    if kind == SIGN_IN_LINK:
        uid = urlsafe_base64_encode(force_bytes(user.pk))
        secret = reverse("sign_in_link", args=[uid, LINK_TOKENS.make_token(user)])
    return Credential(kind, secret, expires_at)


def _audited_credential(
    actor: Any, user: Any, kind: str, hours: int, action: str, values: dict[str, Any]
) -> Credential:
    """A first credential for ``user``, audited as ``action`` (the kind and expiry, no secret)."""
    made = _new_credential(user, kind, hours)
    audit_record(
        actor=_actor(actor),
        action=action,
        object_type="user",
        object_id=str(user.pk),
        new_values={
            **values,
            "credential": kind,
            "credential_expires_at": made.expires_at.isoformat(),
        },
    )
    return made


@transaction.atomic
def create_person(
    *,
    actor: Any,
    username: str,
    full_name: str,
    email: str = "",
    access: Sequence[Access] = (),
    credential: str = ONE_TIME_PASSWORD,
    hours: int = VALID_HOURS,
) -> tuple[Any, Credential]:
    """Create an account with its memberships and a first credential; all audited or nothing."""
    model = get_user_model()
    if model.objects.filter(username__iexact=username).exists():
        raise OnboardingError(f"A user named {username} already exists")
    user = model.objects.create_user(username=username, email=email, first_name=full_name)
    made = _audited_credential(actor, user, credential, hours, "user.create", person_values(user))
    for grant in access:
        membership_grant(
            actor=actor,
            user=user,
            la_code=grant.la_code,
            role=grant.role,
            expires_at=grant.expires_at,
        )
    return user, made


@transaction.atomic
def reissue_credential(*, actor: Any, user: Any, kind: str, hours: int = VALID_HOURS) -> Credential:
    """A new first credential (the person forgot their password or never used the first one).

    The old password and any earlier link stop working; 2FA devices are kept. Only a superuser
    can do this for a superuser (else an evaluation admin could take a superuser's account).
    """
    _refuse_superuser_change(actor, user)
    values = {"username": user.get_username()}
    return _audited_credential(actor, user, kind, hours, "user.credential_issued", values)


@transaction.atomic
def set_active(*, actor: Any, user: Any, active: bool) -> None:
    """Deactivate (or reactivate) an account; refused for oneself, or a superuser by a non-one."""
    if actor is not None and actor.pk == user.pk:
        raise OnboardingError("You cannot deactivate your own account")
    _refuse_superuser_change(actor, user)
    if user.is_active == active:
        return
    old = person_values(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=_actor(actor),
        action="user.reactivate" if active else "user.deactivate",
        object_type="user",
        object_id=str(user.pk),
        old_values=old,
        new_values=person_values(user),
    )


def _refuse_superuser_change(actor: Any, user: Any) -> None:
    if user.is_superuser and not (actor is None or actor.is_superuser):
        raise OnboardingError("Only a superuser can change a superuser's account")


def link_user(uidb64: str, token: str) -> Any:
    """The account a sign-in link is for, if the link is valid now; else None."""
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (ValueError, TypeError, OverflowError):
        return None
    user = get_user_model().objects.filter(pk=pk, is_active=True).first()
    if user is None or not LINK_TOKENS.check_token(user, token):
        return None
    state = AccountState.objects.filter(user=user).first()
    if state is None or not state.must_change_password:
        return None
    return None if state.one_time_password_expired(clock.now()) else user
