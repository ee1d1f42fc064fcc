from __future__ import annotations

from django.apps import AppConfig


class AuditTrailConfig(AppConfig):
    name = "csceval.web.audit_trail"
    label = "audit_trail"
    verbose_name = "Audit trail"
