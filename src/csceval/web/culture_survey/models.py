"""Survey teams (with their invited-staff counts), drafts in progress and submitted answers.

Nothing here records who answered: an answer row holds a random response id, the team (through
the link that was used), the item and the value; no time, address or browser. A draft is found
only through its browser key (a cookie) or its resume code, both stored as keyed hashes.
"""

from __future__ import annotations

from django.db import models

from csceval.web.evaluation.models import Site
from csceval.web.links.models import AnonymousLink


class SurveyTeam(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="survey_teams")
    team = models.CharField(max_length=20)
    time_point = models.CharField(max_length=20)
    invited = models.PositiveIntegerField()

    class Meta:
        ordering = ["site__la_code", "time_point", "team"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "team", "time_point"], name="survey_team_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.site.la_code} {self.team} {self.time_point}"


class SurveyDraft(models.Model):
    """Answers saved before the check-answers page; deleted when submitted."""

    link = models.ForeignKey(AnonymousLink, on_delete=models.CASCADE, related_name="+")
    browser_key = models.CharField(max_length=64, unique=True)
    resume_code = models.CharField(max_length=64, null=True, unique=True)
    answers = models.JSONField(default=dict)
    updated_on = models.DateField()
    """The day only: enough to clear drafts left for months, too coarse to date a response."""


class SurveyAnswer(models.Model):
    team = models.ForeignKey(SurveyTeam, on_delete=models.PROTECT, related_name="answers")
    response_id = models.CharField(max_length=20)
    item = models.CharField(max_length=100)
    value = models.TextField(blank=True)

    class Meta:
        ordering = ["response_id", "item"]
        constraints = [
            models.UniqueConstraint(fields=["response_id", "item"], name="survey_answer_unique")
        ]
