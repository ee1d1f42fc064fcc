"""Middleware for session limits, first-login and 2FA gates, and no-store caching.

Methodological choices (security checklist SEC-C2, C3, C6, B1, B5):

- Sessions end after 30 minutes without a request or 12 hours after sign-in, whichever comes
  first (``CSCEVAL_SESSION_IDLE`` and ``CSCEVAL_SESSION_ABSOLUTE``). The server-side session is
  deleted (not just the cookie) and the end is audited.
- A user whose account must change its one-time password, or who must use 2FA, can reach only the
  page that resolves it, sign-out and the accessibility statement until it is resolved. An expired
  one-time password ends the session.
- Every response to a signed-in user carries ``Cache-Control: no-store``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from csceval.web.security import clock

AUTH_AT = "csceval_auth_at"
SEEN_AT = "csceval_seen_at"
ALWAYS_OPEN = frozenset({"logout", "accessibility"})
SEEN_RESOLUTION = timedelta(seconds=60)
"""The last-seen time is saved at most once a minute (not a session write on every request), so
a session ends between 30 and 31 minutes after its last request."""


def _read_time(session: Any, key: str) -> datetime | None:
    value = session.get(key)
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def mark_session_start(session: Any, at: datetime | None = None) -> None:
    """Record sign-in time (called when a user logs in)."""
    stamp = (at or clock.now()).isoformat()
    session[AUTH_AT] = stamp
    session[SEEN_AT] = stamp


def end_session(request: HttpRequest, *, reason: str) -> None:
    """Delete the server-side session, audit why, and continue as an anonymous user."""
    from csceval.web.audit_trail.services import audit_record

    user = request.user
    with transaction.atomic():
        audit_record(
            actor=user.get_username(),
            action="auth.session_ended",
            object_type="user",
            object_id=str(user.pk),
            new_values={"reason": reason},
        )
    request.session.flush()
    request.user = AnonymousUser()


class SessionLimitsMiddleware:
    """End sessions idle for longer than the idle limit or older than the absolute limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = clock.now()
            started = _read_time(request.session, AUTH_AT)
            seen = _read_time(request.session, SEEN_AT)
            if started is None:
                mark_session_start(request.session, now)
            elif now - started > settings.CSCEVAL_SESSION_ABSOLUTE:
                end_session(request, reason="absolute_timeout")
            elif seen is not None and now - seen > settings.CSCEVAL_SESSION_IDLE:
                end_session(request, reason="idle_timeout")
            elif seen is None or now - seen >= SEEN_RESOLUTION:
                request.session[SEEN_AT] = now.isoformat()
        return self.get_response(request)


class AccountGateMiddleware:
    """Send users who must verify 2FA, change a one-time password or set up 2FA to that page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or getattr(view_func, "csceval_anonymous_link", False):
            return None  # anonymous-link pages need no account (csceval.web.links)
        from csceval.web.accounts.gates import pending_gate, with_next
        from csceval.web.accounts.models import AccountState

        match = request.resolver_match
        name = match.url_name if match is not None else None
        state = (  # read by AccountBackend.get_user for this request, else here
            user._csceval_account_state
            if hasattr(user, "_csceval_account_state")
            else AccountState.objects.filter(user=user).first()
        )
        if state is not None and state.one_time_password_expired(clock.now()):
            end_session(request, reason="one_time_password_expired")
            return redirect(settings.LOGIN_URL)
        if name in ALWAYS_OPEN:
            return None
        verified = bool(getattr(user, "is_verified", lambda: False)())
        needed = pending_gate(user, verified=verified, state=state)
        if needed is None or name == needed:
            return None
        here = request.get_full_path()
        return redirect(with_next(needed, "" if here == "/" else here))


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every response to a signed-in user (SEC-C6)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response
