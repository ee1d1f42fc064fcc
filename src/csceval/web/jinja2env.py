"""The Jinja2 environment: Django's loader plus the govuk-frontend-jinja macros.

Every page gets ``cspNonce`` (a plain ``str``: GOV.UK's template.html tests its truth, and
django-csp's lazy nonce is falsy until read) and ``navigation``, the service-navigation links the
user's permissions allow (empty when signed out or without any membership).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

SERVICE_NAME = "csceval"

NAV_ITEMS: tuple[tuple[str, str, tuple[str, ...], bool], ...] = (
    ("home", "Your access", (), False),
    ("evaluation:site_list", "Sites", ("site.view",), False),
    ("returns:index", "Data returns", ("site.view",), False),
    ("implementation:index", "Self-profiles", ("site.view",), False),
    ("case_audits:index", "Case-file audits", ("case.view", "return.edit"), False),
    ("culture_survey:index", "Team culture survey", ("site.view",), False),
    ("family_goals:index", "Family goals", ("case.view",), False),
    ("interviews:index", "Interviews", ("case.view",), False),
    ("evaluation:run_list", "Analysis", ("report.view", "analysis.run"), False),
    ("exports:index", "Exports", ("export.aggregate", "export.rowlevel"), False),
    ("scoping:index", "National scoping", ("cross_la.view",), True),
    ("evaluation:audit_list", "Audit trail", ("audit.read",), True),
    ("evaluation:people", "People", ("membership.manage",), True),
    ("evaluation:setup", "Evaluation set-up", ("evaluation.configure",), True),
)
"""(URL name, link text, verbs of which one is needed, needed on every site ``*``).

The same rule as the view's ``authorize`` call, so a link never leads to a 403. Names not routed
are left out."""


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
    """Context every page gets: service name, CSP nonce, navigation links."""
    nonce = getattr(request, "csp_nonce", None)
    return {
        "serviceName": SERVICE_NAME,
        "serviceUrl": "/",
        "cspNonce": str(nonce) if nonce is not None else "",
        "navigation": navigation(request),
    }


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """GOV.UK service-navigation items for the signed-in user's verbs; [] if none apply."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    from csceval.web.accounts.models import ALL_LAS
    from csceval.web.permissions import Verb, has_verb

    items: list[dict[str, Any]] = []
    for name, text, verbs, every_site in NAV_ITEMS:
        scope = ALL_LAS if every_site else None
        if verbs and not any(has_verb(user, Verb(verb), scope) for verb in verbs):
            continue
        try:
            href = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"href": href, "text": text, "active": request.path == href})
    return items


def govuk_error_list(form: Any) -> list[dict[str, str]]:
    """The errorList of a GOV.UK error summary: one entry per field, linking to the field.

    Errors about the form as a whole link to its first field, so every entry leads somewhere.
    """
    first = next(iter(form.fields), None)
    errors: list[dict[str, str]] = []
    for name, messages in form.errors.items():
        target = name if name in form.fields else first
        href = "#" + form[target].id_for_label if target is not None else "#main-content"
        entry = {"text": str(messages[0]), "href": href}
        if name not in form.fields:
            errors.insert(0, entry)
        else:
            errors.append(entry)
    return errors
