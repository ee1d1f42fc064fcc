"""Browser-journey support: a real server process, headless Debian Chromium, axe-core checks.

The server is ``csceval serve`` (gunicorn) in a subprocess, on its own database: a SQLite file,
or a fresh PostgreSQL database when the tests run with a PostgreSQL ``DATABASE_URL``. It is set
up the way an evaluation would be: ``csceval migrate``, ``csceval import-project`` of a
synthetic project, and users with memberships (the evaluator with a TOTP device whose key the
tests know, so they can type a real code). The returns, scoping and survey journeys each sign in
as an evaluator of their own: one evaluator signing in six times in a minute or two would wait
for fresh TOTP codes (see :class:`Authenticator`).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from csceval.web.devserver import platform

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
PASSWORD = "a long and memorable passphrase"

_SETUP_USERS = """
import json, sys
from datetime import timedelta
import django
django.setup()
from django.contrib.auth import get_user_model
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from csceval.web.accounts.services import membership_grant
from csceval.web.evaluation.models import Site
from csceval.web.permissions import MFA_REQUIRED_ROLES

password, = sys.argv[1:]
pilot = Site.objects.filter(role="pilot").order_by("la_code").first()
other = Site.objects.filter(role="pilot").order_by("la_code").last()
users = {"coordinator": (pilot.la_code, "la_coordinator"), "evaluator": ("*", "evaluator"),
         "admin": ("*", "evaluation_admin"), "other_coordinator": (other.la_code, "la_coordinator"),
         "auditor_a": (pilot.la_code, "auditor"), "auditor_b": (pilot.la_code, "auditor"),
         "other_auditor": (other.la_code, "auditor"), "returns_evaluator": ("*", "evaluator"),
         "scoping_evaluator": ("*", "evaluator"), "survey_evaluator": ("*", "evaluator")}
keys = {}
for name, (la_code, role) in users.items():
    user = get_user_model().objects.create_user(name, password=password)
    membership_grant(actor=None, user=user, la_code=la_code, role=role,
                     expires_at=timezone.now() + timedelta(days=30))
    if role in MFA_REQUIRED_ROLES:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
        keys[name] = device.key
print(json.dumps({"keys": keys, "pilot": [pilot.la_code, pilot.name],
                  "other": [other.la_code, other.name]}))
"""


@dataclass
class Server:
    url: str
    keys: dict[str, str]
    pilot: tuple[str, str]
    other: tuple[str, str]
    data: Path


def require_chromium() -> None:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but {CHROMIUM} is missing (make test installs it)")
        pytest.skip(f"needs Debian's Chromium at {CHROMIUM} (`make browser` installs it)")


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, quick_simulated: Callable[[int], Path]
) -> Iterator[Server]:
    """The platform with a synthetic evaluation imported and its users (see _SETUP_USERS).

    One server for the whole test session: each journey works on its own objects (a return, a
    self-profile, a case sample), so they can share it and the start-up is paid once. The
    evaluation is the session's simulated project with its plan cut to one indicator and the
    fast estimators: the journeys test the platform, and a whole analysis would only take time.
    """
    require_chromium()
    data = tmp_path_factory.mktemp("server")
    shutil.copytree(quick_simulated(2018), data / "project")
    with platform(
        data,
        project=data / "project",
        setup_script=_SETUP_USERS,
        setup_args=[PASSWORD],
        database_url=os.environ.get("DATABASE_URL", ""),
    ) as running:
        setup = json.loads(running.setup_output)
        yield Server(running.url, setup["keys"], tuple(setup["pilot"]), tuple(setup["other"]), data)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


TOTP_STEP = 30
"""Seconds a TOTP code lasts (django-otp's TOTPDevice default, which the platform keeps)."""
TOTP_TOLERANCE = 1
"""Steps either side of the server's step that django-otp accepts (TOTPDevice's default)."""
SAFE_SECONDS = 15
"""A code the server accepts only in the current step is typed only with this much of it left
(a sign-in takes a second or two, seconds on a loaded machine)."""


@dataclass
class Authenticator:
    """One person's authenticator app, and what the server's TOTP device has recorded of it.

    django-otp (``TOTPDevice.verify_token``) accepts the code of step ``c`` when ``c`` is after
    the device's ``last_t`` and within ``tolerance`` steps of the server's step plus the
    device's ``drift``; it then sets ``last_t = c`` and, with ``OTP_TOTP_SYNC`` (default on),
    ``drift = c - server step``. So a second sign-in in the step of the first cannot reuse the
    code, but the next step's code is accepted, as from an app whose clock runs a step fast,
    and the device then expects the app to stay that far ahead. This mirrors that state so a
    sign-in types a code the server accepts at once under its real configuration: now's if it
    can, else the next step's (the app at most a step fast), so a person can sign in twice in a
    step and waits only when the code would have to be two steps ahead. ``drifts`` holds every
    drift the device may have recorded (two when a step ended during the sign-in). A code the
    server refuses fails the sign-in (``Visitor.sign_in``), so a wrong mirror cannot pass.
    """

    last_t: int = -1
    drifts: frozenset[int] = frozenset({0})

    def accepts(self, code_step: int, server_step: int) -> bool:
        return code_step > self.last_t and all(
            abs(code_step - server_step - drift) <= TOTP_TOLERANCE for drift in self.drifts
        )

    def code_step(self) -> tuple[int, int]:
        """(the step whose code to type, the step now), waiting for the next step if needed."""
        while True:
            now = time.time()
            step = int(now) // TOTP_STEP
            for code_step in (step, step + 1):  # now's code, else the next (an app a step fast)
                if self.accepts(code_step, step) and self.accepts(code_step, step + 1):
                    return code_step, step
                if self.accepts(code_step, step) and (step + 1) * TOTP_STEP - now >= SAFE_SECONDS:
                    return code_step, step
            time.sleep((step + 1) * TOTP_STEP - now + 0.2)

    def accepted(self, code_step: int, first: int, last: int) -> None:
        """The server accepted ``code_step`` at a step from ``first`` to ``last``."""
        self.last_t = code_step
        self.drifts = frozenset(code_step - step for step in range(first, last + 1))


_AUTHENTICATORS: dict[tuple[str, str], Authenticator] = {}


def totp_at(key_hex: str, step: int) -> str:
    """The code of ``step`` (30-second steps since 1970) for a django-otp TOTP key."""
    from django_otp.oath import hotp

    return f"{hotp(bytes.fromhex(key_hex), step, digits=6):06d}"


class Visitor:
    """One person's browser session, checking every page it sees with axe-core."""

    def __init__(self, browser: Any, server: Server) -> None:
        self.server = server
        self.context = browser.new_context(accept_downloads=True)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", self._console)
        self.page.on("response", self._response)
        self.checked: set[str] = set()
        self.expected_errors: set[str] = set()

    def _console(self, message: Any) -> None:
        # Failed loads are reported with their URL by _response instead.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.problems.append(f"console error on {self.page.url}: {message.text}")

    def _response(self, response: Any) -> None:
        path = urlsplit(response.url).path
        if response.status >= 400 and path not in self.expected_errors:
            self.problems.append(f"{response.status} for {response.url}")

    def go(self, path: str, *, expect_error: bool = False) -> Any:
        if expect_error:
            self.expected_errors.add(path)
        response = self.page.goto(self.server.url + path)
        self.check()
        return response

    def check(self) -> None:
        """axe-core on the current page: no serious or critical violation."""
        from axe_playwright_python.sync_playwright import Axe

        self.page.wait_for_load_state("load")
        results = Axe().run(self.page)
        bad = [
            f"{v['id']} ({v['impact']}): {v['help']}"
            for v in results.response["violations"]
            if v.get("impact") in ("serious", "critical")
        ]
        assert not bad, f"axe on {self.page.url}: {bad}"
        self.checked.add(urlsplit(self.page.url).path)

    def sign_in(self, username: str) -> None:
        self.go("/login/")
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("button:has-text('Sign in')")
        self.page.wait_for_load_state("load")
        if "/account/two-factor/verify/" in self.page.url:
            self.check()
            app = _AUTHENTICATORS.setdefault((self.server.url, username), Authenticator())
            code_step, first = app.code_step()
            self.page.fill("#id_token", totp_at(self.server.keys[username], code_step))
            self.page.click("button:has-text('Continue')")  # the header has Sign out too
            self.page.wait_for_load_state("load")
            last = int(time.time()) // TOTP_STEP
            assert "/account/two-factor/verify/" not in self.page.url, f"code refused: {username}"
            app.accepted(code_step, first, last)
        self.check()

    def sign_out(self) -> None:
        self.page.click("button:has-text('Sign out')")
        self.page.wait_for_load_state("load")

    def close(self) -> None:
        self.context.close()
        assert not self.problems, self.problems


def tab_to(page: Any, selector: str, limit: int = 60) -> None:
    """Press Tab until the focused element matches ``selector`` (a keyboard user's way there)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def fits(page: Any, width: int = 320) -> None:
    """The page needs no horizontal scrolling at ``width`` px (WCAG 1.4.10 reflow)."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{page.url} is {wide}px wide at {width}px"
