"""Anonymous links (csceval.web.links): hashed tokens, dated states, throttled guessing, and
nothing stored about the people who open them."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from web_helpers import make_user

from csceval.web.audit_trail.models import AuditEvent
from csceval.web.links import purposes
from csceval.web.links.models import AnonymousLink
from csceval.web.links.services import (
    LinkInvalidError,
    LinkUsedError,
    link_create,
    link_record_use,
    link_resolve,
    link_revoke,
)
from csceval.web.links.views import open_link
from csceval.web.security import clock

pytestmark = pytest.mark.django_db

ADDRESS, BROWSER = "203.0.113.77", "Mozilla/5.0 (Respondent-Phone; identifying-agent-9f3a)"


@pytest.fixture
def start_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """A purpose ``probe`` whose links lead to ``/probe/<token>/``."""
    monkeypatch.setitem(purposes._START, "probe", lambda token: f"/probe/{token}/")


def _link(**kwargs: Any) -> tuple[AnonymousLink, str]:
    values: dict[str, Any] = {"actor": None, "purpose": "probe", "la_code": "901"}
    return link_create(**(values | kwargs))


def test_token_is_random_hashed_and_shown_once() -> None:
    evaluator = make_user("evaluator-links")
    link, token = _link(actor=evaluator, object_key="team:T03", label="Team T03")
    assert len(token) == 43  # token_urlsafe(32): 256 bits
    assert len(set(token)) > 10
    assert link.token_sha256 == hashlib.sha256(token.encode()).hexdigest()
    stored = AnonymousLink.objects.filter(pk=link.pk).values().get()
    assert token not in {str(v) for v in stored.values()}
    assert link_resolve(token, "probe").pk == link.pk
    assert _link()[1] != token


def test_nothing_identifying_is_stored(start_page: None) -> None:
    """The model has no field for an address, browser or time of use; opening and using a
    link writes neither into any table; audit rows hold neither the token nor its hash."""
    fields = {f.name for f in AnonymousLink._meta.get_fields()}
    assert fields == {
        "id", "token_sha256", "purpose", "la_code", "object_key", "label", "opens_at",
        "closes_at", "one_response", "uses", "created_by", "created_at", "revoked_at",
        "revoked_by",
    }  # fmt: skip
    evaluator = make_user("evaluator-links")
    link, token = _link(actor=evaluator)
    client = Client(REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=BROWSER)
    assert client.get(f"/r/{token}/").status_code == 302
    assert client.get(f"/r/{'x' * 43}/").status_code == 404
    link_record_use(link)
    link_revoke(actor=evaluator, link=link)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            text = repr(cursor.fetchall())
            for secret in (ADDRESS, BROWSER, "identifying-agent", token):
                assert secret not in text, f"{secret!r} stored in {table}"
    events = list(AuditEvent.objects.filter(object_type="anonymous_link"))
    assert [e.action for e in events] == ["link.created", "link.revoked"]
    assert all(e.actor == "evaluator-links" for e in events)
    assert all(link.token_sha256 not in repr(e.new_values) for e in events)
    assert not client.cookies.keys() - {"csrftoken"}, "no cookie but CSRF's"


def test_each_state_has_its_page(start_page: None, caplog: pytest.LogCaptureFixture) -> None:
    """Unknown 404, not yet open 404 (saying when), closed and revoked 410, used 410; an open
    link leads to its purpose's first page. Never a server error; no token in the log."""
    now = clock.now()
    client = Client()
    future, _ = _link(opens_at=now + timedelta(days=3))
    pages = {
        "unknown": f"/r/{secrets.token_urlsafe(32)}/",
        "malformed": "/r/not-a-token%00'/",
        "not yet open": f"/r/{_link(opens_at=now + timedelta(days=3))[1]}/",
        "closed": f"/r/{_link(opens_at=now - timedelta(days=9), closes_at=now)[1]}/",
    }
    revoked, revoked_token = _link()
    link_revoke(actor=None, link=revoked)
    pages["revoked"] = f"/r/{revoked_token}/"
    used, used_token = _link(one_response=True)
    link_record_use(used)
    pages["used"] = f"/r/{used_token}/"
    expected = {
        "unknown": (404, "This link is not recognised", "CSC-E6301"),
        "malformed": (404, "This link is not recognised", "CSC-E6301"),
        "not yet open": (404, "This link is not open yet", "CSC-E6302"),
        "closed": (410, "This link has closed", "CSC-E6303"),
        "revoked": (410, "This link has closed", "CSC-E6303"),
        "used": (410, "This link has already been used", "CSC-E6304"),
    }
    for name, url in pages.items():
        response = client.get(url)
        status, heading, code = expected[name]
        body = response.content.decode()
        assert response.status_code == status, name
        assert heading in body, name
        assert code in body, name
        assert response["Cache-Control"] == "no-store"
        assert response["Referrer-Policy"] == "same-origin"
    assert "You can use it from" in client.get(pages["not yet open"]).content.decode()
    _open, token = _link()
    response = client.get(f"/r/{token}/")
    assert response.status_code == 302
    assert response["Location"] == f"/probe/{token}/"
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "/r/" not in logged
    assert used_token not in logged
    with pytest.raises(LinkUsedError):
        link_record_use(used)
    assert AnonymousLink.objects.get(pk=used.pk).uses == 1
    assert future.uses == 0


def test_bad_links_are_refused_at_creation() -> None:
    now = clock.now()
    for kwargs in (
        {"purpose": "Bad Purpose"},
        {"la_code": "9011"},
        {"opens_at": now, "closes_at": now - timedelta(hours=1)},
    ):
        with pytest.raises(LinkInvalidError, match="CSC-E6306"):
            _link(**kwargs)


def test_ten_thousand_guesses_find_nothing_and_are_throttled(
    start_page: None, settings: Any
) -> None:
    """10,000 random tokens from 500 addresses: none opens anything; everyone is cut off after
    300 failures in the global window (even a real link's holder, until the window ends).

    The guesses call the view in-process (RequestFactory: the middleware would make 10,000
    requests take a minute on a loaded machine); the full stack is exercised by the other
    tests here. The window is an hour so that it cannot end during the test.
    """
    settings.CSCEVAL_LINK_GLOBAL_WINDOW = 3600
    _real, real_token = _link()
    factory = RequestFactory()
    statuses: dict[int, int] = {}
    for n in range(10_000):
        token = secrets.token_urlsafe(32)
        request = factory.get(f"/r/{token}/", REMOTE_ADDR=f"198.51.{n % 500 // 250}.{n % 250}")
        status = open_link(request, token=token).status_code
        statuses[status] = statuses.get(status, 0) + 1
    assert statuses == {404: 300, 429: 9_700}, statuses
    assert Client(REMOTE_ADDR="192.0.2.1").get(f"/r/{real_token}/").status_code == 429
    throttled = AuditEvent.objects.filter(action="link.lookups_throttled")
    assert [e.new_values["scope"] for e in throttled] == ["global"]
    assert "198.51" not in repr(list(throttled.values()))
    cache.delete("csceval:links:fail:all")  # the window ends
    assert Client(REMOTE_ADDR="192.0.2.1").get(f"/r/{real_token}/").status_code == 302


def test_one_client_is_cut_off_alone(start_page: None) -> None:
    """A single client past 20 failures gets 429 even for a real link; others are unaffected."""
    _real, real_token = _link()
    guesser = Client(REMOTE_ADDR="198.51.100.9")
    codes = [guesser.get(f"/r/{secrets.token_urlsafe(32)}/").status_code for _ in range(25)]
    assert codes == [404] * 20 + [429] * 5
    page = guesser.get(f"/r/{real_token}/")
    assert page.status_code == 429
    assert "CSC-E6305" in page.content.decode()
    assert Client(REMOTE_ADDR="198.51.100.10").get(f"/r/{real_token}/").status_code == 302


def test_the_access_log_cannot_tie_anyone_to_a_link() -> None:
    """gunicorn's access log (csceval serve) writes no address, browser or token for a request
    to or from a link's pages, and logs other requests as before."""
    from gunicorn.config import Config

    from csceval.web.links.access_log import LinkRedactingLogger

    logger = LinkRedactingLogger(Config())
    token = secrets.token_urlsafe(32)
    response = SimpleNamespace(status="200 OK", sent=10, headers=[("Content-Type", "text/html")])
    request = SimpleNamespace(headers=[("User-Agent", BROWSER), ("X-Forwarded-For", ADDRESS)])

    def atoms(path: str, referrer: str = "") -> str:
        environ = {
            "REMOTE_ADDR": ADDRESS, "REQUEST_METHOD": "GET", "RAW_URI": path,
            "PATH_INFO": path, "SERVER_PROTOCOL": "HTTP/1.1", "HTTP_USER_AGENT": BROWSER,
            "HTTP_REFERER": referrer,
        }  # fmt: skip
        return repr(logger.atoms(response, request, environ, timedelta(seconds=1)))

    for path, referrer in ((f"/culture-survey/respond/{token}/q/a/", ""),
                           ("/assets/govuk/x.css", f"http://h/r/{token}/")):  # fmt: skip
        logged = atoms(path, referrer)
        assert token not in logged
        assert ADDRESS not in logged
        assert "Respondent-Phone" not in logged
    assert ADDRESS in atoms("/login/")
