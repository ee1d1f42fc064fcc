"""Django's ``flush``, allowed to empty the audit table (test databases only in practice).

The database refuses DELETE of audit events (migration 0003) unless the connection raised the
maintenance flag; this command raises it around Django's own flush, so that pytest-django can
empty a test database between transactional tests. The platform never runs it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush

from csceval.web.audit_trail.maintenance import audit_maintenance


class Command(DjangoFlush):
    help = DjangoFlush.help + " Audit events included (the audit app's maintenance flag)."

    def handle(self, **options: Any) -> None:
        with audit_maintenance(options["database"]):
            super().handle(**options)
