from __future__ import annotations

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "csceval.web.exports"
    label = "exports"
    verbose_name = "Exports"

    def ready(self) -> None:
        """Register the export job kind, so every worker settles interrupted exports."""
        from csceval.web.exports import jobs  # noqa: F401
