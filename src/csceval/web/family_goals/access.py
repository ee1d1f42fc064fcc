"""Who may reach each family-goal page (read by the access-matrix test)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from csceval.web.access import Route
from csceval.web.permissions import Verb


def _site(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la}


def _family(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"family_id": ctx["goal_families"][la].pk}


def _goal(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"family_id": ctx["goal_families"][la].pk, "goal": "G1"}


def _rate(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"family_id": ctx["goal_families"][la].pk, "rater": "worker", "entry": 1}


def _imported(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la, "time_point": "T1", "family": f"P-{la}I"}


def _token(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"token": ctx["goal_links"][la]}


ROUTES: dict[str, Route] = {
    "family_goals:index": Route(Verb.CASE_VIEW, "any"),
    "family_goals:families": Route(Verb.CASE_VIEW, "object", _site),
    "family_goals:family_add": Route(Verb.CASE_AUDIT, "object", _site, method="post"),
    "family_goals:family": Route(Verb.CASE_VIEW, "object", _family),
    "family_goals:goal_new": Route(Verb.CASE_AUDIT, "object", _family),
    "family_goals:goal_edit": Route(Verb.CASE_AUDIT, "object", _goal),
    "family_goals:rate": Route(Verb.CASE_AUDIT, "object", _rate),
    "family_goals:concordance": Route(Verb.CASE_AUDIT, "object", _family),
    "family_goals:parent_link": Route(Verb.CASE_AUDIT, "object", _family, method="post"),
    "family_goals:parent_link_withdraw": Route(Verb.CASE_AUDIT, "object", _family, method="post"),
    "family_goals:imported_family": Route(Verb.CASE_VIEW, "object", _imported),
    "family_goals:parent_rate": Route(None, "public", _token),
    "family_goals:parent_done": Route(None, "public", _token),
}


def objects(sites: Mapping[str, Any]) -> dict[str, Any]:
    """A T1 family with one goal and a parent's rating link for each site."""
    from datetime import date

    from csceval.web.family_goals.models import Family, Goal
    from csceval.web.family_goals.parent import PURPOSE, object_key
    from csceval.web.links.services import link_create

    families, tokens = {}, {}
    for code, site in sites.items():
        families[code] = Family.objects.create(site=site, time_point="T1", pseudonym=f"P-{code}A")
        Goal.objects.create(
            family=families[code], goal="G1", source="plan", description="Goal",
            level_0="Expected", weight=1, set_on=date(2018, 6, 1),
        )  # fmt: skip
        _, tokens[code] = link_create(
            actor=None, purpose=PURPOSE, la_code=code, object_key=object_key(families[code])
        )
    _imported_project(list(sites))
    return {"goal_families": families, "goal_links": tokens}


def _imported_project(codes: list[str]) -> None:
    """An imported family (data/family_goals.csv) at each site, for the detail page."""
    import hashlib

    from csceval.strands.family_goals.tables import FAMILY_GOALS
    from csceval.web.evaluation.models import ProjectFile

    lines = ["la_code,time_point,family,goal,source,description,level_0,weight,set_on"]
    lines += [f"{code},T1,P-{code}I,G1,plan,Goal,Expected,1,2018-06-01" for code in codes]
    content = ("\n".join(lines) + "\n").encode()
    ProjectFile.objects.update_or_create(
        path=FAMILY_GOALS.file,
        defaults={"content": content, "sha256": hashlib.sha256(content).hexdigest()},
    )
