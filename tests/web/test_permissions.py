"""The permission rules: the documented matrix is in step, and the rules themselves."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from web_helpers import make_user

from csceval.web.accounts.models import Role
from csceval.web.docs import PAGE, permissions_page
from csceval.web.permissions import (
    MFA_REQUIRED_ROLES,
    ROLE_VERBS,
    VERB_MEANINGS,
    Verb,
    authorize,
    has_verb,
    scoped_la_codes,
)

pytestmark = pytest.mark.django_db


def test_docs_permissions_page_is_in_step() -> None:
    assert PAGE.read_text(encoding="utf-8") == permissions_page(), (
        "docs/permissions.md is stale: run python -m csceval.web.docs"
    )


def test_every_verb_is_documented_and_every_role_has_rules() -> None:
    assert set(VERB_MEANINGS) == set(Verb)
    assert set(ROLE_VERBS) == set(Role.values)
    assert {"evaluation_admin", "evaluator", "auditor"} <= MFA_REQUIRED_ROLES
    assert "la_coordinator" not in MFA_REQUIRED_ROLES


def test_no_membership_means_nothing() -> None:
    user = make_user("nobody")
    assert not any(has_verb(user, verb) for verb in Verb)
    assert scoped_la_codes(user, Verb.SITE_VIEW, ["901", "902"]) == []
    assert not has_verb(AnonymousUser(), Verb.SITE_VIEW)


def test_scope_is_the_membership_la_and_star_is_explicit() -> None:
    coordinator = make_user("c", ("901", "la_coordinator"))
    evaluator = make_user("e", ("*", "evaluator"))
    assert scoped_la_codes(coordinator, Verb.SITE_VIEW, ["901", "902"]) == ["901"]
    assert scoped_la_codes(evaluator, Verb.SITE_VIEW, ["901", "902"]) == ["901", "902"]
    assert has_verb(coordinator, Verb.RETURN_EDIT, "901")
    assert not has_verb(coordinator, Verb.RETURN_EDIT, "902")
    with pytest.raises(Http404):
        authorize(coordinator, Verb.RETURN_EDIT, "902")
    with pytest.raises(PermissionDenied):
        authorize(coordinator, Verb.RETURN_REVIEW, "901")
    with pytest.raises(PermissionDenied):
        authorize(coordinator, Verb.AUDIT_READ, "*")


def test_inactive_users_lose_everything_at_once() -> None:
    evaluator = make_user("e", ("*", "evaluator"))
    evaluator.is_active = False
    assert not has_verb(evaluator, Verb.SITE_VIEW, "901")
