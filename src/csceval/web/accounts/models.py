"""Membership: a user's role in one local authority, until it expires; AccountState."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models


class Role(models.TextChoices):
    EVALUATION_ADMIN = "evaluation_admin", "Evaluation admin"
    EVALUATOR = "evaluator", "Evaluator"
    LA_COORDINATOR = "la_coordinator", "LA coordinator"
    AUDITOR = "auditor", "Auditor"
    VIEWER = "viewer", "Viewer"


ALL_LAS = "*"
"""The la_code of a membership that covers every site of the evaluation (cross-LA roles only)."""

la_code_validator = RegexValidator(
    r"^(\d{3}|\*)\Z", "An LA code is a 3-digit DfE LA number, or * for every site."
)


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
            # LA coordinators and auditors work for one LA: never every site.
            models.CheckConstraint(
                condition=~(
                    models.Q(la_code=ALL_LAS)
                    & models.Q(role__in=[Role.LA_COORDINATOR, Role.AUDITOR])
                ),
                name="membership_la_roles_scoped",
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


class AccountState(models.Model):
    """Per-user security state: a one-time password that must be changed and that expires.

    ``csceval createadmin`` sets both fields; changing the password clears them. An account whose
    one-time password has expired cannot sign in (``backends.AccountBackend``) and any session it
    still has ends on the next request.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_state"
    )
    must_change_password = models.BooleanField(default=False)
    one_time_password_expires_at = models.DateTimeField(null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"account state of {self.user}"

    def one_time_password_expired(self, now: Any) -> bool:
        """Whether the user still holds a one-time password past its expiry."""
        return (
            self.must_change_password
            and self.one_time_password_expires_at is not None
            and now >= self.one_time_password_expires_at
        )
