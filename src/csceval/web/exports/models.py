"""A record of every export made (who, what, scope, format, de-identification, purpose), and
the export jobs asked for on the web."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from csceval.web.evaluation.models import JobState


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


class ExportJob(JobState):
    """One export asked for on the web, made by the background worker.

    ``file`` is the zip's path relative to ``CSCEVAL_DATA_DIR`` (empty until it is written);
    ``record`` is the :class:`ExportRecord` of what was made. Only the requester (or an
    evaluation admin) may see the job or download its file; see :mod:`.jobs`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    dataset = models.CharField(max_length=64)
    file_format = models.CharField(max_length=8)
    deidentified = models.BooleanField(default=False)
    purpose = models.TextField(blank=True)
    file = models.CharField(max_length=500, blank=True)
    record = models.ForeignKey(
        ExportRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta(JobState.Meta):
        pass

    def audit_values(self) -> dict[str, object]:
        return {
            "dataset": self.dataset,
            "format": self.file_format,
            "deidentified": self.deidentified,
            "purpose": self.purpose,
        }
