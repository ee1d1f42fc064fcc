"""The evaluation in the database: set-up, sites, the LA reference tables, indicator values and
other project files, and analysis runs (and the state every background job records).

The database mirrors an evaluation project folder so that ``csceval export-project`` and
``import-project`` are a lossless round trip: settings and sites are structured (the web edits
them), the reference tables and indicator values are rows, and any other project file (a later
strand's table) is kept verbatim as a :class:`ProjectFile`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from csceval.project.settings import SITE_ROLES
from csceval.web.accounts.models import la_code_validator


class EvaluationSetup(models.Model):
    """The one evaluation of this database: ``evaluation.toml`` without its sites (JSON)."""

    settings_json = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def current(cls) -> EvaluationSetup | None:
        return cls.objects.order_by("pk").first()


class Site(models.Model):
    """A site of the evaluation: a pilot, an exited pilot, a contrast site or a named comparator."""

    la_code = models.CharField(max_length=3, unique=True, validators=[la_code_validator])
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=[(r, r.capitalize()) for r in SITE_ROLES])
    framework = models.CharField(max_length=200, blank=True)
    implementation_start = models.DateField(null=True, blank=True)
    fully_embedded = models.DateField(null=True, blank=True)
    exit_date = models.DateField(null=True, blank=True)
    neighbour_group = models.CharField(max_length=200, blank=True)
    adoption_source = models.TextField(blank=True)
    """Where the adoption dates come from (``[[sites]] adoption_source``); the report quotes it."""

    class Meta:
        ordering = ["la_code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.la_code})"

    def audit_values(self) -> dict[str, str]:
        return {
            f.name: "" if getattr(self, f.name) is None else str(getattr(self, f.name))
            for f in self._meta.fields
            if f.name != "id"
        }


class LocalAuthority(models.Model):
    la_code = models.CharField(max_length=3, unique=True)
    gss_code = models.CharField(max_length=9)
    la_name = models.CharField(max_length=200)
    region_code = models.CharField(max_length=9)
    region_name = models.CharField(max_length=100)
    first_year = models.IntegerField()
    last_year = models.IntegerField(null=True, blank=True)
    neighbour_group = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["la_code"]


class StatisticalNeighbour(models.Model):
    la_code = models.CharField(max_length=3)
    rank = models.PositiveSmallIntegerField()
    neighbour_code = models.CharField(max_length=3)
    closeness = models.CharField(max_length=32, blank=True)
    model = models.CharField(max_length=8, blank=True)
    """DfE's statistical-neighbour model the row comes from ("2021", "2025"; "" unknown)."""

    class Meta:
        ordering = ["la_code", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["la_code", "rank"], name="neighbour_unique_rank")
        ]


class Reorganisation(models.Model):
    year = models.IntegerField()
    old_la_code = models.CharField(max_length=3)
    new_la_code = models.CharField(max_length=3)
    kind = models.CharField(max_length=16)

    class Meta:
        ordering = ["year", "old_la_code", "new_la_code"]


class IndicatorValue(models.Model):
    """One published LA x year value (as text, so DfE symbols such as ``c`` survive)."""

    la_code = models.CharField(max_length=3)
    year = models.IntegerField()
    indicator = models.CharField(max_length=64)
    value = models.CharField(max_length=32)

    class Meta:
        ordering = ["la_code", "year", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["la_code", "year", "indicator"], name="indicator_value_unique"
            )
        ]


class ProjectFile(models.Model):
    """Any other file of the project folder, kept verbatim (e.g. a later strand's table)."""

    path = models.CharField(max_length=300, unique=True)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["path"]


class JobState(models.Model):
    """What a background job's row records (an analysis run, an export): its status, the step
    it is at, its progress (0 to 1) and, when it failed, why. The worker writes these, any web
    process reads them; :mod:`csceval.web.evaluation.jobs` settles rows whose worker died."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    progress = models.FloatField(default=0.0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-pk"]


class AnalysisRun(JobState):
    """One run of the core pipeline on a snapshot of the database."""

    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    folder = models.CharField(max_length=500, blank=True)
    summary = models.JSONField(default=list)

    class Meta(JobState.Meta):
        pass
