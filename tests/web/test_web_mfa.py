"""TOTP two-factor authentication: who must use it, set-up, verify, re-authentication, audit."""

from __future__ import annotations

import re
from base64 import b32decode

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from web_helpers import PASSWORD, make_user

from csceval.web.accounts.mfa import mfa_required
from csceval.web.accounts.models import Role
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.audit_trail.services import verify_chain
from csceval.web.permissions import MFA_REQUIRED_ROLES

pytestmark = pytest.mark.django_db
SETUP = "/account/two-factor/set-up/"
VERIFY = "/account/two-factor/verify/"


def _code(device: TOTPDevice, *, wrong: bool = False) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{(value + 1) % 10**6 if wrong else value:06d}"


def _page_code(html: str, *, wrong: bool = False) -> str:
    """The current code for the secret shown on the set-up page, as an app would compute it."""
    secret = re.search(r'id="secret-key">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    value = totp(key)
    return f"{(value + 1) % 10**6 if wrong else value:06d}"


def _sign_in(client: Client, username: str) -> None:
    response = client.post("/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_roles_that_see_cases_or_export_rows_need_2fa() -> None:
    assert {Role.EVALUATION_ADMIN, Role.EVALUATOR, Role.AUDITOR} <= set(MFA_REQUIRED_ROLES)
    assert Role.LA_COORDINATOR not in MFA_REQUIRED_ROLES
    assert Role.VIEWER not in MFA_REQUIRED_ROLES
    assert mfa_required(make_user("ev", ("201", Role.EVALUATOR)))
    assert mfa_required(make_user("au", ("201", Role.AUDITOR)))
    assert mfa_required(make_user("root", superuser=True))
    assert not mfa_required(make_user("vi", ("201", Role.VIEWER)))
    assert not mfa_required(make_user("co", ("201", Role.LA_COORDINATOR)))


def test_viewer_goes_straight_in(client: Client) -> None:
    make_user("vi", ("201", Role.VIEWER), password=PASSWORD)
    _sign_in(client, "vi")
    assert client.get("/").status_code == 200


def test_evaluator_must_set_up_2fa_then_is_let_in(client: Client) -> None:
    user = make_user("ev", ("201", Role.EVALUATOR), password=PASSWORD)
    _sign_in(client, "ev")
    home = client.get("/")
    assert home.status_code == 302
    assert home["Location"] == SETUP
    page = client.get(SETUP)
    html = page.content.decode()
    qr = re.search(r'<svg role="img"[^>]*class="app-qr".*?</svg>', html, re.S).group(0)
    assert "<title>QR code for your authenticator app</title>" in qr
    assert "http" not in qr  # an inline QR code, no external request
    assert not TOTPDevice.objects.filter(user=user).exists()  # showing the page writes nothing
    assert _page_code(client.get(SETUP).content.decode()) == _page_code(html)  # same secret

    wrong = client.post(SETUP, {"token": _page_code(html, wrong=True)}).content.decode()
    assert "The code is not right" in wrong
    assert 'href="#id_token"' in wrong
    failed = AuditEvent.objects.get(action="mfa.failed")
    assert failed.actor == "ev"
    assert client.get("/").status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()

    done = client.post(SETUP, {"token": _page_code(html)})
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed
    added = AuditEvent.objects.get(action="mfa.device_added")
    assert added.object_id == str(device.pk)
    assert verify_chain() == []


def test_next_sign_in_asks_for_a_code(client: Client) -> None:
    user = make_user("au", ("330", Role.AUDITOR), password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _sign_in(client, "au")
    assert client.get("/")["Location"] == VERIFY
    assert client.get(SETUP)["Location"].startswith(VERIFY)  # no new device before verifying
    empty = client.post(VERIFY, {"token": ""}).content.decode()
    assert "Enter the 6-digit code from your authenticator app" in empty
    bad = client.post(VERIFY, {"token": "12ab56"}).content.decode()
    assert "Enter the code as 6 digits, like 123456" in bad
    wrong = client.post(VERIFY, {"token": _code(device, wrong=True)})
    assert "The code is not right" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    before = client.cookies["sessionid"].value
    assert client.post(VERIFY, {"token": _code(device)}).status_code == 302
    assert client.cookies["sessionid"].value != before  # session key rotated on 2FA
    assert client.get("/").status_code == 200
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions[-2:] == ["mfa.failed", "mfa.verified"]


def test_a_used_code_cannot_be_replayed(client: Client) -> None:
    user = make_user("ev2", ("201", Role.EVALUATOR), password=PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    code = _code(device)
    _sign_in(client, "ev2")
    assert client.post(VERIFY, {"token": code}).status_code == 302
    other = Client()
    _sign_in(other, "ev2")
    device.refresh_from_db()
    device.throttle_reset()
    assert "The code is not right" in other.post(VERIFY, {"token": code}).content.decode()


def test_replacing_a_device_needs_the_password(client: Client) -> None:
    user = make_user("ev3", ("201", Role.EVALUATOR), password=PASSWORD)
    old = TOTPDevice.objects.create(user=user, name="old", confirmed=True)
    _sign_in(client, "ev3")
    client.post(VERIFY, {"token": _code(old)})
    assert client.get("/").status_code == 200
    page = client.get(SETUP).content.decode()
    assert "This replaces the authenticator app" in page
    refused = client.post(SETUP, {"current_password": "not my password", "token": _page_code(page)})
    html = refused.content.decode()
    assert "Your current password is incorrect" in html
    assert 'href="#id_current_password"' in html
    assert TOTPDevice.objects.filter(pk=old.pk).exists()
    done = client.post(SETUP, {"current_password": PASSWORD, "token": _page_code(page)})
    assert done.status_code == 302
    new = TOTPDevice.objects.get(user=user)
    assert new.pk != old.pk
    added = AuditEvent.objects.get(action="mfa.device_added")
    assert added.new_values["replaced_devices"] == [old.pk]
