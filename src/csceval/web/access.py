"""What each URL needs: the access rules the access-matrix test checks for every actor; and the
service's 405 page (Django answers a refused method with an empty body).

The platform's apps declare theirs in the test; a strand's web app declares its own in an
``access`` module (``ROUTES`` and ``objects``), which the test and the URL wiring find through
the strand registry, so adding a strand's pages never edits a shared file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import Any

from csceval.web.permissions import Verb

SCOPES = ("public", "signed-in", "any", "all", "object", "maker")


@dataclass(frozen=True)
class Route:
    """How to call one URL pattern and what it needs.

    ``scope``: ``public`` (anyone), ``signed-in`` (any signed-in user), ``any`` (the verb on at
    least one LA), ``all`` (the verb on every site, ``*``), ``object`` (the verb on the LA of the
    object in the URL; called for an object of the actor's LA and one of another LA), ``maker``
    (an object another user made, e.g. an export: only its maker, or the verb on every site;
    anyone else gets 404).
    ``kwargs(ctx, la)`` builds the URL's arguments from the objects the app's ``objects`` made.
    """

    verb: Verb | None
    scope: str
    kwargs: Callable[[dict[str, Any], str], dict[str, Any]] = field(default=lambda ctx, la: {})
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    ends_at_login: bool = False
    """Success is a redirect to the login page (signing out)."""


ObjectMaker = Callable[[Mapping[str, Any]], dict[str, Any]]
"""Given the sites by LA code, create the app's objects for each LA; return them for ``kwargs``."""


def strand_access_modules() -> Iterator[ModuleType]:
    """The ``access`` module of every registered strand's web app."""
    from csceval.registry import registered_strands

    for strand in registered_strands():
        if strand.web is not None:
            yield import_module(strand.web.access)


def strand_routes() -> dict[str, Route]:
    """Every strand web app's routes, by namespaced URL name."""
    routes: dict[str, Route] = {}
    for module in strand_access_modules():
        routes.update(module.ROUTES)
    return routes


def strand_objects(sites: Mapping[str, Any]) -> dict[str, Any]:
    """Objects of every strand web app for each of ``sites`` (for the access-matrix test)."""
    made: dict[str, Any] = {}
    for module in strand_access_modules():
        maker: ObjectMaker = module.objects
        made.update(maker(sites))
    return made


class MethodNotAllowedPageMiddleware:
    """Give a 405 answer the service's error page (Django's is an empty body).

    Views refuse a method with ``require_http_methods``, which answers an empty
    ``HttpResponseNotAllowed``; this fills it with ``405.html`` and keeps its ``Allow`` header.
    Listed after the CSP middleware, so the page gets its nonce and its headers.
    """

    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        if response.status_code != 405 or getattr(response, "streaming", False) or response.content:
            return response
        from django.shortcuts import render

        page = render(request, "405.html", {"method": request.method}, status=405)
        page["Allow"] = response.get("Allow", "")
        return page
