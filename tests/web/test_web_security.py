"""Headers on every response (SEC-C6), CSP nonce wiring, no-store, static assets, CSRF."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from web_helpers import make_user

from csceval.web.staticfiles import AssetFinder, asset_files

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'self'",
}


def _csp(response) -> dict[str, str]:
    parts = [p.strip() for p in response["Content-Security-Policy"].split(";") if p.strip()]
    return {p.split(" ", 1)[0]: p.split(" ", 1)[1] for p in parts}


@pytest.mark.parametrize("path", ["/login/", "/accessibility/", "/no-such-page/"])
def test_strict_headers_on_public_responses(client: Client, path: str) -> None:
    response = client.get(path)
    csp = _csp(response)
    for directive, value in EXPECTED_CSP.items():
        assert csp[directive] == value, directive
    assert re.fullmatch(r"'self' 'nonce-[A-Za-z0-9+/=]+'", csp["script-src"])
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_hsts_for_a_year_on_https(client: Client) -> None:
    response = client.get("/login/", secure=True)
    hsts = response["Strict-Transport-Security"]
    max_age = int(re.search(r"max-age=(\d+)", hsts).group(1))
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts


def test_every_script_carries_the_nonce_of_the_csp_header(client: Client) -> None:
    response = client.get("/login/")
    nonce = re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert len(scripts) == 3  # GOV.UK's js-enabled line, htmx, GOV.UK Frontend (ES module)
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag, tag
    assert client.get("/login/")["Content-Security-Policy"] != response["Content-Security-Policy"]


def test_htmx_is_configured_without_inline_styles_or_local_history(client: Client) -> None:
    html = client.get("/login/").content.decode()
    assert (
        """<meta name="htmx-config" content='{"includeIndicatorStyles": false, """
        """"historyCacheSize": 0}'>"""
    ) in html
    assert html.index("htmx-config") < html.index("/assets/htmx/htmx.min.")  # hashed name
    assert "hx-headers" in html  # the CSRF token travels with htmx requests


@pytest.mark.parametrize("path", ["/", "/accessibility/", "/no-such-page/", "/account/password/"])
def test_no_store_on_every_authenticated_response(client: Client, path: str) -> None:
    client.force_login(make_user("nostore"))
    response = client.get(path)
    assert response["Cache-Control"] == "no-store"


def test_only_the_listed_assets_are_served(client: Client) -> None:
    files = asset_files(Path(settings.NODE_MODULES))
    assert "govuk/govuk-frontend.min.css" in files
    assert "govuk/govuk-frontend.min.js" in files
    assert "htmx/htmx.min.js" in files
    assert any(name.startswith("fonts/") for name in files)
    assert "images/govuk-crest.svg" in files
    assert not any(name.endswith((".scss", ".mjs", ".map")) for name in files)
    assert len(files) < 25
    for name in ("govuk/govuk-frontend.min.css", "htmx/htmx.min.js", "images/govuk-crest.svg"):
        assert client.get(settings.STATIC_URL + name).status_code == 200, name
    client.force_login(make_user("assets"))
    for hidden in ("govuk/govuk-frontend.mjs", "govuk/index.scss", "htmx/htmx.js"):
        assert AssetFinder().find(hidden) is None
        assert client.get(settings.STATIC_URL + hidden).status_code == 404, hidden


def test_css_font_urls_resolve_to_served_files(client: Client) -> None:
    css = client.get("/assets/govuk/govuk-frontend.min.css")
    text = b"".join(css.streaming_content).decode()
    urls = set(re.findall(r"url\((/assets/[^)]+)\)", text))
    assert urls
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_state_changes_need_a_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)
    user = make_user("csrf")
    client.force_login(user)
    assert client.post("/logout/").status_code == 403
    assert client.post("/account/password/", {}).status_code == 403
    assert client.post("/account/two-factor/verify/", {"token": "123456"}).status_code == 403
