"""The access-control matrix: every URL pattern x every actor x own LA / other LA (SEC-A1, A2).

Each named URL pattern must have an entry saying which verb it needs and at what scope: the
platform's in ``PLATFORM_ROUTES`` here, a strand web app's in its own ``access`` module (found
through the strand registry); a new URL without one fails
:func:`test_every_url_pattern_is_in_the_matrix`. The expected
answer for each actor is derived from the declared policy (``permissions.ROLE_VERBS``) and then
checked against what the view really does:

- anonymous users are sent to the login page (public pages excepted);
- an object of an LA outside the actor's memberships is answered 404, exactly like a missing one;
- an object another user made (an export) is answered 404 to all but its maker and those with the
  verb on every site (evaluation admins);
- a verb the actor's role lacks is answered 403;
- an allowed request is neither 403, 404 nor a redirect to login, and never a server error.

Every kind of file an analysis run writes (:mod:`csceval.output_scopes`) is requested by every
actor too (:func:`test_run_file_access`): published, the actor's own LA's, another LA's, all-LA
and row-level files, a file without a scope and a path with a NUL byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from web_helpers import make_user, sign_in

from csceval.atomic import staged_folder
from csceval.pipeline.run import scope_record
from csceval.web.access import Route, strand_objects, strand_routes
from csceval.web.accounts.models import ALL_LAS, Membership
from csceval.web.evaluation.models import AnalysisRun, EvaluationSetup, Site
from csceval.web.exports.models import ExportJob, ExportRecord
from csceval.web.permissions import ROLE_VERBS, VERB_MEANINGS, Verb
from csceval.web.returns.models import PilotReturn

pytestmark = pytest.mark.django_db

OWN, OTHER = "901", "902"
"""The actor's LA and another LA; each has a site and objects of every type."""


@dataclass(frozen=True)
class Actor:
    name: str
    role: str | None = None
    scope: str | None = None  # OWN or ALL_LAS; None: no membership
    anonymous: bool = False

    def verbs(self) -> frozenset[Verb]:
        return ROLE_VERBS[self.role] if self.role else frozenset()

    def sees(self, la_code: str) -> bool:
        return self.scope in (ALL_LAS, la_code)


ACTORS = [
    Actor("anonymous", anonymous=True),
    Actor("no-membership"),
    *(Actor(f"{role}@own", role, OWN) for role in ROLE_VERBS),
    *(Actor(f"{role}@all", role, ALL_LAS) for role in ("evaluation_admin", "evaluator", "viewer")),
]


def _site(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"la_code": la}


def _ret(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"pk": ctx["returns"][la].pk}


def _open_link(la: str) -> str:
    """A token of an open anonymous link of the first registered purpose."""
    from csceval.web.links.purposes import registered_purposes
    from csceval.web.links.services import link_create

    return link_create(actor=None, purpose=registered_purposes()[0], la_code=la)[1]


def _run(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"run_id": ctx["run"].pk}


def _export(ctx: dict[str, Any], la: str) -> dict[str, Any]:
    return {"job_id": ctx["export"].pk}


PLATFORM_ROUTES: dict[str, Route] = {
    "login": Route(None, "public"),
    "accessibility": Route(None, "public"),
    "home": Route(None, "signed-in"),
    "logout": Route(None, "public", method="post", ends_at_login=True),
    "password_change": Route(None, "signed-in"),
    "mfa_setup": Route(None, "signed-in"),
    "mfa_verify": Route(None, "signed-in"),
    "evaluation:site_list": Route(None, "signed-in"),
    "evaluation:site_detail": Route(Verb.SITE_VIEW, "object", _site),
    "evaluation:site_benchmarks": Route(Verb.SITE_VIEW, "object", _site),
    "evaluation:site_create": Route(Verb.EVALUATION_CONFIGURE, "all"),
    "evaluation:site_edit": Route(Verb.EVALUATION_CONFIGURE, "all", _site),
    "evaluation:setup": Route(Verb.EVALUATION_CONFIGURE, "all"),
    "evaluation:run_list": Route(Verb.REPORT_VIEW, "any"),
    "evaluation:run_start": Route(Verb.ANALYSIS_RUN, "all", method="post"),
    "evaluation:run_detail": Route(Verb.REPORT_VIEW, "any", _run),
    "evaluation:run_file": Route(
        Verb.REPORT_VIEW,
        "any",
        lambda ctx, la: {"run_id": ctx["run"].pk, "path": "report/index.html"},
    ),
    "evaluation:audit_list": Route(Verb.AUDIT_READ, "all"),
    "evaluation:audit_export": Route(Verb.AUDIT_READ, "all"),
    "evaluation:people": Route(Verb.MEMBERSHIP_MANAGE, "all"),
    "person_list": Route(Verb.MEMBERSHIP_MANAGE, "all"),
    "person_new": Route(Verb.MEMBERSHIP_MANAGE, "all"),
    "person_detail": Route(
        Verb.MEMBERSHIP_MANAGE,
        "all",
        lambda ctx, la: {"user_id": ctx["spare_membership"].user_id},
    ),
    "sign_in_link": Route(None, "public", lambda ctx, la: {"uidb64": "MQ", "token": "x-y"}),
    "links:open": Route(None, "public", lambda ctx, la: {"token": _open_link(la)}),
    "evaluation:membership_remove": Route(
        Verb.MEMBERSHIP_MANAGE,
        "all",
        lambda ctx, la: {"membership_id": ctx["spare_membership"].pk},
        method="post",
    ),
    "returns:index": Route(Verb.SITE_VIEW, "any"),
    "returns:site": Route(Verb.SITE_VIEW, "object", _site),
    "returns:start": Route(
        Verb.RETURN_EDIT, "object", _site, method="post", data={"year": str(date.today().year)}
    ),
    "returns:detail": Route(Verb.SITE_VIEW, "object", _ret),
    "returns:indicators": Route(Verb.SITE_VIEW, "object", _ret),
    "returns:costs": Route(Verb.SITE_VIEW, "object", _ret),
    "returns:template": Route(Verb.RETURN_EDIT, "object", _ret),
    "returns:upload": Route(Verb.RETURN_EDIT, "object", _ret),
    "returns:submit": Route(Verb.RETURN_EDIT, "object", _ret),
    "returns:review": Route(Verb.RETURN_REVIEW, "object", _ret),
    "returns:lock": Route(Verb.RETURN_REVIEW, "object", _ret, method="post"),
    "returns:unlock": Route(Verb.EVALUATION_CONFIGURE, "object", _ret),
    "returns:comment": Route(
        Verb.RETURN_EDIT, "object", _ret, method="post", data={"text": "A comment"}
    ),
    "returns:review_comment": Route(
        Verb.RETURN_REVIEW, "object", _ret, method="post", data={"text": "A comment"}
    ),
    "exports:index": Route(Verb.EXPORT_AGGREGATE, "any"),
    "exports:export": Route(
        Verb.EXPORT_AGGREGATE, "any", lambda ctx, la: {"dataset_id": "return_indicators"}
    ),
    "exports:job": Route(Verb.EVALUATION_CONFIGURE, "maker", _export),
    "exports:download": Route(Verb.EVALUATION_CONFIGURE, "maker", _export),
}
ROUTES: dict[str, Route] = PLATFORM_ROUTES | strand_routes()


def _named_patterns(patterns: list[Any], namespace: str = "") -> list[str]:
    names: list[str] = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += _named_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            names.append(f"{namespace}{entry.name}" if entry.name else f"<unnamed {entry.pattern}>")
    return names


def test_every_url_pattern_is_in_the_matrix() -> None:
    names = _named_patterns(get_resolver().url_patterns)
    missing = sorted(set(names) - set(ROUTES))
    assert not missing, f"URL patterns without an access-matrix entry: {missing}"
    assert len(names) == len(set(names)), "two URL patterns share a name"


def test_the_verb_that_unlocks_a_return_says_so() -> None:
    """docs/permissions.md (from VERB_MEANINGS) names unlocking under the verb the view needs
    (evaluation.configure: evaluators review and lock, admins unlock), and under no other."""
    unlock = ROUTES["returns:unlock"].verb
    assert unlock == Verb.EVALUATION_CONFIGURE
    assert "unlock a locked return" in VERB_MEANINGS[unlock]
    assert [v for v, text in VERB_MEANINGS.items() if ", unlock" in text] == []


def _expected(route: Route, actor: Actor, la: str) -> str:
    """'allowed', 'login', '403' or '404'."""
    if route.scope == "public":
        return "allowed"
    if actor.anonymous:
        return "login"
    if route.scope == "signed-in":
        return "allowed"
    assert route.verb is not None
    has = route.verb in actor.verbs()
    if route.scope == "any":
        return "allowed" if has else "403"
    if route.scope == "all":
        return "allowed" if has and actor.scope == ALL_LAS else "403"
    if route.scope == "maker":  # made by someone else (see the ctx fixture)
        return "allowed" if has and actor.scope == ALL_LAS else "404"
    if not actor.sees(la):
        return "404"
    return "allowed" if has else "403"


@pytest.fixture
def ctx(tmp_path: Path, settings: Any) -> dict[str, Any]:
    """Objects of every type in the OWN and the OTHER LA, and an export another user made."""
    EvaluationSetup.objects.create(
        settings_json={
            "evaluation": {"name": "Matrix", "frameworks": ["F"], "price_year": "2019-20"},
            "periods": {
                "first_year": 2015,
                "last_year": 2020,
                "time_points": [{"id": "T1", "start": "2018-09-01", "end": "2018-11-30"}],
            },
            "analysis": {"indicators": ["cla_rate_per_10k"]},
        }
    )
    sites = {
        code: Site.objects.create(
            la_code=code, name=f"Site {code}", role="pilot", implementation_start=date(2018, 4, 1)
        )
        for code in (OWN, OTHER)
    }
    run = _fake_run(tmp_path)
    spare = make_user("spare", (OWN, "viewer"))
    returns = {
        code: PilotReturn.objects.create(site=Site.objects.get(la_code=code), year=2026)
        for code in (OWN, OTHER)
    }
    return {
        "run": run,
        "export": _made_export(tmp_path, settings),
        "spare_membership": Membership.objects.get(user=spare),
        "returns": returns,
        **strand_objects(sites),
    }


def _made_export(tmp_path: Path, settings: Any) -> ExportJob:
    """A finished export of both LAs' rows by an evaluator none of the actors is."""
    settings.CSCEVAL_DATA_DIR = tmp_path
    maker = make_user("exporter", ("*", "evaluator"))
    (tmp_path / "exports" / "1").mkdir(parents=True)
    (tmp_path / "exports" / "1" / "x.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    record = ExportRecord.objects.create(
        user=maker,
        dataset="return_values",
        level="rowlevel",
        file_format="csv",
        la_codes=[OWN, OTHER],
    )
    return ExportJob.objects.create(
        user=maker,
        username="exporter",
        dataset="return_values",
        file_format="csv",
        status=ExportJob.Status.DONE,
        file="exports/1/x.zip",
        record=record,
    )


def _fake_run(tmp_path: Path) -> AnalysisRun:
    """A finished run whose output holds one file of each kind (:data:`RUN_FILES`), written
    with the real scope rules, so its manifest records each file's scope as a real run's does."""
    with staged_folder(tmp_path / "run" / "output", describe=scope_record) as report:
        for name in RUN_FILES.values():
            (report / name).parent.mkdir(parents=True, exist_ok=True)
            (report / name).write_bytes(b"<html><style>p{}</style><p>r</p></html>")
    return AnalysisRun.objects.create(status=AnalysisRun.Status.DONE, folder=str(tmp_path / "run"))


def _user(actor: Actor) -> Any:
    memberships = [(actor.scope, actor.role)] if actor.role and actor.scope else []
    return None if actor.anonymous else make_user(f"u-{actor.name}".replace("@", "-"), *memberships)


def _answer(name: str, actor: Actor, la: str, ctx: dict[str, Any], user: Any) -> str | None:
    """What is wrong with the answer ``name`` gives ``actor`` on ``la``'s object (None: right)."""
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(ctx, la) or None)
    client = Client() if user is None else sign_in(Client(), user)
    response = getattr(client, route.method)(url, route.data)
    expected = _expected(route, actor, la)
    status = response.status_code
    location = response.get("Location", "")
    if status >= 500:
        return "server error"
    if expected == "login":
        if status != 302 or not location.startswith("/login/"):
            return f"anonymous got {status} {location}, want the login page"
    elif expected == "allowed":
        if status in (403, 404):
            return f"refused with {status}"
        if not route.ends_at_login and location.startswith("/login/"):
            return "sent to login"
    elif str(status) != expected:
        return f"got {status}, want {expected}"
    return None


@pytest.mark.parametrize("name", list(ROUTES))
def test_access(name: str, ctx: dict[str, Any]) -> None:
    """Every actor asks for the route, about its own LA's object and (object routes) another
    LA's. Each request runs in a savepoint rolled back after it, with an empty cache, so it sees
    the objects exactly as :func:`ctx` made them (one request's change never reaches the next)."""
    from django.core.cache import cache
    from django.db import transaction

    route = ROUTES[name]
    wrong = []
    for actor in ACTORS:
        user = _user(actor)
        for la in (OWN, OTHER) if route.scope == "object" else (OWN,):
            cache.clear()
            with transaction.atomic():
                problem = _answer(name, actor, la, ctx, user)
                transaction.set_rollback(True)
            if problem:
                wrong.append(f"{actor.name}|{'own' if la == OWN else 'other'}: {problem}")
    assert wrong == [], f"{name}: {wrong}"


RUN_FILES = {
    "published": "report/index.html",
    "own LA": f"tables/bench-{OWN}-cla_rate_per_10k.csv",
    "other LA": f"tables/bench-{OTHER}-cla_rate_per_10k.csv",
    "all LAs": "tables/costs-by-site.csv",
    "all-LA workbook": "report.xlsx",
    "row-level": "costs_workbook.xlsx",
    "no scope": "notes-without-a-rule.txt",
}
"""One file of each kind a run writes (see :func:`_fake_run`)."""


def _run_file_expected(kind: str, actor: Actor) -> str:
    if actor.anonymous:
        return "login"
    verbs = actor.verbs()
    if Verb.REPORT_VIEW not in verbs:
        return "403"
    everywhere = actor.scope == ALL_LAS
    allowed = {
        "published": True,
        "own LA": actor.sees(OWN),
        "other LA": actor.sees(OTHER),
        "all LAs": Verb.CROSS_LA_VIEW in verbs and everywhere,
        "all-LA workbook": Verb.CROSS_LA_VIEW in verbs and everywhere,
        "row-level": Verb.EXPORT_ROWLEVEL in verbs and everywhere,
        "no scope": False,
        "NUL byte": False,
    }[kind]
    return "allowed" if allowed else "404"


@pytest.mark.parametrize("actor", ACTORS, ids=[a.name for a in ACTORS])
def test_run_file_access(actor: Actor, tmp_path: Path) -> None:
    """Each kind of run file for one actor: a coordinator gets 404 for another LA's, an all-LA
    or a row-level file; nobody gets a file without a scope; a NUL byte in the path is a 404,
    not a server error."""
    run = _fake_run(tmp_path)
    user = _user(actor)
    client = Client() if user is None else sign_in(Client(), user)
    wrong = []
    for kind in [*RUN_FILES, "NUL byte"]:
        path = RUN_FILES.get(kind, "report/index.html%00.txt")
        response = client.get(f"/analysis/{run.pk}/files/{path}")
        got = {200: "allowed", 403: "403", 404: "404"}.get(response.status_code, "other")
        if response.status_code == 302 and response["Location"].startswith("/login/"):
            got = "login"
        if got != _run_file_expected(kind, actor):
            wrong.append(f"{kind}: {response.status_code}, want {_run_file_expected(kind, actor)}")
    assert wrong == [], f"{actor.name}: {wrong}"
