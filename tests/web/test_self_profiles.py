"""Self-profiles: save and come back later, submit, review, LA scoping, export to the core."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from web_helpers import make_user, sign_in

from csceval.pipeline import load_project
from csceval.strands.implementation.elements import element_ids
from csceval.web.audit_trail.models import AuditEvent
from csceval.web.evaluation.models import Site
from csceval.web.evaluation.project_io import import_project, project_files, write_project
from csceval.web.implementation.models import ProfileStatus, SelfProfile

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def synthetic(simulated: Callable[[int], Path]) -> Path:
    return simulated(11)


@pytest.fixture
def pilots(synthetic: Path) -> tuple[Site, Site]:
    import_project(synthetic, actor="test")
    first, second = Site.objects.filter(role="pilot").order_by("la_code")[:2]
    return first, second


def _form(rating: int | str | None, **overrides: str) -> dict[str, str]:
    data = {}
    for element in element_ids():
        data[f"rating_{element}"] = "" if rating is None else str(rating)
        data[f"evidence_{element}"] = f"Evidence about {element}"
    return {**data, **overrides}


def test_save_and_come_back_later_then_submit(pilots: tuple[Site, Site]) -> None:
    site, _ = pilots
    url = f"/self-profiles/{site.la_code}/T1/"
    client = sign_in(Client(), make_user("coord", (site.la_code, "la_coordinator")))
    first = element_ids()[0]
    partial = _form(None, **{f"rating_{first}": "7", "action": "save"})
    assert client.post(url, partial).status_code == 302
    profile = SelfProfile.objects.get(site=site, time_point="T1")
    assert profile.status == ProfileStatus.DRAFT
    page = client.get(url).content.decode()
    assert 'value="7"' in page
    refused = client.post(url, _form(None, action="submit"))
    assert refused.status_code == 400
    assert "There is a problem" in refused.content.decode()
    out_of_range = client.post(url, _form(11, action="submit"))
    assert "must be 10 or less" in out_of_range.content.decode()
    assert client.post(url, _form(6, action="submit")).status_code == 302
    profile.refresh_from_db()
    assert profile.status == ProfileStatus.SUBMITTED
    assert client.post(url, _form(5, action="save")).status_code == 409
    events = AuditEvent.objects.filter(object_id=f"{site.la_code}/T1")
    assert [e.action for e in events.order_by("sequence")] == [
        "self_profile.save",
        "self_profile.submit",
    ]
    assert events.get(action="self_profile.submit").old_values[first]["rating"] == "7"


def test_other_las_cannot_see_and_coordinators_cannot_review(pilots: tuple[Site, Site]) -> None:
    site, other = pilots
    coordinator = sign_in(Client(), make_user("coord", (site.la_code, "la_coordinator")))
    submitted = coordinator.post(f"/self-profiles/{site.la_code}/T1/", _form(4, action="submit"))
    assert submitted.status_code == 302
    assert coordinator.get(f"/self-profiles/{other.la_code}/T1/").status_code == 404
    outsider = sign_in(Client(), make_user("outsider", (other.la_code, "la_coordinator")))
    assert outsider.get(f"/self-profiles/{site.la_code}/T1/").status_code == 404
    index = outsider.get("/self-profiles/").content.decode()
    assert site.name not in index
    review = f"/self-profiles/{site.la_code}/T1/review/"
    assert coordinator.post(review, {"decision": "accept"}).status_code == 403
    assert coordinator.get(f"/self-profiles/{site.la_code}/T9/").status_code == 404


def test_reviewed_profiles_reach_the_exported_project(
    pilots: tuple[Site, Site], tmp_path: Path
) -> None:
    site, _ = pilots
    coordinator = sign_in(Client(), make_user("coord", (site.la_code, "la_coordinator")))
    coordinator.post(f"/self-profiles/{site.la_code}/T1/", _form(9, action="submit"))
    evaluator = sign_in(Client(), make_user("eve", ("*", "evaluator")))
    review = f"/self-profiles/{site.la_code}/T1/review/"
    assert evaluator.post(review, {"decision": "accept"}).status_code == 302
    assert SelfProfile.objects.get().status == ProfileStatus.REVIEWED
    write_project(tmp_path / "p", project_files())
    table = load_project(tmp_path / "p").table("self_profiles")
    mine = table[(table["la_code"] == site.la_code) & (table["time_point"] == "T1")]
    assert len(mine) == len(element_ids())
    assert set(mine["rating"]) == {9}
    assert set(mine["status"]) == {"reviewed"}
