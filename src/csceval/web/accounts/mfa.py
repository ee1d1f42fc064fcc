"""TOTP two-factor authentication (SEC-B1): who needs it, set-up, verification, audit.

Methodological choices: 2FA is required for superusers and for every role in
``csceval.web.permissions.MFA_REQUIRED_ROLES`` (roles that see case-level data, export rows or
manage access); a user who has a confirmed device is asked for a code whatever their role. The
QR code is an inline SVG made on the server (segno), so the secret never leaves the page. A user
has one confirmed device; replacing it needs the current password (SEC-C4). django-otp throttles
wrong codes (a growing delay after each failure).
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import Any

import segno
from django.db import transaction
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex
from markupsafe import Markup

from csceval.web.accounts.selectors import memberships_for
from csceval.web.audit_trail.services import audit_record
from csceval.web.permissions import MFA_REQUIRED_ROLES

DEVICE_NAME = "Authenticator app"
PENDING_KEY_SESSION = "csceval_mfa_pending_key"


def mfa_required(user: Any) -> bool:
    """Whether the user must use 2FA: a superuser, or holding a role that needs it."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    roles = {str(role) for role in MFA_REQUIRED_ROLES}
    return memberships_for(user).filter(role__in=roles).exists()


def has_confirmed_device(user: Any) -> bool:
    """Whether the user has finished setting up an authenticator app."""
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def pending_device(request: Any) -> Any:
    """An unsaved device for set-up; its key waits in the session until the first code is right.

    Nothing is written to the database by showing the set-up page (GET has no side effects).
    """
    key = request.session.get(PENDING_KEY_SESSION)
    if not isinstance(key, str):
        key = random_hex(20)
        request.session[PENDING_KEY_SESSION] = key
    return TOTPDevice(user=request.user, name=DEVICE_NAME, key=key, confirmed=False)


def secret_text(device: Any) -> str:
    """The secret as base32 in groups of four, for typing into an app."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_svg(device: Any) -> Markup:
    """The otpauth:// URL as an inline SVG QR code (no external request)."""
    code = segno.make(device.config_url, error="m")
    svg = code.svg_inline(scale=4, title="QR code for your authenticator app", svgclass="app-qr")
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


def _audit(user: Any, action: str, device: Any, **values: Any) -> None:
    audit_record(
        actor=user.get_username(),
        action=action,
        object_type="otp_device",
        object_id=str(device.pk) if device is not None else "",
        new_values={"user": user.get_username(), **values},
    )


def _first_code_matches(device: Any, token: str) -> bool:
    """Whether ``token`` is the device's current code (within django-otp's tolerance)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not totp.verify(int(token), device.tolerance):
        return False
    device.last_t = totp.t()  # this code cannot be used again
    return True


def confirm_device(request: Any, device: Any, token: str) -> bool:
    """Check the first code from a new device; if right, make it the user's only device."""
    user = request.user
    with transaction.atomic():
        if not _first_code_matches(device, token):
            _audit(user, "mfa.failed", None, stage="setup")
            return False
        replaced = list(
            TOTPDevice.objects.filter(user=user, confirmed=True).values_list("pk", flat=True)
        )
        TOTPDevice.objects.filter(user=user).delete()
        device.confirmed = True
        device.save()
        _audit(user, "mfa.device_added", device, replaced_devices=replaced)
    request.session.pop(PENDING_KEY_SESSION, None)
    otp_login(request, device)
    request.session.cycle_key()
    return True


def verify(request: Any, token: str) -> bool:
    """Check a code against the user's confirmed device; if right, mark the session verified."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    with transaction.atomic():
        if device is None or not device.verify_token(token):
            _audit(user, "mfa.failed", device, stage="verify")
            return False
        _audit(user, "mfa.verified", device)
    otp_login(request, device)
    request.session.cycle_key()
    return True
