"""Throttling failed link lookups, per client and over all clients (in the cache).

Methodological choices (docs/security.md, "Anonymous links"):

- A lookup fails when the token is malformed, unknown or of another purpose. Each failure
  counts towards the client's window (``CSCEVAL_LINK_FAILURES_PER_CLIENT`` failures in
  ``CSCEVAL_LINK_CLIENT_WINDOW`` seconds: 20 in 10 minutes) and the global one
  (``CSCEVAL_LINK_FAILURES_GLOBAL`` in ``CSCEVAL_LINK_GLOBAL_WINDOW`` seconds: 300 a minute).
  Past either limit every lookup is refused (429, CSC-E6305) until the window ends, before any
  token is looked up: a guesser learns nothing more. The global limit stops guessing spread
  over many addresses; its price is that during such an attack real respondents also wait up
  to a minute, which a 256-bit token space makes an acceptable trade.
- The client is known only inside the cache, by a keyed hash of its address (HMAC with the
  secret key): no address, browser or time is written to the database or the log. The first
  refusal in each window is audited (``link.lookups_throttled``, with the scope only).
- Successful lookups cost nothing and are never counted.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest

PREFIX = "csceval:links"


def limits() -> dict[str, tuple[int, int]]:
    """``scope -> (failures allowed, window in seconds)``, read once per request."""
    values = [
        int(getattr(settings, name, default))
        for name, default in (
            ("CSCEVAL_LINK_FAILURES_PER_CLIENT", 20),
            ("CSCEVAL_LINK_CLIENT_WINDOW", 600),
            ("CSCEVAL_LINK_FAILURES_GLOBAL", 300),
            ("CSCEVAL_LINK_GLOBAL_WINDOW", 60),
        )
    ]
    return {"client": (values[0], values[1]), "global": (values[2], values[3])}


def _client(request: HttpRequest) -> str:
    address = str(request.META.get("REMOTE_ADDR", "")).encode("utf-8")
    key = str(settings.SECRET_KEY).encode("utf-8")
    return hmac.new(key, b"link-client:" + address, hashlib.sha256).hexdigest()[:32]


def _keys(request: HttpRequest) -> dict[str, str]:
    return {"client": f"{PREFIX}:fail:{_client(request)}", "global": f"{PREFIX}:fail:all"}


def refused_scope(request: HttpRequest) -> tuple[str, int] | None:
    """``(scope, window)`` when lookups from this request must be refused (scope ``client``
    or ``global``; the window's length in seconds), else None."""
    keys = _keys(request)
    for scope, (allowed, window) in limits().items():
        if int(cache.get(keys[scope], 0)) >= allowed:
            _audit_once(scope, window)
            return scope, window
    return None


def count_failure(request: HttpRequest) -> None:
    """Count one failed lookup for the client and for everyone."""
    keys = _keys(request)
    for scope, (_allowed, window) in limits().items():
        if not cache.add(keys[scope], 1, window):
            try:
                cache.incr(keys[scope])
            except ValueError:  # expired between add and incr: start a new window
                cache.add(keys[scope], 1, window)


def _audit_once(scope: str, window: int) -> None:
    """Audit the first refusal of each window for ``scope`` (never who was refused)."""
    if not cache.add(f"{PREFIX}:audited:{scope}", 1, window):
        return
    from csceval.web.audit_trail.services import audit_record

    with transaction.atomic():
        audit_record(
            actor="anonymous",
            action="link.lookups_throttled",
            object_type="anonymous_link",
            new_values={"scope": scope, "code": "CSC-E6305"},
        )
