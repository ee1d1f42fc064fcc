"""Anonymous links (a platform app)."""

from django.apps import AppConfig


class LinksConfig(AppConfig):
    name = "csceval.web.links"
    label = "links"
    verbose_name = "Anonymous links"
