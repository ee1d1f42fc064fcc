"""Family-goal pages with the Django test client: a worker adds a family, sets goals, rates them
at review, enters a parent's paper form twice and reviews goal concordance; every change is
audited; another LA's families are 404; the export feeds the strand's analysis.
"""

from __future__ import annotations

import math
import re
import shutil
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from case_audit_helpers import OTHER, OWN, evaluation, user_client
from django.test import Client

from csceval.pipeline import load_project
from csceval.strands.family_goals import t_score
from csceval.strands.family_goals.analysis import analyse_goals
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.evaluation.models import Site
from csceval.web.evaluation.project_io import import_project, project_files, write_project
from csceval.web.family_goals.models import ConcordanceDecision, Family, GoalRating
from csceval.web.links.services import link_create

pytestmark = pytest.mark.django_db

GOALS = [
    ("worker", "Children attend school every day and arrive on time", "2"),
    ("parent", "Kids get to school on time every day", "1"),
    ("plan", "Home conditions are kept safe and clean", "1.5"),
]


def _goal_form(source: str, text: str, weight: str) -> dict[str, str]:
    return {
        "source": source, "description": text, "level_m2": "Much worse", "level_m1": "Worse",
        "level_0": "As expected", "level_p1": "Better", "level_p2": "Much better",
        "weight": weight, "baseline": "-1", "set_on_day": "3", "set_on_month": "6",
        "set_on_year": "2019",
    }  # fmt: skip


def _rate(client: Any, family: Family, rater: str, entry: int, levels: list[str]) -> Any:
    data = {f"goal_G{i + 1}": v for i, v in enumerate(levels)}
    data.update(rated_on_day="2", rated_on_month="12", rated_on_year="2019")
    return client.post(f"/family-goals/family/{family.pk}/rate/{rater}/{entry}/", data)


def _answered(response: Any, status: int, text: str) -> None:
    assert response.status_code == status
    assert text in response.content.decode()


def record_family(client: Any, la_code: str, time_point: str) -> Family:
    """Add a family with three goals, rated by the worker, the parent (paper) and entered twice."""
    response = client.post(f"/family-goals/{la_code}/add/", {"time_point": time_point})
    assert response.status_code == 302, response.content[:400]
    family = Family.objects.latest("pk")
    for source, text, weight in GOALS:
        page = client.post(
            f"/family-goals/family/{family.pk}/goal/", _goal_form(source, text, weight)
        )
        assert page.status_code == 302, page.content[:600]
    assert _rate(client, family, "worker", 1, ["1", "0", "-1"]).status_code == 302
    assert _rate(client, family, "parent", 1, ["2", "0", "none"]).status_code == 302
    assert _rate(client, family, "parent", 2, ["2", "1", "none"]).status_code == 302
    return family


def test_worker_records_goals_rates_them_and_another_la_gets_404() -> None:
    evaluation()
    worker, _ = user_client("worker", (OWN, "auditor"))
    outsider, _ = user_client("outsider", (OTHER, "auditor"))
    viewer, _ = user_client("evaluator", ("*", "evaluator"))
    family = record_family(worker, OWN, "T2")
    assert family.pseudonym.startswith("P-")
    assert len(family.pseudonym) == 18

    page = worker.get(f"/family-goals/family/{family.pk}/")
    text = page.content.decode()
    expected = t_score([1, 0, -1], [2, 1, 1.5])
    assert f"{expected:.1f}" in text
    assert f"{t_score([2, 0, math.nan], [2, 1, 1.5]):.1f}" in text
    assert "Much better" in text
    assert "Could not be rated" in text
    assert text.count("Check the form") == 1  # the parent's two entries differ on G2

    # a second entry without a first is refused with its code; a bad weight is a form error
    assert _rate(worker, family, "worker", 2, ["1", "0", "1"]).status_code == 302
    worker.post(f"/family-goals/{OWN}/add/", {"time_point": "T1", "pseudonym": "P-NEW1"})
    fresh = Family.objects.get(pseudonym="P-NEW1")
    worker.post(f"/family-goals/family/{fresh.pk}/goal/", _goal_form("plan", "A goal", "1"))
    early = _rate(worker, fresh, "parent", 2, ["1"])
    _answered(early, 409, "CSC-E3305")
    bad = worker.post(f"/family-goals/family/{family.pk}/goal/", _goal_form("plan", "x", "0"))
    _answered(bad, 400, "greater than 0")
    rated = worker.post(f"/family-goals/family/{family.pk}/goal/G1/", _goal_form("plan", "y", "1"))
    _answered(rated, 409, "CSC-E3322")
    dup = worker.post(
        f"/family-goals/{OWN}/add/", {"time_point": "T2", "pseudonym": family.pseudonym}
    )
    _answered(dup, 400, "CSC-E3321")
    name = worker.post(f"/family-goals/{OWN}/add/", {"time_point": "T2", "pseudonym": "Jo Bloggs"})
    _answered(name, 400, "CSC-E3306")
    assert "Jo Bloggs" not in name.content.decode()

    # concordance: the parent's school goal is proposed as the worker's school goal
    review = worker.get(f"/family-goals/family/{family.pk}/concordance/")
    assert "proposed as a match" in review.content.decode()
    missing = worker.post(f"/family-goals/family/{family.pk}/concordance/", {})
    assert missing.status_code == 400
    done = worker.post(f"/family-goals/family/{family.pk}/concordance/", {"match_G2": "accept"})
    assert done.status_code == 302
    decision = ConcordanceDecision.objects.get(family=family)
    assert (decision.parent_goal, decision.worker_goal, decision.accepted) == ("G2", "G1", True)

    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"goal_family.add", "family_goal.set", "goal_rating.save",
            "goal_concordance.decide", "case.view"} <= actions  # fmt: skip
    change = AuditEvent.objects.filter(action="goal_rating.save").order_by("sequence")
    assert change.last().new_values["via"] == "form"  # the worker's second entry

    urls = [
        f"/family-goals/family/{family.pk}/",
        f"/family-goals/family/{family.pk}/goal/",
        f"/family-goals/family/{family.pk}/goal/G1/",
        f"/family-goals/family/{family.pk}/rate/parent/1/",
        f"/family-goals/family/{family.pk}/concordance/",
        f"/family-goals/{OWN}/",
    ]
    for url in urls:
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/family-goals/{OWN}/add/", {"time_point": "T2"}).status_code == 404
    assert family.pseudonym not in outsider.get(f"/family-goals/{OTHER}/").content.decode()
    assert viewer.get(f"/family-goals/family/{family.pk}/").status_code == 200
    assert viewer.get(f"/family-goals/family/{family.pk}/rate/worker/1/").status_code == 403
    assert GoalRating.objects.filter(goal__family=family).count() == 12


def test_the_parents_link_rates_the_goals_once_without_an_account() -> None:
    evaluation()
    worker, _ = user_client("worker", (OWN, "auditor"))
    family = record_family(worker, OWN, "T1")
    made = worker.post(f"/family-goals/family/{family.pk}/parent-link/")
    assert made["Cache-Control"] == "no-store"
    found = re.search(r"http://testserver(/r/[A-Za-z0-9_-]{43}/)", made.content.decode())
    assert found, "the link is shown once"
    again = worker.get(f"/family-goals/family/{family.pk}/").content.decode()
    assert found.group(1) not in again
    assert "1 link made, 0 answered" in again

    parent = Client()
    start = parent.get(found.group(1))
    assert start.status_code == 302
    page = parent.get(start["Location"])
    text = page.content.decode()
    assert page.status_code == 200
    assert "Kids get to school on time every day" in text
    assert family.pseudonym not in text
    assert parent.post(start["Location"], {"goal_G1": "1"}).status_code == 400
    sent = parent.post(start["Location"], {"goal_G1": "0", "goal_G2": "1", "goal_G3": "-1"})
    assert sent.status_code == 302
    assert parent.get(sent["Location"]).status_code == 200
    assert parent.get(start["Location"]).status_code == 410  # one response only
    ratings = GoalRating.objects.filter(goal__family=family, rater_role="parent", entry=1)
    assert {r.goal.goal: (r.rating, r.via) for r in ratings} == {
        "G1": (0, "link"), "G2": (1, "link"), "G3": (-1, "link"),
    }  # fmt: skip
    assert AuditEvent.objects.filter(action="link.created").count() == 1
    worker.post(f"/family-goals/family/{family.pk}/parent-link/")  # a second link, withdrawn
    withdrawn = worker.post(f"/family-goals/family/{family.pk}/parent-link/withdraw/")
    assert withdrawn.status_code == 302
    assert AuditEvent.objects.filter(action="link.revoked").count() == 1  # the open one only
    event = AuditEvent.objects.filter(action="goal_rating.save").latest("sequence")
    assert event.actor == "parent-link"
    # a link whose family is in another LA than the link's is refused like an unknown one
    other = Family.objects.create(site=Site.objects.get(la_code=OTHER), time_point="T1",
                                  pseudonym="P-OTHER1")  # fmt: skip
    _, token = link_create(actor=None, purpose="goal_rating", la_code=OWN,
                               object_key=f"family:{other.pk}")  # fmt: skip
    assert Client().get(f"/family-goals/parent/{token}/").status_code == 404


VALID_PROJECT = Path(__file__).resolve().parents[1] / "fixtures" / "valid_project"
IMPORTED_GOALS = (
    "la_code,time_point,family,goal,source,description,level_m2,level_m1,level_0,level_p1,"
    "level_p2,weight,baseline,set_on\n"
    "401,T2,P-IMPORTED1,G1,plan,Attend school,,,Attends,,,1,,2019-01-10\n"
)
IMPORTED_RATINGS = (
    "la_code,time_point,family,goal,rater_role,entry,rating,rated_on\n"
    "401,T2,P-IMPORTED1,G1,worker,1,1,2019-11-01\n401,T2,P-IMPORTED1,G1,worker,2,1,\n"
)


def test_export_gives_the_strand_the_goals_entered_on_the_web(tmp_path: Path) -> None:
    project_dir = tmp_path / "project"
    shutil.copytree(VALID_PROJECT, project_dir)
    (project_dir / "data" / "family_goals.csv").write_text(IMPORTED_GOALS, encoding="utf-8")
    (project_dir / "data" / "goal_ratings.csv").write_text(IMPORTED_RATINGS, encoding="utf-8")
    import_project(project_dir, actor="test")
    worker, _ = user_client("worker", ("402", "auditor"))
    family = record_family(worker, "402", "T2")  # the contrast site
    match = worker.post(f"/family-goals/family/{family.pk}/concordance/", {"match_G2": "reject"})
    assert match.status_code == 302

    out = tmp_path / "exported"
    write_project(out, project_files())
    project = load_project(out)
    goals = project.table("family_goals")
    mine = goals[goals["family"].astype(str) == family.pseudonym]
    assert sorted(mine["source"].astype(str)) == ["parent", "plan", "worker"]
    assert set(goals["family"].astype(str)) == {"P-IMPORTED1", family.pseudonym}
    result = analyse_goals(project)
    rows = result.families[result.families["family"] == family.pseudonym].set_index("rater")
    assert rows.at["worker", "t_score"] == pytest.approx(t_score([1, 0, -1], [2, 1, 1.5]), abs=1e-9)
    assert rows.at["parent", "t_score"] == pytest.approx(t_score([2, 0], [2, 1]), abs=1e-9)
    assert rows.at["parent", "n_missing"] == 1
    assert rows.at["worker", "group"] == "contrast"
    imported = result.families[result.families["family"] == "P-IMPORTED1"]
    assert imported.set_index("rater").at["worker", "t_score"] == pytest.approx(60.0)
    reviewed = result.pairs[result.pairs["family"] == family.pseudonym]
    assert list(reviewed["reviewed"]) == ["no"]
    assert list(reviewed["worker_goal"]) == ["G1"]  # proposed: they share words
    assert result.double_entry[0] == 1 + 3  # imported worker form; the parent's paper form


def test_an_imported_family_has_a_read_only_detail_page(tmp_path: Path) -> None:
    """The families list links an imported family to its page: goals, scale, weight and every
    rating as imported, no way to change them, the view audited; another LA's user gets 404."""
    project_dir = tmp_path / "project"
    shutil.copytree(VALID_PROJECT, project_dir)
    (project_dir / "data" / "family_goals.csv").write_text(IMPORTED_GOALS, encoding="utf-8")
    (project_dir / "data" / "goal_ratings.csv").write_text(IMPORTED_RATINGS, encoding="utf-8")
    import_project(project_dir, actor="test")
    worker, _ = user_client("worker", ("401", "auditor"))
    listing = worker.get("/family-goals/401/").content.decode()
    address = "/family-goals/401/imported/T2/P-IMPORTED1/"
    assert f'href="{address}"' in listing
    page = worker.get(address)
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert "Family P-IMPORTED1" in html
    assert "Attend school" in html
    assert "Attends" in html
    assert "Social worker's rating (second entry)" in html
    assert "<form" not in html.split('id="main-content"')[1]  # read-only
    t = f"{t_score([1], [1]):.1f}"
    assert re.search(rf"T-score, social worker\s*</dt>\s*<dd[^>]*>\s*{t}\s*<", html), t
    event = AuditEvent.objects.filter(action="case.view").order_by("-sequence").first()
    assert event is not None
    assert event.object_id == "401/T2/P-IMPORTED1"
    assert event.new_values == {"page": "imported"}
    assert worker.get("/family-goals/401/imported/T2/P-NOSUCH/").status_code == 404
    other, _ = user_client("other", ("402", "auditor"))
    assert other.get(address).status_code == 404
