from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "csceval.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from csceval.web.accounts import signals  # noqa: F401  (connects the login receivers)
