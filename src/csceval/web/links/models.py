"""AnonymousLink: one link that opens an owning app's pages without signing in.

Only the SHA-256 of the token is stored: a copy of the database cannot rebuild a working link.
Nothing about the people who open a link is stored (no address, no browser, no time of use);
``uses`` counts the responses the owning app recorded through it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AnonymousLink(models.Model):
    token_sha256 = models.CharField(max_length=64, unique=True, editable=False)
    purpose = models.CharField(max_length=40)
    """Set by the owning app, e.g. ``culture_survey``, ``goal_rating``, ``scoping``."""
    la_code = models.CharField(max_length=3, null=True, blank=True)
    """The LA the link belongs to; None for a link that is not an LA's (e.g. national)."""
    object_key = models.CharField(max_length=128, blank=True)
    """Opaque to this app: the owning app's key of what the link is for (e.g. a team)."""
    label = models.CharField(max_length=120, blank=True)
    """What evaluators see in lists (e.g. "Team T03, T1"); never shown to respondents."""
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    one_response = models.BooleanField(default=False)
    uses = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["purpose", "la_code", "object_key", "created_at"]
        indexes = [models.Index(fields=["purpose", "la_code", "object_key"])]

    def __str__(self) -> str:
        return f"{self.purpose} link #{self.pk} ({self.label or self.object_key})"
