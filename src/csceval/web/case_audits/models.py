"""Case samples and their audits, by pseudonym only (never an LA case id, never the key).

A :class:`CaseSample` is one site's sample at one time point (how it was drawn: seed, SHA-256 of
the case list, size, allocation, instrument, share double-rated). Each :class:`SampledCase` is a
sampled or reserve case. A :class:`CaseRating` is one auditor's rating of one case (``first`` or
``second``), with one :class:`CaseAnswer` per answered item; a :class:`ReconciledAnswer` is the
agreed answer to an item the two raters answered differently.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from csceval.web.evaluation.models import Site


class CaseSample(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="case_samples")
    time_point = models.CharField(max_length=32)
    seed = models.PositiveBigIntegerField()
    case_list_sha256 = models.CharField(max_length=64)
    n_requested = models.PositiveIntegerField()
    allocation = models.CharField(max_length=16)
    second_share = models.PositiveSmallIntegerField(help_text="Percent of sampled cases")
    instrument = models.CharField(max_length=100)
    instrument_version = models.CharField(max_length=20)
    drawn_at = models.DateTimeField(auto_now_add=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["site__la_code", "time_point"]
        constraints = [
            models.UniqueConstraint(fields=["site", "time_point"], name="case_sample_unique"),
            models.CheckConstraint(
                condition=models.Q(second_share__lte=100), name="case_sample_share_0_100"
            ),
        ]

    @property
    def la_code(self) -> str:
        return str(self.site.la_code)


class CaseStatus(models.TextChoices):
    SAMPLED = "sampled", "Sampled"
    RESERVE = "reserve", "Reserve"
    REPLACED = "replaced", "Replaced"
    USED = "used", "Used (replaces a case)"


class SampledCase(models.Model):
    sample = models.ForeignKey(CaseSample, on_delete=models.CASCADE, related_name="cases")
    pseudonym = models.CharField(max_length=32)
    stratum = models.CharField(max_length=64)
    drawn_rank = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=CaseStatus.choices)
    replaced_by = models.CharField(max_length=32, blank=True)
    replaces = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=32, blank=True)
    second_rating = models.BooleanField(default=False)

    class Meta:
        ordering = ["sample", "stratum", "drawn_rank"]
        constraints = [
            models.UniqueConstraint(fields=["sample", "pseudonym"], name="sampled_case_unique")
        ]

    @property
    def la_code(self) -> str:
        return str(self.sample.site.la_code)

    @property
    def in_play(self) -> bool:
        return self.status in (CaseStatus.SAMPLED, CaseStatus.USED)


class RatingKind(models.TextChoices):
    FIRST = "first", "First rating"
    SECOND = "second", "Blind second rating"


class CaseRating(models.Model):
    case = models.ForeignKey(SampledCase, on_delete=models.CASCADE, related_name="ratings")
    kind = models.CharField(max_length=8, choices=RatingKind.choices)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["case", "kind"], name="case_rating_unique_kind"),
            models.UniqueConstraint(fields=["case", "rater"], name="case_rating_unique_rater"),
        ]

    @property
    def completed(self) -> bool:
        return self.completed_at is not None

    def values(self) -> dict[str, str]:
        return {a.item: a.value for a in self.answers.all()}


class CaseAnswer(models.Model):
    rating = models.ForeignKey(CaseRating, on_delete=models.CASCADE, related_name="answers")
    item = models.CharField(max_length=64)
    value = models.TextField()

    class Meta:
        ordering = ["rating", "item"]
        constraints = [
            models.UniqueConstraint(fields=["rating", "item"], name="case_answer_unique_item")
        ]


class ReconciledAnswer(models.Model):
    case = models.ForeignKey(SampledCase, on_delete=models.CASCADE, related_name="reconciled")
    item = models.CharField(max_length=64)
    value = models.TextField()
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    agreed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case", "item"]
        constraints = [
            models.UniqueConstraint(fields=["case", "item"], name="reconciled_unique_item")
        ]
