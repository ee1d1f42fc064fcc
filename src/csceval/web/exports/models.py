"""A record of every export made (who, what, scope, format, de-identification, purpose)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ExportRecord(models.Model):
    """One export. The file itself is not kept; its sha256 identifies it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    dataset = models.CharField(max_length=64)
    level = models.CharField(max_length=16)
    file_format = models.CharField(max_length=8)
    deidentified = models.BooleanField(default=False)
    purpose = models.TextField(blank=True)
    la_codes = models.JSONField(default=list)
    rows = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def audit_values(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "level": self.level,
            "format": self.file_format,
            "deidentified": self.deidentified,
            "purpose": self.purpose,
            "la_codes": self.la_codes,
            "rows": self.rows,
            "sha256": self.sha256,
        }
