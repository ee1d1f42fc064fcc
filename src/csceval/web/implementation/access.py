"""Who may reach each self-profile page (read by the access-matrix test)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csceval.web.access import Route
from csceval.web.permissions import Verb


def _profile(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la, "time_point": "T1"}


ROUTES: dict[str, Route] = {
    "implementation:index": Route(Verb.SITE_VIEW, "any"),
    "implementation:profile": Route(Verb.SITE_VIEW, "object", _profile),
    "implementation:review": Route(Verb.RETURN_REVIEW, "object", _profile, method="post"),
}


def objects(sites: Mapping[str, Any]) -> dict[str, Any]:
    """A submitted T1 self-profile for each site."""
    from csceval.web.implementation.models import SelfProfile

    for site in sites.values():
        SelfProfile.objects.create(site=site, time_point="T1", status="submitted")
    return {}
