from __future__ import annotations

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "csceval.web.exports"
    label = "exports"
    verbose_name = "Exports"
