"""Membership: a user's role in one local authority, until it expires."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models


class Role(models.TextChoices):
    EVALUATION_ADMIN = "evaluation_admin", "Evaluation admin"
    EVALUATOR = "evaluator", "Evaluator"
    LA_COORDINATOR = "la_coordinator", "LA coordinator"
    AUDITOR = "auditor", "Auditor"
    VIEWER = "viewer", "Viewer"


la_code_validator = RegexValidator(r"^\d{3}\Z", "An LA code is a 3-digit DfE LA number.")


class Membership(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    la_code = models.CharField(max_length=3, validators=[la_code_validator])
    role = models.CharField(max_length=32, choices=Role.choices)
    expires_at = models.DateTimeField()
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["la_code", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "la_code", "role"], name="membership_unique_user_la_role"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="membership_role_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} in LA {self.la_code} until {self.expires_at:%Y-%m-%d}"

    def audit_values(self) -> dict[str, str]:
        """What the audit trail records about this membership."""
        return {
            "user": self.user.get_username(),
            "la_code": self.la_code,
            "role": self.role,
            "expires_at": self.expires_at.isoformat(),
        }
