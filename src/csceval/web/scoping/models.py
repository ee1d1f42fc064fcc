"""The framework register kept as history, and the scoping-survey responses.

Methodological choices:

- A register episode (one LA using one framework from ``started`` to ``ended``) is never
  overwritten. Each change writes a new *version* of the episode and marks the one it replaces
  as superseded, so the register can be read as recorded at any moment, and each LA's history
  shows every version with who changed it, when and why. Withdrawing an episode (recorded in
  error) is a version too. The current register is the versions not superseded and not
  withdrawn.
- The register of an imported project is read into versions once per imported file
  (:class:`ImportedFile` remembers the file's hash): re-importing the platform's own export
  changes nothing; a different file's episodes replace the current ones as new versions.
- A response keeps the respondent's role, never a name. ``link_key`` is the anonymous link
  it came through (its LA is the link's), so a link reaches only its own answer.
"""

from __future__ import annotations

import uuid

from django.db import models

from csceval.project.tables import FRAMEWORK_REGISTER
from csceval.strands.scoping.tables import REVIEW_STATUSES, ROLES


def _choices(column: str) -> list[tuple[str, str]]:
    allowed = FRAMEWORK_REGISTER.column(column).allowed or ()
    return [(v, v.replace("_", " ").capitalize()) for v in allowed]


class RegisterEpisode(models.Model):
    """One version of one episode of the framework register."""

    episode = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveSmallIntegerField(default=1)
    la_code = models.CharField(max_length=3)
    framework = models.CharField(max_length=200)
    extent = models.CharField(max_length=16, choices=_choices("extent"))
    started = models.DateField(null=True, blank=True)
    ended = models.DateField(null=True, blank=True)
    precision = models.CharField(max_length=8, blank=True, choices=_choices("precision"))
    training = models.CharField(max_length=16, choices=_choices("training"))
    licensing = models.CharField(max_length=16, choices=_choices("licensing"))
    source = models.CharField(max_length=24, choices=_choices("source"))
    confidence = models.CharField(max_length=8, choices=_choices("confidence"))
    recorded = models.DateField(null=True, blank=True)
    withdrawn = models.BooleanField(default=False)
    reason = models.CharField(max_length=500, blank=True)
    changed_by = models.CharField(max_length=150)
    changed_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["la_code", "framework", "started", "changed_at"]
        indexes = [models.Index(fields=["la_code"], name="scoping_episode_la")]
        constraints = [
            models.UniqueConstraint(fields=["episode", "version"], name="episode_unique_version"),
            models.UniqueConstraint(
                fields=["episode"],
                condition=models.Q(superseded_at__isnull=True),
                name="episode_one_current_version",
            ),
        ]

    def register_values(self) -> dict[str, object]:
        """The episode as a register row (the schema's columns)."""
        return {c: getattr(self, c) for c in FRAMEWORK_REGISTER.column_names}

    def audit_values(self) -> dict[str, str]:
        """The episode as the audit trail records it (text values)."""
        values = {c: "" if v is None else str(v) for c, v in self.register_values().items()}
        return {**values, "version": str(self.version), "withdrawn": str(self.withdrawn)}


class ImportedFile(models.Model):
    """The hash of the imported project file last read into the platform's tables."""

    path = models.CharField(max_length=300, unique=True)
    sha256 = models.CharField(max_length=64)
    read_at = models.DateTimeField(auto_now=True)


class ResponseOrigin(models.TextChoices):
    IMPORTED = "imported", "Imported with the project"
    UPLOAD = "upload", "Uploaded file"
    LINK = "link", "Survey link"


class ScopingResponse(models.Model):
    """One LA's answer to the scoping survey (the strand's ``scoping_responses`` row)."""

    response_id = models.CharField(max_length=40, unique=True)
    la_code = models.CharField(max_length=3)
    respondent_role = models.CharField(max_length=32, choices=[(r, r) for r in ROLES])
    frameworks = models.CharField(max_length=500)
    extent = models.CharField(max_length=16, choices=_choices("extent"))
    since = models.CharField(max_length=10, blank=True)
    training = models.CharField(max_length=16, choices=_choices("training"))
    licensing = models.CharField(max_length=16, choices=_choices("licensing"))
    received = models.DateField()
    review_status = models.CharField(
        max_length=8, choices=[(s, s) for s in REVIEW_STATUSES], default="pending"
    )
    reviewed = models.DateField(null=True, blank=True)
    origin = models.CharField(max_length=8, choices=ResponseOrigin.choices)
    link_key = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["response_id"]
        indexes = [
            models.Index(fields=["la_code"], name="scoping_response_la"),
            models.Index(fields=["link_key"], name="scoping_response_link"),
        ]

    def row(self) -> dict[str, object]:
        """The response as a ``scoping_responses`` row."""
        from csceval.strands.scoping.tables import SCOPING_RESPONSES

        return {c: getattr(self, c) for c in SCOPING_RESPONSES.column_names}
