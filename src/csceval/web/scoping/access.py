"""Who may reach each national-scoping page (read by the access-matrix test).

The register, the map and the survey compare every LA in England side by side, so reading them
needs ``cross_la.view`` on every site; changing the register, uploading responses and reviewing
them is the evaluators' review duty, ``return.review`` on every site. The survey page an LA
answers is reached through its anonymous link only (public, the token is the key).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csceval.web.access import Route
from csceval.web.permissions import Verb


def _la(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la}


def _episode(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la, "episode": ctx["scoping_episodes"][la].episode}


def _response(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"response_id": ctx["scoping_responses"][la].response_id}


def _token(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"token": ctx["scoping_tokens"][la]}


ROUTES: dict[str, Route] = {
    "scoping:index": Route(Verb.CROSS_LA_VIEW, "all"),
    "scoping:map": Route(Verb.CROSS_LA_VIEW, "all"),
    "scoping:survey": Route(Verb.CROSS_LA_VIEW, "all"),
    "scoping:la": Route(Verb.CROSS_LA_VIEW, "all", _la),
    "scoping:response": Route(Verb.CROSS_LA_VIEW, "all", _response),
    "scoping:upload": Route(Verb.RETURN_REVIEW, "all"),
    "scoping:episode_new": Route(Verb.RETURN_REVIEW, "all", _la),
    "scoping:episode_edit": Route(Verb.RETURN_REVIEW, "all", _episode),
    "scoping:links": Route(Verb.RETURN_REVIEW, "all"),
    "scoping:respond": Route(None, "public", _token),
}


def objects(sites: Mapping[str, Any]) -> dict[str, Any]:
    """For each site: its LA in the LA reference, a register episode, a pending response and an
    open survey link."""
    from datetime import date

    from django.utils import timezone

    from csceval.web.evaluation.models import LocalAuthority
    from csceval.web.links.services import link_create
    from csceval.web.scoping.models import RegisterEpisode, ScopingResponse

    episodes, responses, tokens = {}, {}, {}
    for code, site in sites.items():
        LocalAuthority.objects.get_or_create(
            la_code=code,
            defaults={
                "gss_code": f"E06000{code}",
                "la_name": site.name,
                "region_code": "E12000001",
                "region_name": "North East",
                "first_year": 2010,
            },
        )
        episodes[code] = RegisterEpisode.objects.create(
            la_code=code, framework="F", extent="whole_service", training="unknown",
            licensing="unknown", source="desk_review", confidence="medium",
            changed_by="test", changed_at=timezone.now(),
        )  # fmt: skip
        responses[code] = ScopingResponse.objects.create(
            response_id=f"R-{code}", la_code=code, respondent_role="other", frameworks="F",
            extent="whole_service", training="unknown", licensing="unknown",
            received=date(2020, 1, 6), origin="upload",
        )  # fmt: skip
        _link, tokens[code] = link_create(
            actor=None, purpose="scoping", la_code=code, object_key=code
        )
    return {"scoping_episodes": episodes, "scoping_responses": responses, "scoping_tokens": tokens}
