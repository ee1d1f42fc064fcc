"""Requests bounded before their body is read; refusals audited; 403s logged on one line;
production settings that refuse a weak secret key or a wildcard host (issue 15 items 4, 5)."""

from __future__ import annotations

import io
import logging
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from returns_helpers import OWN, YEAR, client_for, make_sites, people

from csceval.web import settings as web_settings
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.returns.models import PilotReturn
from csceval.web.security.production import secret_key_problem

pytestmark = pytest.mark.django_db


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the request body was read")

    def readline(self, size: int | None = -1) -> bytes:
        raise AssertionError("the request body was read")


@pytest.fixture
def who() -> dict[str, Any]:
    sites = make_sites()
    found = people()
    found["return"] = PilotReturn.objects.create(site=sites[OWN], year=YEAR)
    return found


def test_an_oversized_request_is_refused_unread_and_audited(who: dict[str, Any]) -> None:
    declared = 50 * 1024 * 1024
    response = client_for(who["coordinator"]).generic(
        "POST",
        f"/returns/{who['return'].pk}/upload/",
        CONTENT_LENGTH=str(declared),
        CONTENT_TYPE="multipart/form-data; boundary=x",
        **{"wsgi.input": Unreadable()},
    )
    assert response.status_code == 413
    assert b"CSC-E6010" in response.content
    event = AuditEvent.objects.get(action="request.rejected")
    assert event.actor == "coord"
    assert event.new_values == {
        "code": "CSC-E6010",
        "bytes": declared,
        "limit": settings.CSCEVAL_MAX_REQUEST_BYTES,
    }


def test_accepted_uploads_stay_in_memory() -> None:
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE >= settings.CSCEVAL_MAX_REQUEST_BYTES
    assert "csceval.web.security.limits.RequestSizeLimitMiddleware" in settings.MIDDLEWARE


def test_a_file_the_form_refuses_is_audited(who: dict[str, Any]) -> None:
    handle = io.BytesIO(b"\0" * (5 * 1024 * 1024 + 10))  # above 5 MB, below the request cap
    handle.name = "big.xlsx"
    response = client_for(who["coordinator"]).post(
        f"/returns/{who['return'].pk}/upload/", {"file": handle}
    )
    assert response.status_code == 400
    event = AuditEvent.objects.get(action="return.upload_rejected")
    assert event.new_values["filename"] == "big.xlsx"
    assert event.new_values["bytes"] == 5 * 1024 * 1024 + 10
    assert "smaller than 5 MB" in event.new_values["refused"]


def test_a_403_is_logged_on_one_line_without_a_traceback(who: dict[str, Any]) -> None:
    logger = logging.getLogger("django")
    configured = next(h for h in logger.handlers if h.get_name() == "stderr")
    stream = io.StringIO()  # a copy of the configured handler (its stream may be pytest's)
    copy = logging.StreamHandler(stream)
    copy.setFormatter(configured.formatter)
    for found in configured.filters:
        copy.addFilter(found)
    logger.addHandler(copy)
    try:
        response = client_for(who["viewer"]).get(f"/returns/{who['return'].pk}/upload/")
    finally:
        logger.removeHandler(copy)
    assert response.status_code == 403
    logged = stream.getvalue()
    assert "Forbidden" in logged
    assert "Traceback" not in logged
    assert len(logged.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("key", "weak"),
    [
        ("changeme", True),
        ("django-insecure-" + "x7Gq2" * 10, True),
        ("a" * 60, True),
        ("abab" * 20, True),
        ("short-but-random-3fG9", True),
        ("v5Jq0tH2n8Xw4Lk7Rz1Pb6Sd3Fm9Yc0Ge2Ua5Ni8Ko1Wl4Qj7Xy", False),
    ],
)
def test_weak_secret_keys(key: str, weak: bool) -> None:
    assert bool(secret_key_problem(key)) is weak


def test_production_settings_refuse_a_weak_key_or_a_wildcard_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The settings' own checks (the module runs them at start-up: the process stops)."""
    monkeypatch.setattr(web_settings, "PRODUCTION", True)
    monkeypatch.setenv("CSCEVAL_SECRET_KEY", "changeme")
    with pytest.raises(ImproperlyConfigured, match=r"CSC-E6007.*placeholder"):
        web_settings._secret_key()
    for hosts in ("*", "csceval.example.org,*.example.org"):
        monkeypatch.setenv("CSCEVAL_ALLOWED_HOSTS", hosts)
        with pytest.raises(ImproperlyConfigured, match=r"CSC-E6008.*wildcard"):
            web_settings._allowed_hosts()
    monkeypatch.setenv("CSCEVAL_ALLOWED_HOSTS", "csceval.example.org,.example.org")
    assert web_settings._allowed_hosts() == ["csceval.example.org", ".example.org"]
    monkeypatch.setenv("CSCEVAL_MAX_REQUEST_BYTES", "6MB")
    with pytest.raises(ImproperlyConfigured, match="CSC-E6010"):
        web_settings._max_request_bytes()
