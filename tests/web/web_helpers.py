"""Test helpers: users with memberships, signed in as the platform would sign them in."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from csceval.web.accounts.services import membership_grant

PASSWORD = "correct horse battery staple"


def make_user(
    username: str,
    *memberships: tuple[str, str],
    superuser: bool = False,
    password: str | None = None,
) -> Any:
    """A user holding ``(la_code, role)`` memberships that expire in 30 days.

    Without ``password`` the account has an unusable one (no Argon2 hashing, which is slow by
    design); :func:`sign_in` does not need it.
    """
    model = get_user_model()
    create = model.objects.create_superuser if superuser else model.objects.create_user
    user = create(username, password=password)
    for la_code, role in memberships:
        membership_grant(
            actor=None,
            user=user,
            la_code=la_code,
            role=role,
            expires_at=timezone.now() + timedelta(days=30),
        )
    return user


def sign_in(client: Client, user: Any) -> Client:
    """Log ``user`` in with a verified TOTP device, as after a real two-factor sign-in."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user)
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
