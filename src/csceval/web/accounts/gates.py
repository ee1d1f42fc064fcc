"""Where a signed-in person goes next, keeping the page they asked for (``?next=``).

The order is the account gate's (``security.middleware.AccountGateMiddleware``): verify 2FA if
the person has a device, then replace a one-time password, then set up 2FA if their role needs
it. Each gate page sends the person on to the next gate with the same ``next``, then to ``next``
itself, so a link followed before signing in still opens after the 2FA code.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from csceval.web.accounts import mfa
from csceval.web.accounts.models import AccountState


def safe_next(request: HttpRequest) -> str:
    """The ``next`` of the request if it is a path on this site; else ''."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if target and allowed else ""


_UNREAD: Any = object()


def pending_gate(user: Any, *, verified: bool, state: Any = _UNREAD) -> str | None:
    """The URL name of the gate the person must pass next, or None. ``state``: the person's
    AccountState (or None) when the caller has just read it."""
    if state is _UNREAD:
        state = AccountState.objects.filter(user=user).first()
    if not verified and mfa.has_confirmed_device(user):
        return "mfa_verify"
    if state is not None and state.must_change_password:
        return "password_change"
    if not verified and mfa.mfa_required(user):
        return "mfa_setup"
    return None


def with_next(name: str, next_url: str) -> str:
    """``reverse(name)`` with ``?next=`` when there is somewhere to go afterwards."""
    url = reverse(name)
    return f"{url}?{urlencode({'next': next_url})}" if next_url else url


def continue_url(request: HttpRequest, next_url: str) -> str:
    """After a gate is passed: the next gate (keeping ``next``), else ``next``, else home."""
    user: Any = request.user
    verified = bool(getattr(user, "is_verified", lambda: False)())
    gate = pending_gate(user, verified=verified)
    if gate is not None:
        return with_next(gate, next_url)
    return next_url or resolve_url(settings.LOGIN_REDIRECT_URL)
