"""A pilot's self-profile at one time point: a 0-10 rating and evidence per element.

Status goes draft -> submitted (the LA coordinator) -> reviewed (an evaluator), or back to draft
when the evaluator returns it. Only reviewed profiles are analysed; submitted ones are exported
with their status so the core can tell them apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from csceval.web.evaluation.models import Site


class ProfileStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    REVIEWED = "reviewed", "Reviewed"


class SelfProfile(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="self_profiles")
    time_point = models.CharField(max_length=32)
    status = models.CharField(
        max_length=16, choices=ProfileStatus.choices, default=ProfileStatus.DRAFT
    )
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["site__la_code", "time_point"]
        constraints = [
            models.UniqueConstraint(fields=["site", "time_point"], name="profile_unique_site_tp")
        ]

    @property
    def la_code(self) -> str:
        return str(self.site.la_code)

    def contents(self) -> dict[str, dict[str, str]]:
        """Ratings and evidence by element, as the audit trail records them."""
        return {
            r.element: {"rating": "" if r.rating is None else str(r.rating), "evidence": r.evidence}
            for r in self.ratings.all()
        }


class SelfProfileRating(models.Model):
    profile = models.ForeignKey(SelfProfile, on_delete=models.CASCADE, related_name="ratings")
    element = models.CharField(max_length=64)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True)

    class Meta:
        ordering = ["element"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "element"], name="rating_unique_element"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__lte=10),
                name="rating_0_to_10",
            ),
        ]
