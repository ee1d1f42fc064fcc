"""Respondent pages behind anonymous links: the decorator owning apps use, and ``/r/<token>/``.

``link_view(purpose)`` makes a view reachable without signing in (Django's
``login_not_required``, deliberately, and outside the account gate), keeps CSRF, refuses a
client or everyone past the failed-lookup limits (:mod:`csceval.web.links.throttle`), resolves
the token and answers an unknown, not-yet-open, closed or used link with its own page (404 or
410, coded CSC-E6301..E6305), never a server error. Its responses are never cached or indexed
and send a referrer only to the service itself (the token is in the address).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache, wraps
from typing import Any, Protocol

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from csceval.web.links import throttle
from csceval.web.links.models import AnonymousLink
from csceval.web.links.purposes import start_url
from csceval.web.links.services import LinkNotFoundError, LinkRefusedError, link_resolve

ANONYMOUS_LINK_ATTRIBUTE = "csceval_anonymous_link"
"""Set on every link view; the account gate lets such views through (they need no account)."""


class LinkHandler(Protocol):
    def __call__(
        self, request: HttpRequest, link: AnonymousLink, token: str, /, **kwargs: Any
    ) -> HttpResponse: ...


def _private(response: HttpResponse) -> HttpResponse:
    """Not cached, not indexed, no referrer outside the service; and not in Django's request
    log, whose 4xx lines carry the path and so the token (refusals are counted in the cache
    and audited once per window instead, :mod:`csceval.web.links.throttle`)."""
    response._has_been_logged = True  # read by django.utils.log.log_response
    response["Cache-Control"] = "no-store"
    # same-origin (the service's policy), not no-referrer: with no-referrer Chromium sends
    # "Origin: null" on the form's POST, which Django's CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def when_text(at: datetime | None) -> str:
    """``1 March 2027 at 9:00am`` in the service's time zone ('' for None)."""
    if at is None:
        return ""
    local = timezone.localtime(at)
    hour = local.strftime("%I").lstrip("0")
    return f"{local.day} {local:%B %Y} at {hour}:{local:%M}{local:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def refused_page(request: HttpRequest, refusal: LinkRefusedError) -> HttpResponse:
    """The page for a link that cannot be used (404 or 410, with its code)."""
    link = refusal.link
    context = {
        "state": refusal.state.value if refusal.state is not None else "unknown",
        "code": refusal.code,
        "opens": when_text(link.opens_at if link else None),
        "closes": when_text(link.closes_at if link and link.revoked_at is None else None),
    }
    return _private(render(request, "links/refused.html", context, status=refusal.status))


@cache
def _throttled_html() -> str:
    return render_to_string("links/throttled.html", {"code": "CSC-E6305"})


def throttled_page(request: HttpRequest, retry_after: int) -> HttpResponse:
    """429, CSC-E6305: a page rendered once per process (refusing must cost next to nothing)."""
    response = HttpResponse(_throttled_html(), status=429)
    response["Retry-After"] = str(retry_after)
    return _private(response)


def _found(request: HttpRequest, token: str, purpose: str | None, allow_used: bool) -> Any:
    """The link, or the response that refuses it."""
    refused = throttle.refused_scope(request)
    if refused is not None:
        return throttled_page(request, refused[1])
    try:
        return link_resolve(token, purpose, allow_used=allow_used)
    except LinkNotFoundError as refusal:
        throttle.count_failure(request)
        return refused_page(request, refusal)
    except LinkRefusedError as refusal:
        return refused_page(request, refusal)


def mark_anonymous(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Exempt ``view`` from sign-in and the account gate (CSRF stays on)."""
    setattr(view, ANONYMOUS_LINK_ATTRIBUTE, True)
    return login_not_required(view)


def link_view(
    purpose: str, *, allow_used: bool = False
) -> Callable[[LinkHandler], Callable[..., HttpResponse]]:
    """Decorate a respondent view ``view(request, link, token, **url_kwargs)``.

    Its URL pattern captures ``<str:token>``. The view runs only for an open link of
    ``purpose`` (``allow_used``: also for a one-response link that has its response, e.g. the
    confirmation page); a :class:`LinkRefusedError` it raises (e.g. from ``link_record_use``) is
    answered with the refusal page.
    """

    def decorate(view: LinkHandler) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
            found = _found(request, token, purpose, allow_used)
            if isinstance(found, HttpResponse):
                return found
            try:
                return _private(view(request, found, token, **kwargs))
            except LinkRefusedError as refusal:
                return refused_page(request, refusal)

        return mark_anonymous(wrapped)

    return decorate


@require_GET
def open_link(request: HttpRequest, token: str) -> HttpResponse:
    """``/r/<token>/``: the short address handed out; leads to the purpose's first page."""
    found = _found(request, token, None, False)
    if isinstance(found, HttpResponse):
        return found
    target = start_url(found.purpose, token)
    if target is None:
        return refused_page(request, LinkNotFoundError())
    return _private(HttpResponseRedirect(target))


open_link = mark_anonymous(open_link)
