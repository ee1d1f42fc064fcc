"""Where each purpose's links lead: owning apps register their first page in ``ready()``."""

from __future__ import annotations

from collections.abc import Callable

StartUrl = Callable[[str], str]
"""Given a token, the URL of the purpose's first page (e.g. a ``reverse`` call)."""

_START: dict[str, StartUrl] = {}


def register_purpose(purpose: str, start_url: StartUrl) -> None:
    """Make ``/r/<token>/`` of a ``purpose`` link redirect to ``start_url(token)``."""
    _START[purpose] = start_url


def start_url(purpose: str, token: str) -> str | None:
    """The first page of a ``purpose`` link, or None when no app registered the purpose."""
    start = _START.get(purpose)
    return start(token) if start is not None else None


def registered_purposes() -> tuple[str, ...]:
    return tuple(sorted(_START))
