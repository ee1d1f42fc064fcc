"""Database queries per page: bounded, and the same with three times the sites and people.

A page whose query count grows with the rows it lists (an N+1) is slow at a real evaluation's
size; here each list page is loaded with a small evaluation and again after more sites, people
and memberships are added, and must make the same number of queries (issue 15, item 6).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from case_audit_helpers import evaluation
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from web_helpers import make_user, sign_in

from csceval.atomic import staged_folder
from csceval.pipeline.run import scope_record
from csceval.web.evaluation.models import AnalysisRun, Site

pytestmark = pytest.mark.django_db

PAGES = [
    "/",
    "/sites/",
    "/people/",
    "/people/users/",
    "/audit/",
    "/analysis/",
    "/returns/",
    "/exports/",
    "/self-profiles/",
    "/case-audits/",
]
MOST_QUERIES = 30
"""No page needs more (sessions, the user, 2FA device, memberships, the page's own lists)."""


def grow(start: int, n: int) -> None:
    """``n`` more pilot sites, each with a coordinator and an auditor."""
    for k in range(start, start + n):
        code = f"{700 + k:03d}"
        Site.objects.create(
            la_code=code, name=f"Site {code}", role="pilot", implementation_start=date(2018, 4, 1)
        )
        make_user(f"coordinator{k}", (code, "la_coordinator"))
        make_user(f"auditor{k}", (code, "auditor"))


def counts(client: Client) -> dict[str, int]:
    found = {}
    for page in PAGES:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        found[page] = len(queries)
    return found


def test_list_pages_make_a_bounded_number_of_queries_whatever_the_size() -> None:
    evaluation()
    grow(0, 3)
    admin = sign_in(Client(), make_user("admin", ("*", "evaluation_admin"), ("*", "evaluator")))
    small = counts(admin)
    grow(3, 6)
    large = counts(admin)
    assert large == small, {p: (small[p], large[p]) for p in PAGES if small[p] != large[p]}
    assert max(large.values()) <= MOST_QUERIES, large


def test_per_request_work_is_done_once() -> None:
    """Every page reads the account state once, with the user (not once per check), and does
    not rewrite the session when the person was last seen under a minute ago."""
    evaluation()
    client = sign_in(Client(), make_user("coordinator", ("901", "la_coordinator")))
    client.get("/")
    for page in ("/", "/sites/", "/sites/901/"):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
        sql = [q["sql"] for q in queries.captured_queries]
        assert sum('"accounts_accountstate"' in s for s in sql) == 1, (page, sql)
        assert not [s for s in sql if s.startswith('UPDATE "django_session"')], (page, sql)


def test_the_benchmarks_page_makes_the_same_queries_with_more_runs_and_sites(
    tmp_path: Path,
) -> None:
    evaluation()
    grow(0, 3)
    client = sign_in(Client(), make_user("eve", ("*", "evaluator")))

    def finished_run(name: str) -> None:
        with staged_folder(tmp_path / name / "output", describe=scope_record) as staging:
            (staging / "report").mkdir()
            (staging / "report/benchmarks-901.html").write_text("<h1>901</h1>")
        AnalysisRun.objects.create(status=AnalysisRun.Status.DONE, folder=str(tmp_path / name))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert b"<h1>901</h1>" in client.get("/sites/901/benchmarks/").content
        return len(queries)

    finished_run("first")
    client.get("/sites/901/benchmarks/")
    small = count()
    grow(3, 6)
    for name in ("second", "third", "fourth"):
        finished_run(name)
    client.get("/sites/901/benchmarks/")
    assert count() == small <= MOST_QUERIES
