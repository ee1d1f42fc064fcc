"""Onboarding in headless Chromium, without a shell (issue 15): an admin adds an evaluator and two
LA coordinators (one-time passwords and a one-time sign-in link); each signs in, chooses a
password and sets up two-factor authentication; every step is in the audit trail. axe-core
checks every page on the way.
"""

from __future__ import annotations

import csv
import io
import re
from base64 import b32decode
from typing import Any
from urllib.parse import urlsplit

import pytest
from browser import Server, Visitor
from django_otp.oath import TOTP

pytestmark = pytest.mark.browser
CHOSEN = "seven quiet herons over the estuary"
CHECKED: set[str] = set()
"""Pages axe has checked in this journey: each kind of page once keeps the journey short."""


def _check(visitor: Visitor) -> None:
    page = visitor.page
    page.wait_for_load_state("load")
    path = re.sub(r"/sign-in-link/.*", "/sign-in-link/", urlsplit(page.url).path)
    kind = f"{path}?{page.locator('h1').first.inner_text()}"
    if kind not in CHECKED:
        CHECKED.add(kind)
        visitor.check()


def _go(visitor: Visitor, path: str) -> None:
    visitor.page.goto(visitor.server.url + path)
    _check(visitor)


def _code(secret_text: str) -> str:
    """The code an authenticator app shows for the secret printed on the set-up page."""
    secret = secret_text.replace(" ", "")
    key = b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key, digits=6).token():06d}"


def _add(admin: Visitor, username: str, role: str, la_code: str, credential: str) -> str:
    page = admin.page
    _go(admin, "/people/users/new/")
    page.fill("#id_username", username)
    page.fill("#id_full_name", f"{username.title()} Example")
    page.select_option("#id_role", role)
    page.fill("#id_la_code", la_code)
    page.fill("#id_expires_on", "2099-03-31")
    page.check(f"input[name='credential'][value='{credential}']")
    page.click("button:has-text('Add this person')")
    _check(admin)
    shown = "#sign-in-link" if credential == "sign_in_link" else "#one-time-password"
    return str(page.inner_text(shown)).strip()


def _choose_password(visitor: Visitor, *current: str) -> None:
    page = visitor.page
    _check(visitor)
    if current:
        page.fill("#id_current_password", current[0])
    page.fill("#id_new_password", CHOSEN)
    page.fill("#id_confirm_password", CHOSEN)
    submit = "Change password" if current else "Save and sign in"
    page.click(f"button:has-text('{submit}')")
    _check(visitor)


def _set_up_two_factor(visitor: Visitor) -> None:
    page = visitor.page
    if "/account/two-factor/set-up/" not in page.url:
        _go(visitor, "/account/two-factor/set-up/")
    page.fill("#id_token", _code(page.inner_text("#secret-key")))
    page.click("button:has-text('Continue')")
    _check(visitor)


def _first_sign_in(browser: Any, server: Server, username: str, credential: str) -> Visitor:
    visitor = Visitor(browser, server)
    page = visitor.page
    if credential.startswith("http"):
        page.goto(credential)
        _choose_password(visitor)
    else:
        _go(visitor, "/login/?next=/sites/")
        page.fill("#id_username", username)
        page.fill("#id_password", credential)
        page.click("button:has-text('Sign in')")
        page.wait_for_load_state("load")
        assert "/account/password/" in page.url
        assert page.locator("#sign-out").count() == 1  # sign-out on the forced page
        _choose_password(visitor, credential)
    return visitor


def test_an_admin_onboards_an_evaluator_and_two_coordinators(browser, server: Server) -> None:
    admin = Visitor(browser, server)
    admin.sign_in("admin")
    assert admin.page.locator("text=Add people and give them access").count() == 1
    people = {
        "onb_evaluator": ("evaluator", "*", "one_time_password"),
        "onb_coord_a": ("la_coordinator", server.pilot[0], "one_time_password"),
        "onb_coord_b": ("la_coordinator", server.other[0], "sign_in_link"),
    }
    credentials = {name: _add(admin, name, *how) for name, how in people.items()}

    for name, credential in credentials.items():
        visitor = _first_sign_in(browser, server, name, credential)
        page = visitor.page
        if name == "onb_evaluator":  # the role needs 2FA: the gate leads there, then to next
            assert "/account/two-factor/set-up/" in page.url
            _set_up_two_factor(visitor)
            assert page.url.endswith("/sites/")
        else:  # coordinators choose to set it up from their home page
            _go(visitor, "/")
            page.click("a:has-text('Set up')")
            _check(visitor)
            _set_up_two_factor(visitor)
        _go(visitor, "/")
        assert "On: you use an authenticator app" in page.content()
        visitor.sign_out()
        visitor.close()

    response = admin.context.request.get(server.url + "/audit/export.csv")
    events = list(csv.DictReader(io.StringIO(response.text())))
    created = [e["new_values"] for e in events if e["action"] == "user.create"]
    for name in people:
        assert any(name in values for values in created), name
        assert any(e["action"] == "mfa.device_added" and name in e["new_values"] for e in events)
        assert any(e["action"] == "auth.password_changed" and e["actor"] == name for e in events)
    assert sum(e["action"] == "membership.grant" and e["actor"] == "admin" for e in events) >= 3
    admin.close()
