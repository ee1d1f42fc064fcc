"""A pilot data return: one site's key indicators and costs for one year, and its review.

Methodological choices:

- The period of a return is a year ending 31 March (``year`` = the calendar year of that 31 March,
  DfE's convention; ``2026`` is 2025-26). One value per indicator per year, so an approved value is
  exactly one ``(la_code, year, indicator)`` row of the evaluation's indicator table. Monthly
  returns are not offered: the catalogue's indicators are annual (stocks at 31 March, flows over
  the year) and monthly figures would not add up to them.
- Values are decimals, never floats, so what the LA typed is what is stored and exported.
- Review comments are append-only: the model and its queryset refuse updates and deletes, and no
  page offers either.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models

from csceval.web.evaluation.models import Site


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    HAS_ISSUES = "has_issues", "Has issues"
    APPROVED = "approved", "Approved"
    LOCKED = "locked", "Locked"


FEEDS_ANALYSIS = (Status.APPROVED, Status.LOCKED)
"""Statuses whose values join analysis snapshots and exports of approved values."""


def period_label(year: int) -> str:
    """``2026`` -> ``2025-26`` (the financial year ending 31 March ``year``)."""
    return f"{year - 1}-{year % 100:02d}"


class PilotReturn(models.Model):
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="returns")
    year = models.PositiveSmallIntegerField(help_text="Year ending 31 March (2026 = 2025-26).")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(null=True, blank=True)
    upload_sha256 = models.CharField(max_length=64, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    locked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["site__la_code", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["site", "year"], name="return_unique_site_year"),
            models.CheckConstraint(
                condition=models.Q(status__in=Status.values), name="return_status_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.la_code} {self.period}"

    @property
    def la_code(self) -> str:
        return self.site.la_code

    @property
    def period(self) -> str:
        return period_label(self.year)

    def contents(self) -> dict[str, Any]:
        """The values of the return as the audit trail records them (old or new values)."""
        return {
            "indicators": {v.indicator: str(v.value) for v in self.indicator_values.all()},
            "costs": [c.audit_values() for c in self.costs.all()],
        }


class ReturnValue(models.Model):
    """One indicator's value in a return."""

    pilot_return = models.ForeignKey(
        PilotReturn, on_delete=models.CASCADE, related_name="indicator_values"
    )
    indicator = models.CharField(max_length=64)
    value = models.DecimalField(max_digits=16, decimal_places=4)

    class Meta:
        ordering = ["pilot_return", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["pilot_return", "indicator"], name="return_value_unique_indicator"
            ),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="return_value_not_neg"),
        ]


class CostLine(models.Model):
    """One line of the costs sheet: cash (an amount) or staff time (hours x cost per hour)."""

    class Recurrence(models.TextChoices):
        ONE_OFF = "one_off", "One-off"
        ONGOING = "ongoing", "Ongoing"

    class Kind(models.TextChoices):
        CASH = "cash", "Cash"
        TIME = "time", "Time"

    pilot_return = models.ForeignKey(PilotReturn, on_delete=models.CASCADE, related_name="costs")
    row = models.PositiveIntegerField(help_text="Row of the Costs sheet it came from.")
    category = models.CharField(max_length=64)
    description = models.CharField(max_length=500)
    recurrence = models.CharField(max_length=8, choices=Recurrence.choices)
    kind = models.CharField(max_length=4, choices=Kind.choices)
    amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    hours = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    cost_per_hour = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    source = models.CharField(max_length=500)

    class Meta:
        ordering = ["pilot_return", "row"]

    @property
    def total(self) -> Any:
        """The line's cost in pounds: the amount, or hours x cost per hour."""
        if self.kind == self.Kind.CASH:
            return self.amount
        if self.hours is None or self.cost_per_hour is None:
            return None
        return (self.hours * self.cost_per_hour).quantize(self.hours.__class__("0.01"))

    def audit_values(self) -> dict[str, str]:
        return {
            f: "" if getattr(self, f) is None else str(getattr(self, f))
            for f in (
                "row",
                "category",
                "description",
                "recurrence",
                "kind",
                "amount",
                "hours",
                "cost_per_hour",
                "source",
            )
        }


class AppendOnlyError(Exception):
    """Raised on an attempt to change or remove a review comment."""


class CommentQuerySet(models.QuerySet["ReviewComment"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("review comments cannot be edited")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("review comments cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("review comments cannot be edited")


class ReviewComment(models.Model):
    """A comment on a return (with the status change it came with, if any). Append-only."""

    pilot_return = models.ForeignKey(PilotReturn, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    author_name = models.CharField(max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)
    status_from = models.CharField(max_length=16, blank=True)
    status_to = models.CharField(max_length=16, blank=True)
    text = models.TextField()

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("review comments cannot be edited")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("review comments cannot be deleted")
