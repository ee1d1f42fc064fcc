"""Who may reach each culture-survey page (read by the access-matrix test).

The respondent pages are public (an anonymous link is the key); the matrix calls them with an
open link of the actor's site.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csceval.web.access import Route
from csceval.web.permissions import Verb


def _site(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la}


def _team(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"team_id": ctx["survey_teams"][la].pk}


def _token(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"token": ctx["survey_tokens"][la]}


def _question(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"token": ctx["survey_tokens"][la], "name": "safe_1"}


ROUTES: dict[str, Route] = {
    "culture_survey:index": Route(Verb.SITE_VIEW, "any"),
    "culture_survey:site": Route(Verb.SITE_VIEW, "object", _site),
    "culture_survey:team_add": Route(
        Verb.RETURN_REVIEW,
        "object",
        _site,
        method="post",
        data={"team": "T99", "time_point": "T1", "invited": "8"},
    ),
    "culture_survey:link_new": Route(Verb.RETURN_REVIEW, "object", _team, method="post"),
    "culture_survey:link_close": Route(Verb.RETURN_REVIEW, "object", _team, method="post"),
    "culture_survey:start": Route(None, "public", _token),
    "culture_survey:begin": Route(None, "public", _token, method="post"),
    "culture_survey:resume": Route(None, "public", _token),
    "culture_survey:check": Route(None, "public", _token),
    "culture_survey:done": Route(None, "public", _token),
    "culture_survey:question": Route(None, "public", _question),
}


def objects(sites: Mapping[str, Any]) -> dict[str, Any]:
    """A survey team with an open link at each site."""
    from csceval.web.culture_survey.models import SurveyTeam
    from csceval.web.culture_survey.services import team_link_create

    teams, tokens = {}, {}
    for code, site in sites.items():
        teams[code] = SurveyTeam.objects.create(site=site, team="T01", time_point="T1", invited=9)
        _link, tokens[code] = team_link_create(actor=None, team=teams[code], closes_on=None)
    return {"survey_teams": teams, "survey_tokens": tokens}
