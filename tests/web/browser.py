"""Browser-journey support: a real server process, headless Debian Chromium, axe-core checks.

The server is ``csceval serve`` (gunicorn) in a subprocess, on its own database: a SQLite file,
or a fresh PostgreSQL database when the tests run with a PostgreSQL ``DATABASE_URL``. It is set
up the way an evaluation would be: ``csceval migrate``, ``csceval import-project`` of a
synthetic project, and users with memberships (the evaluator with a TOTP device whose key the
tests know, so they can type a real code).
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
         "other_auditor": (other.la_code, "auditor")}
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


def totp(key_hex: str) -> str:
    """The code an authenticator app would show now for a django-otp TOTP key."""
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(key_hex), digits=6).token():06d}"


_USED_STEPS: dict[tuple[str, str], int] = {}
"""The last 30-second step whose code each (server, user) signed in with: django-otp accepts a
code once, so a second sign-in in the same step waits for the next code, as a person would."""


def fresh_totp(server_url: str, username: str, key_hex: str) -> str:
    step = int(time.time()) // 30
    if _USED_STEPS.get((server_url, username), -1) >= step:
        time.sleep((step + 1) * 30 - time.time() + 0.2)
        step += 1
    _USED_STEPS[(server_url, username)] = step
    return totp(key_hex)


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
            code = fresh_totp(self.server.url, username, self.server.keys[username])
            self.page.fill("#id_token", code)
            self.page.click("button:has-text('Continue')")  # the header has Sign out too
            self.page.wait_for_load_state("load")
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
