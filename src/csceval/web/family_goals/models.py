"""Families of the goals sample, their goals, review ratings and goal-concordance decisions.

By pseudonym only: a :class:`Family` is one family of a site's sample at one fieldwork time
point (the review), known by its pseudonym (``P-`` and capitals or digits), never a name or
case number. Each :class:`Goal` is one goal of the plan, of the social worker or of the parent
with its five-level attainment scale; each :class:`GoalRating` one rating of one goal at review
by the worker or the parent (entry 1, or entry 2: a second data entry of the same paper form).
A :class:`ConcordanceDecision` records a person's verdict on whether a parent's goal is a
worker's goal in other words.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from csceval.web.evaluation.models import Site


class Family(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="goal_families")
    time_point = models.CharField(max_length=32)
    pseudonym = models.CharField(max_length=66)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["site__la_code", "time_point", "pseudonym"]
        constraints = [
            models.UniqueConstraint(
                fields=["site", "time_point", "pseudonym"], name="goal_family_unique"
            )
        ]

    @property
    def la_code(self) -> str:
        return str(self.site.la_code)


class GoalSource(models.TextChoices):
    PLAN = "plan", "The family's plan"
    WORKER = "worker", "The social worker's stated goal"
    PARENT = "parent", "The parent's stated goal"


class Goal(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="goals")
    goal = models.CharField(max_length=16)
    source = models.CharField(max_length=8, choices=GoalSource.choices)
    description = models.TextField()
    level_m2 = models.TextField(blank=True)
    level_m1 = models.TextField(blank=True)
    level_0 = models.TextField()
    level_p1 = models.TextField(blank=True)
    level_p2 = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    baseline = models.SmallIntegerField(null=True, blank=True)
    set_on = models.DateField()

    class Meta:
        ordering = ["family", "goal"]
        constraints = [
            models.UniqueConstraint(fields=["family", "goal"], name="family_goal_unique"),
            models.CheckConstraint(condition=models.Q(weight__gt=0), name="goal_weight_positive"),
        ]


class RaterRole(models.TextChoices):
    WORKER = "worker", "Social worker"
    PARENT = "parent", "Parent"


class GoalRating(models.Model):
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    rater_role = models.CharField(max_length=8, choices=RaterRole.choices)
    entry = models.PositiveSmallIntegerField()
    rating = models.SmallIntegerField(null=True, blank=True)
    rated_on = models.DateField(null=True, blank=True)
    via = models.CharField(max_length=8)
    """``form`` (the worker's own rating), ``paper`` (a parent's paper form entered by a
    worker) or ``link`` (the parent's own answer through the rating link)."""
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["goal", "rater_role", "entry"]
        constraints = [
            models.UniqueConstraint(
                fields=["goal", "rater_role", "entry"], name="goal_rating_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(entry__in=[1, 2]), name="goal_rating_entry_1_2"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=-2, rating__lte=2),
                name="goal_rating_level",
            ),
        ]


class ConcordanceDecision(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="concordance")
    parent_goal = models.CharField(max_length=16)
    worker_goal = models.CharField(max_length=16, blank=True)
    similarity = models.FloatField()
    accepted = models.BooleanField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family", "parent_goal"]
        constraints = [
            models.UniqueConstraint(
                fields=["family", "parent_goal"], name="concordance_unique_parent_goal"
            )
        ]
