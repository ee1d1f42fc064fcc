"""The Jinja2 environment: Django's loader plus the govuk-frontend-jinja macros."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

SERVICE_NAME = "csceval"


def environment(**options: Any) -> Environment:
    """Build the environment; templates import macros from ``govuk_frontend_jinja/...``."""
    options["loader"] = ChoiceLoader(
        [
            options["loader"],
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    env = Environment(**options)
    env.globals.update(static=static, url=reverse, govuk_error_list=govuk_error_list)
    return env


def govuk(request: HttpRequest) -> dict[str, Any]:
    """Context every page gets (service name for the GOV.UK header and navigation)."""
    return {"serviceName": SERVICE_NAME, "serviceUrl": "/"}


def govuk_error_list(form: Any) -> list[dict[str, str]]:
    """The errorList of a GOV.UK error summary: one entry per field, linking to the field."""
    errors: list[dict[str, str]] = []
    for name, messages in form.errors.items():
        href = "#" + form[name].id_for_label if name in form.fields else "#"
        errors.append({"text": str(messages[0]), "href": href})
    return errors
