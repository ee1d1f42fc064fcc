"""Reads for the evaluator pages: teams with live response counts and rates, protected by k.

A team's count and rate appear only when the strand's anonymity rule
(:func:`csceval.strands.culture_survey.anonymity.shown_teams`: at least k responses, with
complementary suppression within the site) would show the team; otherwise "fewer than k".
A site's total is shown when it reaches k (below that it could be one small team's count).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Count

from csceval.strands.culture_survey.anonymity import MIN_TEAM_RESPONSES, shown_teams
from csceval.web.culture_survey.models import SurveyAnswer, SurveyTeam
from csceval.web.culture_survey.services import PURPOSE
from csceval.web.links.models import AnonymousLink
from csceval.web.links.services import link_state


@dataclass(frozen=True)
class TeamRow:
    team: SurveyTeam
    responses: int | None
    """None when the team may not be shown on its own (fewer than k, or complementary)."""
    rate: float | None
    link: AnonymousLink | None
    state: str


@dataclass(frozen=True)
class SiteSurvey:
    la_code: str
    time_point: str
    teams: list[TeamRow]
    responses: int
    invited: int

    k: int = MIN_TEAM_RESPONSES

    @property
    def shown_responses(self) -> int | None:
        """The site's total, unless under k (it would be one small team's count)."""
        return self.responses if self.responses >= self.k else None

    @property
    def rate(self) -> float | None:
        shown = self.shown_responses
        return shown / self.invited if shown is not None and self.invited else None


def response_counts(la_codes: list[str]) -> dict[int, int]:
    """Responses per team id (distinct response ids)."""
    counted = (
        SurveyAnswer.objects.filter(team__site__la_code__in=la_codes)
        .values("team_id")
        .annotate(n=Count("response_id", distinct=True))
    )
    return {row["team_id"]: row["n"] for row in counted}


def site_surveys(la_codes: list[str], k: int = MIN_TEAM_RESPONSES) -> list[SiteSurvey]:
    """Each site's teams by time point, with k-protected counts and their latest links."""
    teams = list(SurveyTeam.objects.select_related("site").filter(site__la_code__in=la_codes))
    counts = response_counts(la_codes)
    links: dict[str, AnonymousLink] = {}
    for link in AnonymousLink.objects.filter(
        purpose=PURPOSE, object_key__in=[str(t.pk) for t in teams]
    ).order_by("created_at"):
        links[link.object_key] = link
    sizes = pd.DataFrame(
        [(t.site.la_code, t.team, t.time_point, counts.get(t.pk, 0)) for t in teams],
        columns=["la_code", "team", "time_point", "n"],
    )
    shown = shown_teams(sizes, k) if len(sizes) else set()
    out: dict[tuple[str, str], list[TeamRow]] = {}
    for t in teams:
        n = counts.get(t.pk, 0)
        visible = (t.site.la_code, t.team, t.time_point) in shown
        link = links.get(str(t.pk))
        out.setdefault((t.site.la_code, t.time_point), []).append(
            TeamRow(
                team=t,
                responses=n if visible else None,
                rate=n / t.invited if visible and t.invited else None,
                link=link,
                state=link_state(link).value if link else "none",
            )
        )
    return [
        SiteSurvey(
            la_code=code,
            time_point=tp,
            teams=rows,
            responses=sum(counts.get(r.team.pk, 0) for r in rows),
            invited=sum(r.team.invited for r in rows),
            k=k,
        )
        for (code, tp), rows in sorted(out.items())
    ]
