"""Links other apps add to a site's page (e.g. its data returns), each already authorized."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SiteLinks = Callable[[Any, Any], list[dict[str, str]]]
"""``(request, site) -> [{"text": ..., "href": ...}]``: links the user may follow."""

_providers: list[SiteLinks] = []


def register_site_links(provider: SiteLinks) -> None:
    if provider not in _providers:
        _providers.append(provider)


def site_links(request: Any, site: Any) -> list[dict[str, str]]:
    return [link for provider in _providers for link in provider(request, site)]
