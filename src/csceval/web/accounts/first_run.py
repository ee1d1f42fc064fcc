"""The first-run path on the home page: what an admin does next on a new platform.

Shown to people who set up the evaluation or manage access on every site (a superuser made by
``csceval createadmin``, an evaluation admin). Each step is done when the database shows it (an
evaluation set up or imported, sites, another active person), so the list is the same for every
admin and needs no state of its own.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.urls import reverse

from csceval.web.accounts.models import ALL_LAS
from csceval.web.evaluation.models import EvaluationSetup, Site
from csceval.web.permissions import Verb, has_verb


def first_steps(user: Any) -> list[dict[str, Any]]:
    """Steps with ``text``, ``hint``, ``href`` and ``done``; [] for people who are not admins."""
    configure = has_verb(user, Verb.EVALUATION_CONFIGURE, ALL_LAS)
    manage = has_verb(user, Verb.MEMBERSHIP_MANAGE, ALL_LAS)
    steps: list[dict[str, Any]] = []
    if configure:
        steps += [
            {
                "text": "Set up the evaluation",
                "hint": "Or import a whole project folder: csceval import-project FOLDER.",
                "href": reverse("evaluation:setup"),
                "done": EvaluationSetup.objects.exists(),
            },
            {
                "text": "Add the sites",
                "hint": "The pilots, contrast sites and named comparators.",
                "href": reverse("evaluation:site_list"),
                "done": Site.objects.exists(),
            },
        ]
    if manage:
        others = get_user_model().objects.filter(is_active=True).exclude(pk=user.pk)
        steps.append(
            {
                "text": "Add people and give them access",
                "hint": "Evaluators, LA coordinators, auditors and viewers.",
                "href": reverse("person_new"),
                "done": others.exists(),
            }
        )
    return steps
